package executor_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherSignal is an os.Signal that no system names.
type otherSignal string

func (s otherSignal) String() string { return string(s) }
func (otherSignal) Signal()          {}

func TestWorkerExitErrorText(t *testing.T) {
	goroutineDump := "fatal error: concurrent map writes\n\ngoroutine 21 [running]:\n" +
		"internal/runtime/maps.fatal({0x5deb21?, 0x0?})\n\t/usr/local/go/src/runtime/panic.go:1181 +0x18\n"
	tests := []struct {
		name string
		err  *executor.WorkerExitError
		want string
	}{
		{"SIGKILL", &executor.WorkerExitError{PID: 7, ExitCode: -1, Signal: os.Kill},
			"executor: worker 7 killed by SIGKILL"},
		{"SIGSEGV", &executor.WorkerExitError{PID: 7, ExitCode: -1, Signal: syscall.SIGSEGV},
			"executor: worker 7 killed by SIGSEGV"},
		{"SIGTERM with stderr", &executor.WorkerExitError{PID: 7, ExitCode: -1, Signal: syscall.SIGTERM, Stderr: []byte("shutting down\n")},
			"executor: worker 7 killed by SIGTERM: shutting down"},
		{"a signal with no name", &executor.WorkerExitError{PID: 7, ExitCode: -1, Signal: otherSignal("signal 34")},
			"executor: worker 7 killed by signal 34"},
		{"a signal described only", &executor.WorkerExitError{PID: 7, ExitCode: -1, Signal: otherSignal("window exploded")},
			"executor: worker 7 killed by signal window exploded"},
		{"exit, last line of stderr", &executor.WorkerExitError{PID: 8, ExitCode: 3,
			Stderr: []byte("resizing size=0\nthumbnail: size 0: giving up\n\n  \n")},
			"executor: worker 8 exited with code 3: thumbnail: size 0: giving up"},
		{"Go fatal error: its header, not its stack", &executor.WorkerExitError{PID: 9, ExitCode: 2, Stderr: []byte(goroutineDump)},
			"executor: worker 9 exited with code 2: fatal error: concurrent map writes"},
		{"unrecovered panic", &executor.WorkerExitError{PID: 9, ExitCode: 2, Stderr: []byte("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n")},
			"executor: worker 9 exited with code 2: panic: boom"},
		{"exit, no stderr", &executor.WorkerExitError{PID: 8, ExitCode: 0},
			"executor: worker 8 exited with code 0"},
		{"corrupt frame", &executor.WorkerExitError{PID: 9, ExitCode: -1, Err: errBoom, Stderr: []byte("writing garbage\n")},
			"executor: worker 9 exited: boom: writing garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestWorkerExitErrorLongLine(t *testing.T) {
	line := strings.Repeat("é", 300) // 600 bytes of two-byte runes
	err := &executor.WorkerExitError{PID: 1, ExitCode: 1, Stderr: []byte(line + "\n")}
	msg := err.Error()
	why := strings.TrimPrefix(msg, "executor: worker 1 exited with code 1: ")
	if len(why) > 210 || !strings.HasSuffix(why, "…") || !strings.HasPrefix(line, strings.TrimSuffix(why, "…")) {
		t.Errorf("Error() of a 600-byte stderr line = %q; want its first 200 bytes or so, whole runes, then …", msg)
	}
	var target *executor.WorkerExitError
	if !errors.As(errors.Join(errBoom, err), &target) || len(target.Stderr) != len(line)+1 {
		t.Errorf("the whole stderr tail is kept in the error")
	}
}

var (
	errSomeValue = errors.New("some")
	errSome      = executor.RegisterError("executor_test.ErrSome", errSomeValue)
)

func init() { executor.RegisterErrorType[*executor.KilledError]("executor_test.Killed") }

func TestRegisterError(t *testing.T) {
	assert.Same(t, errSomeValue, errSome, "RegisterError returns its argument")
	assert.Panics(t, func() { executor.RegisterError("executor_test.ErrSome", errors.New("again")) }, "a name twice")
	assert.Panics(t, func() { executor.RegisterError("executor_test.nil", nil) })
	assert.Panics(t, func() { executor.RegisterErrorType[*executor.PanicError]("executor_test.ErrSome") })
	r, ok := backend.LookupError("executor_test.Killed")
	require.True(t, ok)
	assert.Equal(t, "*executor.KilledError", r.Type.String())

	killed := &executor.KilledError{PID: 1}
	found, values := backend.RegisteredChain(fmt.Errorf("a: %w", errors.Join(errSome, killed)))
	require.Len(t, found, 2)
	assert.Equal(t, []string{"executor_test.ErrSome", "executor_test.Killed"}, []string{found[0].Name, found[1].Name})
	assert.Same(t, killed, values[1])

	re := &executor.RemoteError{Type: "*fs.PathError", Message: "open x: no such file", Wrapped: []error{errSome}}
	assert.Equal(t, "open x: no such file", re.Error())
	assert.ErrorIs(t, re, errSome)
}
