package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// Crash isolation: one task that kills the process running it (SIGKILL, as an OOM kill
// or a crash in cgo code would), amid CrashHealthy healthy tasks on 3 workers; and the
// same with a panic. Each scenario runs in a child copy of this runner, watched from
// outside, because for a goroutine pool "the process running it" is the program. The
// child reports each result on stdout as it comes, so what was delivered before a death
// is counted too. After the crash, one more task tells whether the pool still serves.

// crashWorkers is the pool size of a crash scenario, as in tasks A–E.
const crashWorkers = 3

// crashEvent is one line the child writes.
type crashEvent struct {
	Event string `json:"e"`             // healthy, bad, after, end
	OK    bool   `json:"ok,omitempty"`  // the task returned its result
	Err   string `json:"err,omitempty"` // what the caller got instead
}

func (r *runner) crash(b *backend) error {
	for _, mode := range []string{"kill", "panic"} {
		k := jobKill
		if mode == "panic" {
			k = jobPanic
		}
		if !b.supports(k) {
			continue
		}
		cmd, err := selfCommand(roleCrash, b.name, mode, strconv.Itoa(r.cfg.CrashHealthy), strconv.FormatInt(int64(r.cfg.Unit), 10))
		if err != nil {
			return err
		}
		r.res.add(r.crashOutcome(b.name, mode, cmd))
	}
	return nil
}

// crashOutcome runs one scenario's child and turns its events into a figure: the sample
// is the share of healthy tasks that returned their result.
func (r *runner) crashOutcome(name, mode string, cmd *exec.Cmd) *figure {
	f := &figure{Workload: "crash", Metric: mode, Backend: name, Unit: "healthy ok"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sc, wait, err := startWatched(ctx, cmd)
	if err != nil {
		f.Text = "error: " + err.Error()
		return f
	}
	var ok, afterOK int
	var bad, afterErr string
	ended := false
	for sc.Scan() {
		var ev crashEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Event {
		case "healthy":
			if ev.OK {
				ok++
			}
		case "bad":
			bad = ev.Err
		case "after":
			if ev.OK {
				afterOK++
			} else if afterErr == "" {
				afterErr = ev.Err
			}
		case "end":
			ended = true
		}
	}
	werr := wait()
	f.Samples = []float64{float64(ok) / float64(r.cfg.CrashHealthy)}
	switch {
	case !ended:
		f.Text = fmt.Sprintf("%d/%d ok, then the program died (%v)", ok, r.cfg.CrashHealthy, werr)
	case afterOK == crashWorkers:
		f.Text = fmt.Sprintf("%d/%d ok; crashing task: %s; then %d/%d ok: serves", ok, r.cfg.CrashHealthy, bad, afterOK, crashWorkers)
	case afterOK > 0:
		f.Text = fmt.Sprintf("%d/%d ok; crashing task: %s; then %d/%d ok (%s): degraded", ok, r.cfg.CrashHealthy, bad, afterOK, crashWorkers, afterErr)
	default:
		f.Text = fmt.Sprintf("%d/%d ok; crashing task: %s; then %d/%d ok (%s): broken", ok, r.cfg.CrashHealthy, bad, afterOK, crashWorkers, afterErr)
	}
	return f
}

// startWatched starts cmd in a process group of its own, with its stdout scanned line by
// line. The returned wait reaps it and kills what is left of its group (a peer's
// orphaned worker processes); ctx's end kills the group too. Its stderr is dropped: the
// peers log their panics there.
func startWatched(ctx context.Context, cmd *exec.Cmd) (*bufio.Scanner, func() error, error) {
	cmd.Stderr = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	pgid := cmd.Process.Pid
	stop := context.AfterFunc(ctx, func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	wait := func() error {
		err := cmd.Wait()
		stop()
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return err
	}
	return bufio.NewScanner(out), wait, nil
}

// crashChild is the child side: args are backend, mode, healthy count, unit in ns.
func crashChild(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("crash: want backend mode healthy unit, got %q", args)
	}
	var b *backend
	for _, c := range goBackends() {
		if c.name == args[0] {
			b = c
		}
	}
	healthy, err1 := strconv.Atoi(args[2])
	unit, err2 := strconv.ParseInt(args[3], 10, 64)
	if b == nil || err1 != nil || err2 != nil {
		return fmt.Errorf("crash: bad arguments %q", args)
	}
	bad := job{Kind: jobKill}
	if args[1] == "panic" {
		bad.Kind = jobPanic
	}
	enc := json.NewEncoder(os.Stdout)
	emit := func(ev crashEvent) { _ = enc.Encode(ev) }
	p, err := b.start(crashWorkers)
	if err != nil {
		return err
	}
	timeout := 20*time.Duration(unit) + 3*time.Second
	var healthyWaits []func() (any, error)
	var badWait func() (any, error)
	for i := range healthy + 1 {
		if i == healthy/2 {
			badWait = p.submit(bad)
			continue
		}
		healthyWaits = append(healthyWaits, p.submit(job{Kind: jobSleep, N: unit}))
	}
	done := make(chan crashEvent, healthy+1)
	for _, w := range healthyWaits {
		go func() {
			v, err := w()
			done <- crashEvent{Event: "healthy", OK: err == nil && v == unit, Err: errText(err)}
		}()
	}
	go func() {
		_, err := badWait()
		done <- crashEvent{Event: "bad", Err: errText(err)}
	}()
	deadline := time.After(timeout)
collect:
	for range healthy + 1 {
		select {
		case ev := <-done:
			emit(ev)
		case <-deadline:
			emit(crashEvent{Event: "bad", Err: "no result (still waiting after " + timeout.String() + ")"})
			break collect
		}
	}
	// Then one task per worker: does the pool still serve, on every worker?
	afters := make([]func() (any, error), crashWorkers)
	for i := range afters {
		afters[i] = p.submit(job{Kind: jobSleep, N: unit})
	}
	afterDone := make(chan crashEvent, crashWorkers)
	for _, w := range afters {
		go func() {
			v, err := w()
			afterDone <- crashEvent{Event: "after", OK: err == nil && v == unit, Err: errText(err)}
		}()
	}
	deadline = time.After(timeout)
after:
	for range crashWorkers {
		select {
		case ev := <-afterDone:
			emit(ev)
		case <-deadline:
			emit(crashEvent{Event: "after", Err: "no result"})
			break after
		}
	}
	emit(crashEvent{Event: "end"})
	// Close, but do not wait long for a pool that may hold a hung task.
	closed := make(chan struct{})
	go func() { _ = p.close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
	}
	return nil
}

// errText describes err in a few words: its dualpool type when it has one.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var pe *executor.PanicError
	var we *executor.WorkerExitError
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ", goroutine "); i >= 0 { // pond puts the stack in the text
		msg = msg[:i]
	}
	switch {
	case errors.As(err, &we):
		return "*executor.WorkerExitError: " + msg
	case errors.As(err, &pe):
		return "*executor.PanicError"
	}
	return shorten(msg, 80)
}
