package main

import (
	"time"
)

// Per-task overhead: what a pool adds to a task that does nothing. Two figures:
//   - per_task: submit many no-ops, then wait for all, divided by their number: the
//     cost that bounds a pool's throughput of small tasks (workers = cores);
//   - latency: one no-op submitted to an idle pool and waited for, timed one by one:
//     the round trip a single request pays. Its distribution is plotted.

func (r *runner) overhead(b *backend) error {
	if !b.supports(jobNoop) {
		return nil
	}
	p, err := b.start(cpus)
	if err != nil {
		return err
	}
	defer p.close()
	if err := warm(p, cpus); err != nil {
		return err
	}
	f := &figure{Workload: "overhead", Metric: "per_task", Backend: b.name, Unit: "µs"}
	for range r.perCall {
		d, err := timeOps(r.cfg.OpsTarget, 1<<22, func(n int) error { return submitAll(p, job{Kind: jobNoop}, n) })
		if err != nil {
			return err
		}
		f.Samples = append(f.Samples, us(d))
	}
	r.res.add(f)

	lat := &figure{Workload: "overhead", Metric: "latency", Backend: b.name, Unit: "µs"}
	all := make([]float64, 0, r.cfg.LatSamples*r.perCall)
	for range r.perCall {
		rep := make([]float64, 0, r.cfg.LatSamples)
		for i := range r.cfg.LatSamples {
			start := time.Now()
			if _, err := p.submit(job{Kind: jobNoop, N: int64(i)})(); err != nil {
				return err
			}
			rep = append(rep, us(time.Since(start)))
		}
		all = append(all, rep...)
		m := &figure{Samples: rep}
		m.summarize()
		lat.Samples = append(lat.Samples, m.Median)
	}
	r.res.add(lat)
	r.res.mu.Lock()
	r.res.lat[b.name] = append(r.res.lat[b.name], all...)
	r.res.mu.Unlock()
	return nil
}

// submitAll submits n copies of j, then waits for them all.
func submitAll(p pool, j job, n int) error {
	waits := make([]func() (any, error), n)
	for i := range waits {
		waits[i] = p.submit(j)
	}
	var firstErr error
	for _, w := range waits {
		if _, err := w(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}
