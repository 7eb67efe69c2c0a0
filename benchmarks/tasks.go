package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// The guide's first example: tasks A–E sleeping 2, 1, 3, 1, 2 units on 3 workers. The
// ideal makespan is 4 units (C runs 0–3, E starts at 2 when A and D free their workers);
// the completion order is B, then A and D together, then C, then E: "B, A D, C, E".
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
	for range r.perCall {
		makespan, order, err := runTasksAE(b, r.cfg.Unit)
		if err != nil {
			return err
		}
		// One figure per run: results.add merges them, and the text becomes the
		// most common completion order.
		r.res.add(&figure{Workload: "tasks", Metric: "makespan", Backend: b.name, Unit: "units",
			Samples: []float64{makespan}, Text: order})
	}
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
		order []completion
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
			order = append(order, completion{t.name, float64(time.Since(start)) / float64(unit)})
		}()
	}
	wg.Wait()
	makespan := float64(time.Since(start)) / float64(unit)
	if len(errs) > 0 {
		return 0, "", errs[0]
	}
	return makespan, orderText(order), nil
}

type completion struct {
	name string
	at   float64 // in units since the first submit
}

// orderText writes the completion order, with the tasks that finished within a quarter
// unit of each other as one group in name order ("B, A D, C, E"): A and D both end at 2
// units, and which of the two is seen first is chance.
func orderText(cs []completion) string {
	slices.SortStableFunc(cs, func(a, b completion) int { return cmp.Compare(a.at, b.at) })
	var groups [][]string
	last := math.Inf(-1)
	for _, c := range cs {
		if c.at-last > 0.25 || len(groups) == 0 {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c.name)
		last = c.at
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		slices.Sort(g)
		parts[i] = strings.Join(g, " ")
	}
	return strings.Join(parts, ", ")
}
