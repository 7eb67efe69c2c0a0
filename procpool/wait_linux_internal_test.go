package procpool

import (
	"os"
	"testing"
	"time"
)

// waitAnswer reports a worker's outputs quiet only when neither of them held a byte once
// its answer pipe had one, and, while only an output can be read, waits for the answer.
func TestWaitAnswerTellsWhetherTheOutputsAreQuiet(t *testing.T) {
	answer, answerW := testPipe(t)
	out, outW := testPipe(t)
	errs, errsW := testPipe(t)
	fd, outs := int32(answer.Fd()), [2]int32{int32(out.Fd()), int32(errs.Fd())}
	write := func(f *os.File, s string) {
		t.Helper()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	take := func(f *os.File) {
		t.Helper()
		if _, err := f.Read(make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, d time.Duration, outs [2]int32, wantReady, wantQuiet bool) {
		t.Helper()
		ready, quiet := waitAnswer(fd, outs, d)
		if ready != wantReady || quiet != wantQuiet {
			t.Errorf("%s: waitAnswer = (ready %v, quiet %v); want (%v, %v)", name, ready, quiet, wantReady, wantQuiet)
		}
	}

	check("nothing written", 10*time.Millisecond, outs, false, false)

	write(answerW, "a")
	check("an answer alone", -1, outs, true, true)
	check("without outputs to look at", -1, [2]int32{-1, -1}, true, false)
	take(answer)

	write(errsW, "printed")
	write(answerW, "a")
	check("printed, then answered", -1, outs, true, false)
	take(answer)

	// stderr still holds "printed": the wait is for the answer alone, until its time is up.
	start := time.Now()
	check("only an output readable", 30*time.Millisecond, outs, false, false)
	if waited := time.Since(start); waited < 25*time.Millisecond {
		t.Errorf("with only an output readable, waitAnswer returned after %v; want it to wait 30ms for the answer", waited)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		if _, err := answerW.WriteString("a"); err != nil {
			t.Error(err) // not Fatal: another goroutine
		}
	}()
	check("answered while an output was readable", -1, outs, true, false)
	take(answer)
	take(errs)

	write(outW, "printed")
	take(out) // a forwarder took it
	write(answerW, "a")
	check("printed and forwarded, then answered", -1, outs, true, true)
}

func testPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}
