package proctest

import (
	"reflect"
	"testing"

	"github.com/dualpool/dualpool/internal/workloads"
)

// SameValue fails t unless got, a result from a worker process, is want, the same call's
// result on a goroutine pool: the same type and the same workloads.Shape, which tells nil
// from empty and compares a time.Time by its instant and UTC offset (what crosses a
// process; its zone's name and monotonic reading do not).
func SameValue(t testing.TB, name, how string, want, got any) {
	t.Helper()
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		t.Errorf("%s %s: got a %T; want a %T", how, name, got, want)
		return
	}
	if g, w := workloads.Shape(got), workloads.Shape(want); g != w {
		t.Errorf("%s %s:\n got %s\nwant %s", how, name, g, w)
	}
}
