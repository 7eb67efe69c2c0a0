package procpool_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

func ExamplePool_Profile() {
	pool, err := procpool.New(procpool.WithWorkers(1))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	// Which worker is hot? Stats names them; Profile samples one, busy or not.
	pid := pool.Stats().PerWorker[0].PID
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cpu, err := pool.Profile(ctx, pid, "cpu", 100*time.Millisecond)
	if err != nil {
		log.Fatal(err)
	}
	// In a program: os.WriteFile("worker.pprof", cpu, 0o600), then go tool pprof.
	_, err = gzip.NewReader(bytes.NewReader(cpu))
	fmt.Println("gzipped pprof:", err == nil)
	// Output: gzipped pprof: true
}

func ExampleWithTimings() {
	pool, err := procpool.New(procpool.WithWorkers(1)) // timings are on by default
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	for n := range 3 {
		f, _ := executor.Submit(context.Background(), pool, Cube, n)
		f.Result(context.Background())
	}
	s := pool.Stats()
	run := s.PerFunc["example.cube"].Run
	fmt.Println(run.Count, run.Quantile(0.99) > 0, s.QueueWait.Count)
	// Output: 3 true 3
}

func ExampleWithPropagator() {
	// In main, first thing: the worker's side extracts what the pool's side injects.
	prop := procpool.WithPropagator(tenantPropagator{})
	procpool.ServeIfWorker(prop)

	pool, err := procpool.New(procpool.WithWorkers(1), prop)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.WithValue(context.Background(), tenantKey{}, "acme")
	f, _ := executor.Submit(ctx, pool, Tenant, 0)
	fmt.Println(f.Result(ctx))
	// Output: acme <nil>
}

// tenantPropagator carries a tenant's name, which tasks read from their ctx, to workers.
type tenantPropagator struct{}

type tenantKey struct{}

func (tenantPropagator) Inject(ctx context.Context, c executor.Carrier) {
	if t, ok := ctx.Value(tenantKey{}).(string); ok {
		c.Set("tenant", t)
	}
}

func (tenantPropagator) Extract(ctx context.Context, c executor.Carrier) context.Context {
	if t := c.Get("tenant"); t != "" {
		return context.WithValue(ctx, tenantKey{}, t)
	}
	return ctx
}

// Tenant returns the tenant its ctx carries.
var Tenant = executor.Register("example.tenant", func(ctx context.Context, _ int) (string, error) {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t, nil
})
