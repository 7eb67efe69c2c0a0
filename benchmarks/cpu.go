package main

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/dualpool/dualpool/internal/workloads"
)

// The guide's CPU-bound example: 4 × cpu_intensive_task(10**7), here
// workloads.SumOfSquares, exact as Python's integers are. Go has no GIL, so a goroutine
// pool runs the four in parallel; the figure is the speedup over calling the same
// function four times in a row in this goroutine.

const cpuTasks = 4

func (r *runner) cpuSequential() error {
	f := &figure{Workload: "cpu", Metric: "time", Backend: "sequential", Unit: "ms", Text: fmt.Sprintf("n=%d", r.cfg.CPUN)}
	want := sumSquaresExact(r.cfg.CPUN)
	for range r.cfg.Reps {
		start := time.Now()
		for range cpuTasks {
			v, err := workloads.SumOfSquares.Call(context.Background(), int(r.cfg.CPUN))
			if err != nil {
				return err
			}
			if v != want {
				return fmt.Errorf("sum of squares = %s; want %s", v, want)
			}
		}
		f.Samples = append(f.Samples, ms(time.Since(start)))
	}
	r.res.add(f)
	return nil
}

func (r *runner) cpu(b *backend) error {
	if !b.supports(jobSumSquares) {
		return nil
	}
	seq := r.res.get("cpu", "time", "sequential", "")
	want := sumSquaresExact(r.cfg.CPUN)
	for _, w := range r.cfg.CPUWorkers {
		params := fmt.Sprintf("workers=%d", w)
		t := &figure{Workload: "cpu", Metric: "time", Backend: b.name, Params: params, Unit: "ms"}
		s := &figure{Workload: "cpu", Metric: "speedup", Backend: b.name, Params: params, Unit: "x"}
		p, err := b.start(w)
		if err != nil {
			return err
		}
		if err := warm(p, w); err != nil {
			_ = p.close()
			return err
		}
		for range r.cfg.Reps {
			start := time.Now()
			waits := make([]func() (any, error), cpuTasks)
			for i := range waits {
				waits[i] = p.submit(job{Kind: jobSumSquares, N: r.cfg.CPUN})
			}
			for _, wait := range waits {
				v, err := wait()
				if err == nil && v != any(want) {
					err = fmt.Errorf("sum of squares = %v; want %s", v, want)
				}
				if err != nil {
					_ = p.close()
					return err
				}
			}
			el := ms(time.Since(start))
			t.Samples = append(t.Samples, el)
			if seq != nil {
				s.Samples = append(s.Samples, seq.Median/el)
			}
		}
		if err := p.close(); err != nil {
			return err
		}
		r.res.add(t)
		r.res.add(s)
	}
	return nil
}

// sumSquaresExact is sum(i*i for i in range(n)) by formula, (n-1)n(2n-1)/6, in decimal.
func sumSquaresExact(n int64) string {
	a, b, c := big.NewInt(n-1), big.NewInt(n), big.NewInt(2*n-1)
	v := new(big.Int).Mul(a, b)
	v.Mul(v, c).Quo(v, big.NewInt(6))
	return v.String()
}
