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
// function four times in a row in this goroutine. Each repetition times the sequential
// loop right before the pool, and its speedup is the ratio of the pair: on a shared
// machine the load drifts, and a baseline taken minutes earlier would drift with it.

const cpuTasks = 4

func (r *runner) cpuSequential() error {
	f := &figure{Workload: "cpu", Metric: "time", Backend: "sequential", Unit: "ms", Text: fmt.Sprintf("n=%d", r.cfg.CPUN)}
	for range r.perCall {
		el, err := r.sequentialOnce()
		if err != nil {
			return err
		}
		f.Samples = append(f.Samples, el)
	}
	r.res.add(f)
	return nil
}

// sequentialOnce calls the task cpuTasks times in a row and returns the ms it took.
func (r *runner) sequentialOnce() (float64, error) {
	want := sumSquaresExact(r.cfg.CPUN)
	start := time.Now()
	for range cpuTasks {
		v, err := workloads.SumOfSquares.Call(context.Background(), int(r.cfg.CPUN))
		if err != nil {
			return 0, err
		}
		if v != want {
			return 0, fmt.Errorf("sum of squares = %s; want %s", v, want)
		}
	}
	return ms(time.Since(start)), nil
}

func (r *runner) cpu(b *backend) error {
	if !b.supports(jobSumSquares) {
		return nil
	}
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
		for range r.perCall {
			seq, err := r.sequentialOnce()
			if err != nil {
				_ = p.close()
				return err
			}
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
			s.Samples = append(s.Samples, seq/el)
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
