package proctest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

// SameError fails t unless got, an error of workloads.FailWith(kind) from a worker
// process, reads and matches as want, the same task's error on a goroutine pool: the same
// text; the same errors.Is answers for workloads.ErrGone and context.DeadlineExceeded;
// the same errors.As answers for *workloads.NotFound (and its field) and for
// *executor.PanicError. An unregistered error must be an *executor.RemoteError naming its
// type, and any error that arrives as an *executor.RemoteError must name the type of the
// goroutine pool's error.
func SameError(t testing.TB, kind, how string, want, got error) {
	t.Helper()
	if got == nil || want == nil {
		t.Fatalf("%s %s: got %v, want %v; both must be errors", how, kind, got, want)
	}
	if got.Error() != want.Error() {
		t.Errorf("%s %s: text %q; want %q", how, kind, got.Error(), want.Error())
	}
	for _, target := range []error{workloads.ErrGone, context.DeadlineExceeded} {
		if g, w := errors.Is(got, target), errors.Is(want, target); g != w {
			t.Errorf("%s %s: errors.Is(err, %v) = %v; want %v", how, kind, target, g, w)
		}
	}
	var wantNF, gotNF *workloads.NotFound
	if g, w := errors.As(got, &gotNF), errors.As(want, &wantNF); g != w {
		t.Errorf("%s %s: errors.As(err, *NotFound) = %v; want %v", how, kind, g, w)
	} else if w && gotNF.Key != wantNF.Key {
		t.Errorf("%s %s: NotFound.Key = %q; want %q", how, kind, gotNF.Key, wantNF.Key)
	}
	var wantPE, gotPE *executor.PanicError
	if g, w := errors.As(got, &gotPE), errors.As(want, &wantPE); g != w {
		t.Errorf("%s %s: errors.As(err, *executor.PanicError) = %v; want %v", how, kind, g, w)
	}
	if kind == "unregistered" {
		var re *executor.RemoteError
		if !errors.As(got, &re) || re.Type != "*fs.PathError" {
			t.Errorf("%s %s: %T %v; want an *executor.RemoteError of type *fs.PathError", how, kind, got, got)
		}
	}
	if re, ok := got.(*executor.RemoteError); ok && re.Type != fmt.Sprintf("%T", want) {
		t.Errorf("%s %s: RemoteError.Type %q; want %q, the type of the goroutine pool's error", how, kind, re.Type, fmt.Sprintf("%T", want))
	}
}
