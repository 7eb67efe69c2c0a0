package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	// ErrShutdown is returned by Submit and Map once the executor has begun shutting down.
	ErrShutdown = errors.New("executor: executor is shut down")

	// ErrQueueFull is returned by Submit on an executor configured not to block when its
	// queue is full.
	ErrQueueFull = errors.New("executor: queue is full")

	// ErrQueueTimeout is matched by the error of a task that waited in its pool's queue
	// longer than the pool's queue timeout (threadpool.WithQueueTimeout,
	// procpool.WithQueueTimeout) and so never started. Such an error also matches
	// [ErrCancelled]: the task was cancelled before it ran, and its message names the
	// function and how long it waited.
	ErrQueueTimeout = errors.New("executor: queue timeout: task never started")

	// ErrCancelled is the error of a Future whose task was cancelled before it started,
	// by [Future.Cancel], by its ctx or by a shutdown with [CancelPending]. Such an error
	// also matches the cause: context.Canceled or context.DeadlineExceeded.
	ErrCancelled = errors.New("executor: task cancelled")

	// ErrUnknownFunc is returned for a [Func] that is not registered, or whose name a
	// worker process does not know (the worker binary lacks the registration).
	ErrUnknownFunc = errors.New("executor: unknown function")

	// ErrPoolBroken is the error of every pending and later task once a pool can no longer
	// run tasks: a worker initializer failed, or worker processes keep dying at start.
	// The error that broke the pool is wrapped beside it.
	ErrPoolBroken = errors.New("executor: pool is broken")

	// ErrKilled is matched by the error of a task whose worker was killed because the task
	// outlived its ctx by more than the grace period. The same error also matches the
	// ctx's error (context.DeadlineExceeded for a timeout). See [KilledError].
	ErrKilled = errors.New("executor: task killed")

	// ErrMemoryLimit is matched by the error of a task whose worker went over its hard
	// memory limit and was killed. See [MemoryLimitError].
	ErrMemoryLimit = errors.New("executor: worker over memory limit")

	// ErrGoexit is the error of a task that called runtime.Goexit (as t.FailNow does)
	// instead of returning: it never produced a result. The goroutine pool replaces the
	// worker goroutine that Goexit ended; a worker process goes on serving.
	ErrGoexit = errors.New("executor: task called runtime.Goexit")

	// ErrWorkerLost is matched by the error of a task whose worker was lost while it ran
	// and which was not run to an answer elsewhere: in a cluster, every node it was given
	// to (up to the pool's maximum of attempts) went away before answering. The error
	// names the attempts.
	ErrWorkerLost = errors.New("executor: worker lost")
)

// cancelledError is the error of a cancelled Future: it matches ErrCancelled and its cause.
type cancelledError struct{ cause error }

func (e *cancelledError) Error() string {
	if e.cause == nil || e.cause == context.Canceled {
		return ErrCancelled.Error()
	}
	return ErrCancelled.Error() + ": " + e.cause.Error()
}

// Is matches ErrCancelled, and context.Canceled unless the cause was a deadline: a
// cancelled task is a cancellation whatever asked for it (Future.Cancel, a shutdown).
func (e *cancelledError) Is(target error) bool {
	return target == ErrCancelled || target == context.Canceled && !errors.Is(e.cause, context.DeadlineExceeded)
}
func (e *cancelledError) Unwrap() error { return e.cause }

// errCancelledPlain is the error of a Future cancelled by [Future.Cancel].
var errCancelledPlain error = &cancelledError{cause: context.Canceled}

// cancelled returns the error of a task cancelled before it started because of cause
// (nil means context.Canceled). It matches ErrCancelled and cause with errors.Is.
func cancelled(cause error) error {
	if cause == nil || cause == context.Canceled {
		return errCancelledPlain
	}
	return &cancelledError{cause: cause}
}

// PanicError is the error of a task that panicked. Both backends recover the panic, so
// that one bad task fails its own Future and the pool keeps serving; the value and the
// stack of the panicking goroutine are kept for the caller. From a worker process, Value
// is the panic value's text, or, when the value was an error with registered errors
// ([RegisterError], [RegisterErrorType]) along its chain, an error that reads the same
// and that errors.Is and errors.As match to them, as on a goroutine pool; Stack is the
// worker's stack.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack trace of the goroutine that panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("executor: task panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so that errors.Is sees through it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// WorkerExitError is the error of a task whose worker process died while running it: an
// exit, a signal, a Go fatal error, a closed pipe or a corrupt frame. Tasks the worker had
// not started are run elsewhere and do not see this error.
type WorkerExitError struct {
	PID      int       // the worker's process id
	ExitCode int       // the exit status, or -1 when a signal ended the process
	Signal   os.Signal // the signal that ended the process, or nil
	Stderr   []byte    // the last few KiB the worker wrote to stderr (a Go fatal error's trace)
	Err      error     // what the parent saw, when it was more than the exit (a corrupt frame)
}

// Error says which worker died and how, the way people name it ("killed by SIGKILL",
// "exited with code 3"), and ends with the line of its stderr that says why: the first
// line of a Go runtime crash report ("fatal error: concurrent map writes"), whose last
// lines are a stack, or else the last line that is not blank. The whole tail is in Stderr.
func (e *WorkerExitError) Error() string {
	var how string
	switch {
	case e.Signal != nil:
		how = "killed by " + signalName(e.Signal)
	case e.ExitCode >= 0:
		how = fmt.Sprintf("exited with code %d", e.ExitCode)
	default:
		how = "exited"
	}
	msg := fmt.Sprintf("executor: worker %d %s", e.PID, how)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if why := stderrReason(e.Stderr); why != "" {
		msg += ": " + why
	}
	return msg
}

// signalName is the conventional name of a signal ("SIGKILL"), found from its
// description ("killed") so that it needs no per-system table; an unknown one is
// "signal" and its description.
func signalName(s os.Signal) string {
	switch d := s.String(); d {
	case "killed":
		return "SIGKILL"
	case "terminated":
		return "SIGTERM"
	case "interrupt":
		return "SIGINT"
	case "hangup":
		return "SIGHUP"
	case "quit":
		return "SIGQUIT"
	case "aborted", "abort trap":
		return "SIGABRT"
	case "segmentation fault":
		return "SIGSEGV"
	case "bus error":
		return "SIGBUS"
	case "floating point exception":
		return "SIGFPE"
	case "illegal instruction":
		return "SIGILL"
	case "broken pipe":
		return "SIGPIPE"
	case "alarm clock":
		return "SIGALRM"
	case "user defined signal 1":
		return "SIGUSR1"
	case "user defined signal 2":
		return "SIGUSR2"
	case "trace/breakpoint trap":
		return "SIGTRAP"
	case "CPU time limit exceeded", "cputime limit exceeded":
		return "SIGXCPU"
	case "file size limit exceeded", "filesize limit exceeded":
		return "SIGXFSZ"
	case "bad system call":
		return "SIGSYS"
	default:
		if strings.HasPrefix(d, "signal ") { // "signal 34": no name to give
			return d
		}
		return "signal " + d
	}
}

// stderrReason is the line of a worker's stderr tail that says why it died: the header
// of a Go runtime crash report (a "fatal error: " or "panic: " line, the first one, since
// what follows is the stack), or else the last line that is not blank. It is cut to
// 200 bytes, at a rune boundary.
func stderrReason(stderr []byte) string {
	var why string
	for line := range strings.Lines(string(stderr)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "fatal error: ") || strings.HasPrefix(line, "panic: ") {
			why = line
			break
		}
		if line != "" {
			why = line
		}
	}
	if len(why) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(why[cut]) {
			cut--
		}
		why = why[:cut] + "…"
	}
	return why
}

func (e *WorkerExitError) Unwrap() error { return e.Err }

// KilledError is the error of a task whose worker was killed because the task was still
// running KillGrace after its ctx ended. It matches [ErrKilled] and the ctx's error.
type KilledError struct {
	PID   int           // the worker that was killed
	Grace time.Duration // how long the task had to return after its ctx ended
	Cause error         // the ctx's error: context.Canceled or context.DeadlineExceeded
}

func (e *KilledError) Error() string {
	return fmt.Sprintf("executor: task killed with worker %d, %v after its context ended: %v", e.PID, e.Grace, e.Cause)
}
func (e *KilledError) Is(target error) bool { return target == ErrKilled }
func (e *KilledError) Unwrap() error        { return e.Cause }

// MemoryLimitError is the error of a task whose worker went over its hard memory limit
// while the task ran; the worker was killed. It matches [ErrMemoryLimit].
type MemoryLimitError struct {
	PID   int    // the worker that was killed
	Used  uint64 // the private memory measured, in bytes
	Limit uint64 // the hard limit, in bytes
}

func (e *MemoryLimitError) Error() string {
	return fmt.Sprintf("executor: worker %d used %d MiB, over its hard limit of %d MiB; killed",
		e.PID, e.Used>>20, e.Limit>>20)
}
func (e *MemoryLimitError) Is(target error) bool { return target == ErrMemoryLimit }
