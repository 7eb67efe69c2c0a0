package procpool

import (
	"context"
	"testing"
)

// TestRecycleOnlyToAParentThatTakesIt: a worker whose parent did not announce
// FeatureRecycle (an older parent) never marks the task, so it never sends the frame
// that parent would take for a broken protocol.
func TestRecycleOnlyToAParentThatTakesIt(t *testing.T) {
	for _, takes := range []bool{false, true} {
		c := &taskCtx{s: &server{recycle: takes}}
		err := Recycle(context.WithoutCancel(c))
		if takes != (err == nil) || c.recycle.Load() != takes {
			t.Errorf("parent takes recycle: %v: Recycle = %v, marked %v; want marked only when it takes it",
				takes, err, c.recycle.Load())
		}
	}
}
