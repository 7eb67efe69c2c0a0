package procpool

import (
	"bytes"
	"fmt"
	"testing"
)

func TestTailKeepsTheCrashLine(t *testing.T) {
	var tl tail
	tl.add([]byte("starting up\n"))
	tl.add([]byte("fatal error: concurrent map writes\n"))
	for i := range 500 { // a goroutine dump far longer than the tail
		tl.add(fmt.Appendf(nil, "goroutine %d [running]:\n\tmain.work()\n", i))
	}
	got := tl.bytes()
	if !bytes.HasPrefix(got, []byte("fatal error: concurrent map writes\n")) {
		t.Fatalf("tail starts %q; want the crash line first", got[:min(80, len(got))])
	}
	if !bytes.HasSuffix(got, []byte("goroutine 499 [running]:\n\tmain.work()\n")) {
		t.Fatalf("tail ends %q; want the last lines", got[max(0, len(got)-80):])
	}
	if len(got) > tailSize+crashSize+8 {
		t.Fatalf("tail is %d bytes; want at most %d", len(got), tailSize+crashSize+8)
	}
}

func TestTailWithoutCrashIsTheLastBytes(t *testing.T) {
	var tl tail
	for i := range 1000 {
		tl.add(fmt.Appendf(nil, "line %d\n", i))
	}
	got := tl.bytes()
	if len(got) != tailSize || !bytes.HasSuffix(got, []byte("line 999\n")) {
		t.Fatalf("tail = %d bytes ending %q; want %d ending with the last line", len(got), got[len(got)-10:], tailSize)
	}

	var short tail // a short crash report is in the tail already: not repeated
	short.add([]byte("panic: boom\n\ngoroutine 1 [running]:\n"))
	if got := string(short.bytes()); got != "panic: boom\n\ngoroutine 1 [running]:\n" {
		t.Fatalf("tail = %q; want the report once", got)
	}
}
