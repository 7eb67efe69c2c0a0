package procpool

import (
	"context"
	"errors"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// cancel tells the worker running u that the tasks of ctx are cancelled, and arms the
// kill: a task of ctx still unanswered KillGrace later costs the worker its life.
func (w *worker) cancel(u *unit, ctx context.Context) {
	if w.cur.Load() != u {
		return
	}
	why := ipc.ErrCancelled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = ipc.ErrDeadline
	}
	w.write(func(b []byte) []byte {
		for i, j := range u.jobs {
			if j.t.Context() == ctx && !j.done.Load() {
				b = ipc.AppendCancel(b, u.base+uint64(i), why)
			}
		}
		return b
	})
	grace := w.p.cfg.killGrace
	kill := func() {
		if w.cur.Load() == u && unanswered(u, ctx) {
			w.kill(&killInfo{reason: killCancel})
		}
	}
	if grace == 0 {
		kill()
		return
	}
	u.addStop(time.AfterFunc(grace, kill).Stop)
}

func unanswered(u *unit, ctx context.Context) bool {
	for _, j := range u.jobs {
		if j.t.Context() == ctx && !j.done.Load() {
			return true
		}
	}
	return false
}
