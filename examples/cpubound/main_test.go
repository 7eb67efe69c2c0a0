package main

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

// sumOfSquaresUpTo is (n-1)n(2n-1)/6, the sum of i*i for 0 ≤ i < n.
func sumOfSquaresUpTo(n int64) string {
	s := big.NewInt(n - 1)
	s.Mul(s, big.NewInt(n))
	s.Mul(s, big.NewInt(2*n-1))
	return s.Div(s, big.NewInt(6)).String()
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCPUBound(t *testing.T) {
	bin := exampletest.Build(t)
	tests := []struct {
		n              int64
		tasks, workers int
	}{
		{1_000_000, 4, 4},
		{10_000_000, 3, 2}, // the guide's n: its sum overflows 64 bits
	}
	for _, tt := range tests {
		args := []string{"-n", fmt.Sprint(tt.n), "-tasks", fmt.Sprint(tt.tasks), "-workers", fmt.Sprint(tt.workers)}
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := exampletest.MustRun(t, bin, args...)
			checkCPUBound(t, out.Stdout, tt.n, tt.tasks, tt.workers)
		})
	}

	t.Run("n too large", func(t *testing.T) {
		out := exampletest.Run(t, bin, "-n", "4294967296")
		if out.Err == nil || !strings.Contains(out.Stderr, "want n < 2**32") || out.Stdout != "" {
			t.Errorf("cpubound -n 2**32: %v, stdout %q, stderr %q; want exit status 1 and the reason", out.Err, out.Stdout, out.Stderr)
		}
	})
}

var (
	sequentialRE = regexp.MustCompile(`^sequential: +([\d.]+) ms$`)
	threadpoolRE = regexp.MustCompile(`^threadpool, +(\d+) workers: +([\d.]+) ms, ([\d.]+)x the speed of sequential$`)
	procpoolRE   = regexp.MustCompile(`^procpool, +(\d+) workers: +([\d.]+) ms, ([\d.]+)x the speed of sequential \(and ([\d.]+) ms in procpool.New\)$`)
)

// checkCPUBound checks the lines in order: the setting, a time for each of the three ways,
// results that are exact, and the sentence about the GIL. The times and the speedup are
// only checked to be there: on a shared machine their values prove nothing.
func checkCPUBound(t *testing.T, stdout string, n int64, tasks, workers int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 6:\n%s", len(lines), stdout)
	}
	if want := fmt.Sprintf("%d tasks, each the sum of i*i for i in range(%d); ", tasks, n); !strings.HasPrefix(lines[0], want) {
		t.Errorf("line 1 = %q; want it to start with %q", lines[0], want)
	}
	if !sequentialRE.MatchString(lines[1]) {
		t.Errorf("line 2 = %q; want %q", lines[1], sequentialRE)
	}
	for i, re := range []*regexp.Regexp{threadpoolRE, procpoolRE} {
		if m := re.FindStringSubmatch(lines[2+i]); m == nil {
			t.Errorf("line %d = %q; want %q", 3+i, lines[2+i], re)
		} else if w, _ := strconv.Atoi(m[1]); w != workers {
			t.Errorf("line %d = %q; want %d workers", 3+i, lines[2+i], workers)
		}
	}
	// The program checks each pool's results against the sequential ones; the test
	// checks those against the closed form.
	sums := strings.Fields(strings.Trim(strings.TrimPrefix(lines[4], "Results: "), "[]"))
	want := sumOfSquaresUpTo(n)
	if len(sums) != tasks {
		t.Errorf("line 5 = %q; want %d results", lines[4], tasks)
	}
	for _, s := range sums {
		if s != want {
			t.Errorf("result %s; want %s", s, want)
		}
	}
	if !strings.HasPrefix(lines[5], "Go has no GIL: ") {
		t.Errorf("line 6 = %q; want the sentence on the GIL", lines[5])
	}
	if t.Failed() {
		t.Logf("output:\n%s", stdout)
	}
}
