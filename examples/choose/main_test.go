package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestChoose(t *testing.T) {
	bin := exampletest.Build(t)
	// The deadline leaves room for a replacement worker to start on a busy machine: a
	// task still queued when its deadline passes would be cancelled, not run.
	out := exampletest.MustRun(t, bin, "-timeout", "1s", "-grace", "200ms")

	// The same reporting code, on both pools: on the threadpool the slow fetch returns
	// when its ctx ends; on the procpool the crash costs its own task and the hang is
	// killed, and the healthy documents around them are parsed.
	want := `--- I/O: fetching pages on a threadpool of 8 workers ---
choose.fetch("/pages/a") = 1000
choose.fetch("/pages/b") = 1000
choose.fetch("/pages/slow") failed: deadline exceeded; the task saw its ctx end and returned (context.DeadlineExceeded)
choose.fetch("/pages/c") = 1000
--- crash-prone: parsing documents on a procpool of 2 workers ---
choose.parse("one two three") = 3
choose.parse("say \"hi") failed: its worker exited with code 70 (*executor.WorkerExitError); the pool replaced it
choose.parse("four five") = 2
choose.parse("loop \\") failed: still running after its deadline, killed with its worker (*executor.KilledError)
choose.parse("six") = 1
--- fetched 3 of 4 pages, parsed 3 of 5 documents; the program lives on ---
`
	if out.Stdout != want {
		t.Errorf("choose printed:\n%s\nwant:\n%s\nstderr:\n%s", out.Stdout, want, out.Stderr)
	}
	// The crashing parser's last words reach the program's stderr.
	if !regexp.MustCompile(`(?m)^parser: unbalanced quote; aborting$`).MatchString(out.Stderr) {
		t.Errorf("stderr lacks the worker's line:\n%s", out.Stderr)
	}
	if strings.Contains(out.Stdout, "parser:") {
		t.Errorf("the worker's stderr line reached stdout:\n%s", out.Stdout)
	}
}
