package wire_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/threadpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// An error taken to its wire form and rebuilt reads and matches as the error itself.
func TestErrorRoundTrip(t *testing.T) {
	tp, err := threadpool.New()
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	ctx := context.Background()
	for _, kind := range workloads.ErrorKinds {
		f, err := executor.Submit(ctx, tp, workloads.FailWith, kind)
		if err != nil {
			t.Fatal(err)
		}
		_, want := f.Result(ctx)
		got := wire.Rebuild(wire.Error(1, want, ipc.Binary), ipc.Binary, "")
		proctest.SameError(t, kind, "Rebuild(Error)", want, got)
		// And again: an error rebuilt once crosses a second boundary unchanged.
		again := wire.Rebuild(wire.Error(1, got, ipc.Binary), ipc.Binary, "")
		proctest.SameError(t, kind, "Rebuild(Error) twice", want, again)
	}
}

func TestErrorKinds(t *testing.T) {
	for _, c := range []struct {
		err  error
		kind ipc.ErrKind
	}{
		{&executor.PanicError{Value: "boom", Stack: []byte("stack")}, ipc.ErrPanic},
		{executor.ErrUnknownFunc, ipc.ErrUnknown},
		{executor.ErrGoexit, ipc.ErrGoexit},
		{context.DeadlineExceeded, ipc.ErrDeadline},
		{context.Canceled, ipc.ErrCancelled},
		{errors.New("plain"), ipc.ErrText},
	} {
		e := wire.Error(7, c.err, ipc.Binary)
		if e.Kind != c.kind || e.ID != 7 {
			t.Errorf("Error(%v) = kind %v, id %d; want %v, 7", c.err, e.Kind, e.ID, c.kind)
		}
		got := wire.Rebuild(e, ipc.Binary, "")
		if c.kind != ipc.ErrText && c.kind != ipc.ErrPanic && !errors.Is(got, c.err) {
			t.Errorf("Rebuild(Error(%v)) = %v; errors.Is it = false", c.err, got)
		}
	}
	var pe *executor.PanicError
	if got := wire.Rebuild(wire.Error(1, &executor.PanicError{Value: "boom", Stack: []byte("s")}, ipc.Binary), ipc.Binary, ""); !errors.As(got, &pe) || pe.Value != "boom" || string(pe.Stack) != "s" {
		t.Errorf("a panic rebuilt = %#v", got)
	}
}

func TestRegistryHash(t *testing.T) {
	h := wire.RegistryHash()
	if len(h) != 16 || h != wire.RegistryHash() {
		t.Fatalf("RegistryHash() = %q, then %q; want one 16-digit hash", h, wire.RegistryHash())
	}
}
