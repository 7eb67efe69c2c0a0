package main

import (
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMapSquare(t *testing.T) {
	bin := exampletest.Build(t)
	tests := []struct {
		args []string
		want string
	}{
		// The same results from both backends.
		{nil, `--- threadpool, 3 workers ---
Original numbers: [1 2 3 4 5]
Squared results: [1 4 9 16 25]
Sum of the squares of 1..100000, in chunks of 1000: 333338333350000
--- procpool, 3 workers ---
Original numbers: [1 2 3 4 5]
Squared results: [1 4 9 16 25]
Sum of the squares of 1..100000, in chunks of 1000: 333338333350000
`},
		// A chunk that does not divide n, a range shorter than a window, one worker.
		{[]string{"-backend", "proc,thread", "-workers", "1", "-n", "10", "-chunk", "3"}, `--- procpool, 1 workers ---
Original numbers: [1 2 3 4 5]
Squared results: [1 4 9 16 25]
Sum of the squares of 1..10, in chunks of 3: 385
--- threadpool, 1 workers ---
Original numbers: [1 2 3 4 5]
Squared results: [1 4 9 16 25]
Sum of the squares of 1..10, in chunks of 3: 385
`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := exampletest.MustRun(t, bin, tt.args...)
			if out.Stdout != tt.want {
				t.Errorf("mapsquare %v printed:\n%s\nwant:\n%s", tt.args, out.Stdout, tt.want)
			}
		})
	}

	// Map yields an invalid option as its first error, on either backend; an unknown
	// backend is the program's error. Each ends the program with exit status 1.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-backend", "thread", "-chunk", "0"}, "executor: Chunk(0): want at least 1"},
		{[]string{"-backend", "proc", "-chunk", "0"}, "executor: Chunk(0): want at least 1"},
		{[]string{"-backend", "gpu"}, `-backend "gpu": want thread or proc`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := exampletest.Run(t, bin, tt.args...)
			if out.Err == nil || !strings.Contains(out.Stderr, tt.want) {
				t.Errorf("mapsquare %v: %v, stderr %q; want exit status 1 and %q", tt.args, out.Err, out.Stderr, tt.want)
			}
		})
	}
}
