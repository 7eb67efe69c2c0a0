package exampletest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Process is an example that runs until it is stopped, such as a service: started by
// [Start], talked to while it runs, stopped by a signal and waited for with
// [Process.Wait]. Its output is kept whole, and read line by line with [Process.Await].
type Process struct {
	t     testing.TB
	bin   string
	args  []string
	cmd   *exec.Cmd
	start time.Time
	done  chan struct{} // closed when the process has ended and its output is all in
	err   error         // from exec.Cmd.Wait, once done is closed

	mu             sync.Mutex
	stdout, stderr bytes.Buffer
	lines          []string      // whole lines of both streams, in the order they arrived
	seen           int           // lines[:seen] were looked at by Await
	changed        chan struct{} // closed and replaced when a line arrives
}

// Start starts bin with args and returns at once. If the test ends while the program
// still runs, it is killed then, and its workers are checked as by [Run].
func Start(t testing.TB, bin string, args ...string) *Process {
	t.Helper()
	p := &Process{t: t, bin: bin, args: args, done: make(chan struct{}), changed: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout = &lineWriter{p: p, buf: &p.stdout}
	p.cmd.Stderr = &lineWriter{p: p, buf: &p.stderr}
	p.cmd.WaitDelay = 5 * time.Second
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s %v: %v", filepath.Base(bin), args, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		p.cmd.Process.Kill()
		<-p.done
		checkNoOrphans(t, bin)
	})
	return p
}

// Signal sends sig to the program.
func (p *Process) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("%s: signal %v: %v", filepath.Base(p.bin), sig, err)
	}
}

// Await waits for the next line of the program's output (stdout or stderr) that matches
// the regular expression pattern, skipping the lines before it, and returns the match and
// its submatches. It fails t if the program ends, or [RunTimeout] passes, first.
func (p *Process) Await(pattern string) []string {
	p.t.Helper()
	re := regexp.MustCompile(pattern)
	timeout := time.NewTimer(RunTimeout)
	defer timeout.Stop()
	for {
		p.mu.Lock()
		for p.seen < len(p.lines) {
			line := p.lines[p.seen]
			p.seen++
			if m := re.FindStringSubmatch(line); m != nil {
				p.mu.Unlock()
				return m
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-p.done:
			if p.unseen() {
				continue // the last lines arrived with the end
			}
			p.t.Fatalf("%s ended (%v) before printing a line matching %q\n%s", filepath.Base(p.bin), p.err, pattern, p.output())
		case <-timeout.C:
			p.t.Fatalf("%s printed no line matching %q within %v\n%s", filepath.Base(p.bin), pattern, RunTimeout, p.output())
		}
	}
}

// Wait waits for the program to end, after a signal that stops it, and returns what it
// printed. It fails t if the program does not end within [RunTimeout], or if its workers
// outlive it.
func (p *Process) Wait() Output {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(RunTimeout):
		p.t.Fatalf("%s %v: still running after %v\n%s", filepath.Base(p.bin), p.args, RunTimeout, p.output())
	}
	checkNoOrphans(p.t, p.bin)
	p.mu.Lock()
	defer p.mu.Unlock()
	return Output{Stdout: p.stdout.String(), Stderr: p.stderr.String(), Err: p.err, Elapsed: time.Since(p.start)}
}

// unseen reports whether lines arrived that Await has not looked at.
func (p *Process) unseen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen < len(p.lines)
}

// output is what the program printed so far, for a failure message.
func (p *Process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return "stdout:\n" + p.stdout.String() + "stderr:\n" + p.stderr.String()
}

// lineWriter keeps one of the program's streams in buf, and adds each whole line to the
// process's lines as it arrives.
type lineWriter struct {
	p       *Process
	buf     *bytes.Buffer
	partial string // the start of a line not yet ended
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.buf.Write(b)
	text := w.partial + string(b)
	lines := strings.Split(text, "\n")
	w.partial = lines[len(lines)-1]
	if len(lines) > 1 {
		w.p.lines = append(w.p.lines, lines[:len(lines)-1]...)
		close(w.p.changed)
		w.p.changed = make(chan struct{})
	}
	return len(b), nil
}
