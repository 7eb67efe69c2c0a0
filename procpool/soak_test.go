package procpool_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

var soak = flag.Duration("procpool.soak", 0, "run TestSoak for this long (e.g. 1m)")

// TestSoak submits healthy tasks, Map chunks and every failure mode from several
// goroutines at once, and checks that every future resolves and every healthy result is
// right. It runs for -procpool.soak, and briefly (one round) otherwise.
func TestSoak(t *testing.T) {
	// A quarter of the operations are failures, half of which kill their worker: a fresh
	// worker dies on its first task one time in seven, and the default intensity would
	// see six in a row on one slot now and then. The restart rule has tests of its own.
	p := newPool(t, procpool.WithKillGrace(20*time.Millisecond), procpool.WithMaxTasksPerWorker(50),
		procpool.WithRestartIntensity(50, 10*time.Second))
	ctx := context.Background()
	until := time.Now().Add(*soak)
	fms := failures()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for first := true; first || time.Now().Before(until); first = false {
				switch r.IntN(4) {
				case 0:
					fm := fms[r.IntN(len(fms))]
					if f, err := fm.submit(ctx, p); assert.NoError(t, err) {
						_, err := f.Result(ctx)
						assert.Error(t, err, fm.name)
					}
				case 1:
					i := 0
					for v, err := range executor.Map(ctx, p, workloads.Square, seq(200), executor.Chunk(1+r.IntN(50))) {
						assert.NoError(t, err)
						assert.Equal(t, i*i, v)
						i++
					}
				default:
					n := r.IntN(1000)
					v, err := submitWait(ctx, p, workloads.Square, n)
					assert.NoError(t, err)
					assert.Equal(t, n*n, v)
				}
			}
		}()
	}
	wg.Wait()
}
