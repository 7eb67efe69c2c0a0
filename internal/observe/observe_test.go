package observe

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestKillReason(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("plain"), ""},
		{&executor.KilledError{PID: 1, Grace: time.Second, Cause: context.Canceled}, "outlived its ctx"},
		{fmt.Errorf("wrapped: %w", &executor.KilledError{PID: 1, Cause: context.Canceled}), "shutdown's ctx ended"},
		{&executor.MemoryLimitError{PID: 1}, "over the hard memory limit"},
		{&executor.WorkerExitError{PID: 1, ExitCode: 3}, ""},
	} {
		if got := KillReason(c.err); got != c.want {
			t.Errorf("KillReason(%v) = %q; want %q", c.err, got, c.want)
		}
	}
}
