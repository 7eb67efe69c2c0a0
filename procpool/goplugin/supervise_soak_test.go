package goplugin_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

var soak = flag.Duration("goplugin.soak", 2*time.Second, "run TestSuperviseSoak for this long (e.g. 1m)")

// TestSuperviseSoak makes calls with deadlines from several goroutines while plugins are
// SIGKILLed and SIGSTOPped at random, and checks that every call ends as a success with
// the right value, a kill (its deadline passed) or a crash, and that the Supervisor
// serves on afterwards and leaves nothing behind. It runs for -goplugin.soak.
func TestSuperviseSoak(t *testing.T) {
	for _, kv := range kvPlugins {
		t.Run(kv.proto, func(t *testing.T) {
			s := superviseKV(t, *kv.bin, kv.name, goplugin.WithPing(100*time.Millisecond, 500*time.Millisecond),
				goplugin.WithPoolOptions(procpool.WithWorkers(3), procpool.WithKillGrace(50*time.Millisecond),
					procpool.WithRestartIntensity(1000, 10*time.Second)))
			ctx := context.Background()
			require.NoError(t, put(ctx, s, "k", "v"))
			stop := make(chan struct{})
			var chaos sync.WaitGroup
			var signals atomic.Int32
			chaos.Go(func() { signalAtRandom(s, stop, &signals) })
			var wg sync.WaitGroup
			var ok, killed, crashed atomic.Int32
			until := time.Now().Add(*soak / 2) // two protocols
			errs := make(chan error, 100)
			for g := range 4 {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(g), 2))
					for time.Now().Before(until) {
						cctx, cancel := context.WithTimeout(ctx, time.Duration(100+r.IntN(400))*time.Millisecond)
						got, err := get(cctx, s, "k")
						cancel()
						var ke *executor.KilledError
						var we *executor.WorkerExitError
						switch {
						case err == nil && got == stored(kv.proto, "v"):
							ok.Add(1)
						case err == nil:
							errs <- fmt.Errorf("Get = %q; want %q", got, stored(kv.proto, "v"))
						case errors.As(err, &ke) && errors.Is(err, context.DeadlineExceeded):
							killed.Add(1)
						case errors.As(err, &we) || errors.Is(err, executor.ErrCancelled) && errors.Is(err, context.DeadlineExceeded):
							crashed.Add(1) // or waited past its deadline for an instance
						default:
							select {
							case errs <- fmt.Errorf("Get: unexpected error %w", err):
							default:
							}
						}
					}
				})
			}
			wg.Wait()
			close(stop)
			chaos.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			t.Logf("%d signals; calls: %d ok, %d killed past their deadline, %d crashed or timed out waiting",
				signals.Load(), ok.Load(), killed.Load(), crashed.Load())
			require.NotZero(t, ok.Load())
			got, err := get(ctx, s, "k") // it serves on
			require.NoError(t, err)
			require.Equal(t, stored(kv.proto, "v"), got)
		})
	}
}

// signalAtRandom SIGKILLs or SIGSTOPs a random instance of s every few tens of ms until
// stop is closed.
func signalAtRandom[T any](s *goplugin.Supervisor[T], stop chan struct{}, n *atomic.Int32) {
	r := rand.New(rand.NewPCG(7, 7))
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(50+r.IntN(150)) * time.Millisecond):
		}
		ps := pids(s)
		if len(ps) == 0 {
			continue
		}
		sig := syscall.SIGKILL
		if r.IntN(2) == 0 {
			sig = syscall.SIGSTOP
		}
		if syscall.Kill(ps[r.IntN(len(ps))], sig) == nil {
			n.Add(1)
		}
	}
}
