package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// The guide's first example: tasks A–E sleeping 2, 1, 3, 1, 2 units on 3 workers. The
// ideal makespan is 4 units (C runs 0–3, E starts at 2 when A and D free their workers);
// the completion order is B, then A and D together, then C, then E.
var tasksAEList = []struct {
	name  string
	units int
}{{"A", 2}, {"B", 1}, {"C", 3}, {"D", 1}, {"E", 2}}

const (
	tasksAEWorkers = 3
	tasksAEIdeal   = 4
)

func (r *runner) tasksAE(b *backend) error {
	if !b.supports(jobSleep) {
		return nil
	}
	f := &figure{Workload: "tasks", Metric: "makespan", Backend: b.name, Unit: "units"}
	orders := map[string]int{}
	for range r.cfg.Reps {
		makespan, order, err := runTasksAE(b, r.cfg.Unit)
		if err != nil {
			return err
		}
		f.Samples = append(f.Samples, makespan)
		orders[order]++
	}
	f.Text = mostCommon(orders)
	r.res.add(f)
	return nil
}

// runTasksAE returns the makespan in units and the completion order.
func runTasksAE(b *backend, unit time.Duration) (float64, string, error) {
	p, err := b.start(tasksAEWorkers)
	if err != nil {
		return 0, "", err
	}
	defer p.close()
	if err := warm(p, tasksAEWorkers); err != nil {
		return 0, "", err
	}
	var (
		mu    sync.Mutex
		order []string
		errs  []error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for _, t := range tasksAEList {
		wait := p.submit(job{Kind: jobSleep, N: int64(t.units) * int64(unit)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := wait()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("task %s: %w", t.name, err))
			}
			order = append(order, t.name)
		}()
	}
	wg.Wait()
	makespan := float64(time.Since(start)) / float64(unit)
	if len(errs) > 0 {
		return 0, "", errs[0]
	}
	return makespan, strings.Join(order, " "), nil
}

// mostCommon returns the key seen most often, with its share when not unanimous.
func mostCommon(counts map[string]int) string {
	best, n, total := "", 0, 0
	for k, c := range counts {
		total += c
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	if n < total {
		return fmt.Sprintf("%s (%d of %d runs)", best, n, total)
	}
	return best
}
