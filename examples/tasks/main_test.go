package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

// testUnit is long enough that a unit of difference between two tasks' ends stays
// visible on a busy machine: the order of finishes is what this example is about.
const testUnit = "200ms"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTasks(t *testing.T) {
	bin := exampletest.Build(t)
	t.Run("thread", func(t *testing.T) {
		out := exampletest.MustRun(t, bin, "-unit", testUnit)
		checkTasks(t, out.Stdout, "thread", true)
	})
	t.Run("proc", func(t *testing.T) {
		// The tasks print in worker processes; their lines reach the program's stdout
		// whole (checkTasks fails on any other line), through a pipe of their own, and
		// before the result that follows them: the pool waits for a worker's output to
		// catch up before it resolves a Future.
		out := exampletest.MustRun(t, bin, "-unit", testUnit, "-backend", "proc")
		checkTasks(t, out.Stdout, "proc", true)
	})

	// Invalid settings are errors from New or from the program: exit status 1, the
	// reason on stderr.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-workers", "0"}, "WithMaxWorkers(0)"},
		{[]string{"-workers", "0", "-backend", "proc"}, "WithWorkers(0)"},
		{[]string{"-backend", "gpu"}, `-backend "gpu"`},
	} {
		bad := exampletest.Run(t, bin, tt.args...)
		if bad.Err == nil || !strings.Contains(bad.Stderr, tt.want) || bad.Stdout != "" {
			t.Errorf("tasks %v: %v, stdout %q, stderr %q; want exit status 1 and %q on stderr",
				tt.args, bad.Err, bad.Stdout, bad.Stderr, tt.want)
		}
	}
}

var (
	startedRE  = regexp.MustCompile(`^Task ([A-E]) started\. Will run for (\d) units\.$`)
	finishedRE = regexp.MustCompile(`^Task ([A-E]) finished\.$`)
	receivedRE = regexp.MustCompile(`^Received: Result from task ([A-E])$`)
	doneRE     = regexp.MustCompile(`^--- All tasks completed in ([\d.]+) units ---$`)
)

// checkTasks checks the events the program printed: every task starts, finishes and is
// received once, in that order (when finishedBeforeReceived: the task's prints and the
// program's share one stream); no more than 3 run at once; the tasks finish in the order
// their durations dictate (B, then A and D together, then C, then E), and AsCompleted
// hands them over in that order.
func checkTasks(t *testing.T, stdout, backend string, finishedBeforeReceived bool) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 17 {
		t.Fatalf("got %d lines, want 17 (a header, 3 lines per task, a footer):\n%s", len(lines), stdout)
	}
	if want := "--- Running tasks with a " + backend + " pool of 3 workers ---"; lines[0] != want {
		t.Errorf("line 1 = %q; want %q", lines[0], want)
	}
	if !doneRE.MatchString(lines[16]) {
		t.Errorf("last line = %q; want %q", lines[16], doneRE)
	}

	units := map[string]string{"A": "2", "B": "1", "C": "3", "D": "1", "E": "2"}
	started, finished, received := map[string]int{}, map[string]int{}, map[string]int{}
	var finishOrder, receiveOrder []string
	running, maxRunning := 0, 0
	for i, line := range lines[1:16] {
		switch {
		case startedRE.MatchString(line):
			m := startedRE.FindStringSubmatch(line)
			if m[2] != units[m[1]] {
				t.Errorf("%q: want %s units", line, units[m[1]])
			}
			started[m[1]] = i
			running++
			maxRunning = max(maxRunning, running)
		case finishedRE.MatchString(line):
			name := finishedRE.FindStringSubmatch(line)[1]
			finished[name] = i
			finishOrder = append(finishOrder, name)
			running--
		case receivedRE.MatchString(line):
			name := receivedRE.FindStringSubmatch(line)[1]
			received[name] = i
			receiveOrder = append(receiveOrder, name)
		default:
			t.Errorf("unexpected line %q", line)
		}
	}
	if t.Failed() {
		t.Fatalf("output:\n%s", stdout)
	}
	for name := range units {
		s, okS := started[name]
		f, okF := finished[name]
		r, okR := received[name]
		if !okS || !okF || !okR || !(s < f && s < r) || finishedBeforeReceived && f > r {
			t.Errorf("task %s: started at line %d (%v), finished at %d (%v), received at %d (%v); want each once, in that order",
				name, s, okS, f, okF, r, okR)
		}
	}
	if maxRunning != 3 {
		t.Errorf("%d tasks ran at once; want 3, the pool's size", maxRunning)
	}
	// A and D both end two units in: either may come first.
	wantOrder := [][]string{{"B"}, {"A", "D"}, {"C"}, {"E"}}
	if !inGroups(finishOrder, wantOrder) {
		t.Errorf("tasks finished in the order %v; want %v", finishOrder, wantOrder)
	}
	if !inGroups(receiveOrder, wantOrder) {
		t.Errorf("results received in the order %v; want %v", receiveOrder, wantOrder)
	}
	if t.Failed() {
		t.Logf("output:\n%s", stdout)
	}
}

// inGroups reports whether order lists the groups one after another, each group's
// members in any order.
func inGroups(order []string, groups [][]string) bool {
	var flat []string
	for _, g := range groups {
		if len(order) < len(flat)+len(g) {
			return false
		}
		got := slices.Sorted(slices.Values(order[len(flat) : len(flat)+len(g)]))
		if fmt.Sprint(got) != fmt.Sprint(slices.Sorted(slices.Values(g))) {
			return false
		}
		flat = append(flat, g...)
	}
	return len(flat) == len(order)
}
