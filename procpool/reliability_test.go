package procpool_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

var reliability = flag.Int("procpool.reliability", 0, "run TestReliability over this many tasks (e.g. 100000) and print its figures")

// TestReliability is the campaign behind the README's Reliability section: tasks with 2 %
// of failures injected (one in 50, the nine kinds of failures() in turn) from four
// goroutines while a worker is SIGKILLed from outside every 200 ms; then the time from a
// kill to the Future of the task it interrupted and to a replacement worker; then what
// survives a SIGKILL of the parent. Leaks are checked when its pools close.
func TestReliability(t *testing.T) {
	n := *reliability
	if n == 0 {
		t.Skip("run with: go test -run TestReliability ./procpool -args -procpool.reliability=100000")
	}
	var soak, workers, grandchildren string
	var resolve, replace []time.Duration
	t.Run("soak", func(t *testing.T) { soak = reliabilitySoak(t, n) })
	t.Run("kills", func(t *testing.T) { resolve, replace = killLatencies(t, 100) })
	t.Run("parent death", func(t *testing.T) { workers, grandchildren = parentDeathSurvivors(t) })
	if t.Failed() {
		return
	}
	fmt.Printf("reliability: %s\n", soak)
	fmt.Printf("reliability: kill to resolve p50 %v p99 %v; kill to replacement p50 %v p99 %v (%d kills)\n",
		pct(resolve, 50), pct(resolve, 99), pct(replace, 50), pct(replace, 99), len(resolve))
	fmt.Printf("reliability: after a SIGKILL of the parent: %s of its workers and %s of its tasks' processes alive\n",
		workers, grandchildren)
}

func reliabilitySoak(t *testing.T, n int) string {
	p := newPool(t, procpool.WithKillGrace(20*time.Millisecond))
	fms := failures()
	ctx := context.Background()
	var injected [16]atomic.Int64
	var healthy, killed, wrong, lost, kills atomic.Int64
	stop := make(chan struct{})
	var killer sync.WaitGroup
	killer.Add(1)
	go func() {
		defer killer.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if ws := p.Stats().PerWorker; len(ws) > 0 {
				syscall.Kill(ws[rand.IntN(len(ws))].PID, syscall.SIGKILL)
				kills.Add(1)
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 4 {
				var f *executor.Future[int]
				var err error
				kind := -1
				if i%50 == 49 {
					kind = (i / 50) % len(fms)
					f, err = fms[kind].submit(ctx, p)
				} else {
					f, err = executor.Submit(ctx, p, workloads.Square, i)
				}
				if !assert.NoError(t, err) {
					return
				}
				wait, cancel := context.WithTimeout(ctx, time.Minute)
				v, err := f.Result(wait)
				timedOut := wait.Err() != nil
				cancel()
				var we *executor.WorkerExitError
				switch {
				case timedOut:
					lost.Add(1)
				case kind >= 0 && err != nil:
					injected[kind].Add(1)
				case kind < 0 && err == nil && v == i*i:
					healthy.Add(1)
				case kind < 0 && errors.As(err, &we) && we.Signal == syscall.SIGKILL:
					killed.Add(1) // in flight on a worker the killer hit
				default:
					wrong.Add(1)
					t.Errorf("task %d (kind %d): %d, %v", i, kind, v, err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	killer.Wait()
	var kinds []string
	for i, fm := range fms {
		kinds = append(kinds, fmt.Sprintf("%s %d", fm.name, injected[i].Load()))
	}
	assert.Zero(t, lost.Load(), "futures lost")
	assert.Zero(t, wrong.Load(), "wrong results")
	return fmt.Sprintf("%d tasks in %v, %d healthy ok, %d failures injected (%s), %d external SIGKILLs that cost %d healthy tasks, lost %d, wrong %d",
		n, time.Since(start).Round(time.Second), healthy.Load(), n/50, strings.Join(kinds, ", "),
		kills.Load(), killed.Load(), lost.Load(), wrong.Load())
}

// killLatencies kills the worker of a running task rounds times, and returns how long
// the task's Future took to resolve and how long the pool took to have a worker again.
func killLatencies(t *testing.T, rounds int) (resolve, replace []time.Duration) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	for range rounds {
		var old int
		proctest.Eventually(t, 10*time.Second, func() bool {
			s := p.Stats()
			if s.Workers == 1 && len(s.PerWorker) == 1 {
				old = s.PerWorker[0].PID
			}
			return old != 0
		}, "a worker ready")
		// The worker serves a task first: one killed on its first would count as a
		// worker that cannot stay up, and a few of those break the pool.
		_, err := submitWait(ctx, p, workloads.Square, 2)
		require.NoError(t, err)
		f, err := executor.Submit(ctx, p, workloads.Hang, 10*time.Second)
		require.NoError(t, err)
		proctest.Eventually(t, 10*time.Second, func() bool { return f.State() == executor.Running }, "the task running")
		time.Sleep(5 * time.Millisecond) // its frame reached the worker
		kill := time.Now()
		require.NoError(t, syscall.Kill(old, syscall.SIGKILL))
		_, err = f.Result(ctx)
		resolve = append(resolve, time.Since(kill))
		require.Error(t, err)
		for deadline := kill.Add(10 * time.Second); ; time.Sleep(200 * time.Microsecond) { // finely: it is measured
			s := p.Stats()
			if s.Workers == 1 && len(s.PerWorker) == 1 && s.PerWorker[0].PID != old {
				break
			}
			require.True(t, time.Now().Before(deadline), "a replacement ready")
		}
		replace = append(replace, time.Since(kill))
	}
	return resolve, replace
}

// parentDeathSurvivors SIGKILLs a parent with 2 workers, one of which started a process
// for a task, and counts what is alive a second later.
func parentDeathSurvivors(t *testing.T) (workers, grandchildren string) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envMode+"=parent", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var pids, children []int
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		line, isChild := strings.CutPrefix(sc.Text(), "grandchild ")
		pid, err := strconv.Atoi(line)
		require.NoError(t, err, "helper said %q", sc.Text())
		if isChild {
			children = append(children, pid)
		} else {
			pids = append(pids, pid)
		}
	}
	require.NoError(t, cmd.Process.Kill())
	time.Sleep(time.Second)
	alive := func(pids []int) string {
		n := len(slices.DeleteFunc(slices.Clone(pids), func(pid int) bool { return !proctest.Alive(pid) }))
		return fmt.Sprintf("%d of %d", n, len(pids))
	}
	workers, grandchildren = alive(pids), alive(children)
	for _, pid := range children {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	return workers, grandchildren
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
