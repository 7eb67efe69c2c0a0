package main

import (
	"fmt"
	"time"
)

// The guide's CPU-bound example: 4 × cpu_intensive_task(10**7). Go has no GIL, so a
// goroutine pool runs the four in parallel; the figure is the speedup over running them
// one after another in this goroutine.

const cpuTasks = 4

func (r *runner) cpuSequential() error {
	f := &figure{Workload: "cpu", Metric: "time", Backend: "sequential", Unit: "ms"}
	for range r.cfg.Reps {
		start := time.Now()
		for range cpuTasks {
			sink = sumSquares(r.cfg.CPUN)
		}
		f.Samples = append(f.Samples, ms(time.Since(start)))
	}
	r.res.add(f)
	return nil
}

// sink keeps the compiler from dropping the sequential baseline's work.
var sink int64

func (r *runner) cpu(b *backend) error {
	if !b.supports(jobSumSquares) {
		return nil
	}
	seq := r.res.get("cpu", "time", "sequential", "")
	for _, w := range r.cfg.CPUWorkers {
		params := fmt.Sprintf("workers=%d", w)
		t := &figure{Workload: "cpu", Metric: "time", Backend: b.name, Params: params, Unit: "ms"}
		s := &figure{Workload: "cpu", Metric: "speedup", Backend: b.name, Params: params, Unit: "x"}
		p, err := b.start(w)
		if err != nil {
			return err
		}
		for range r.cfg.Reps {
			start := time.Now()
			waits := make([]func() (int64, error), cpuTasks)
			for i := range waits {
				waits[i] = p.submit(job{Kind: jobSumSquares, N: r.cfg.CPUN})
			}
			want := sumSquaresClosed(r.cfg.CPUN)
			for _, wait := range waits {
				v, err := wait()
				if err != nil {
					_ = p.close()
					return err
				}
				if v != want {
					_ = p.close()
					return fmt.Errorf("sum of squares = %d; want %d", v, want)
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

// sumSquaresClosed is sum(i*i for i in range(n)) by formula, wrapping as sumSquares does.
func sumSquaresClosed(n int64) int64 {
	var s int64
	// (n-1)n(2n-1)/6 without overflow trouble: divide first where it divides.
	a, b, c := n-1, n, 2*n-1
	switch {
	case a%6 == 0:
		a /= 6
	case b%6 == 0:
		b /= 6
	case c%6 == 0:
		c /= 6
	default:
		if a%2 == 0 {
			a /= 2
		} else {
			b /= 2
		}
		if a%3 == 0 {
			a /= 3
		} else if b%3 == 0 {
			b /= 3
		} else {
			c /= 3
		}
	}
	s = a * b * c
	return s
}
