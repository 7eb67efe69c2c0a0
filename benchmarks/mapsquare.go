package main

import "fmt"

// map(square) over many small ints: what one item costs when the task itself is
// nothing, with one item per dispatch (Python's default chunksize=1) and with chunks.

func (r *runner) mapSquares(b *backend) error {
	nums := make([]int, r.cfg.MapItems)
	for i := range nums {
		nums[i] = i
	}
	p, err := b.start(cpus)
	if err != nil {
		return err
	}
	defer p.close()
	if err := warm(p, cpus); err != nil {
		return err
	}
	for _, chunk := range []int{1, r.cfg.Chunk} {
		f := &figure{Workload: "map", Metric: "per_item", Backend: b.name, Params: fmt.Sprintf("chunk=%d", chunk), Unit: "µs"}
		for range r.perCall {
			// As many items as fill MapTarget (at most MapItems): chunk 1 on a process
			// pool costs a thousand times what it costs on goroutines.
			d, err := timeOps(r.cfg.MapTarget, len(nums), func(n int) error {
				out, err := p.squares(nums[:n], chunk)
				if err != nil {
					return err
				}
				return checkSquares(nums[:n], out)
			})
			if err == errUnsupported {
				return nil
			}
			if err != nil {
				return err
			}
			f.Samples = append(f.Samples, us(d))
		}
		r.res.add(f)
	}
	return nil
}

func checkSquares(nums, out []int) error {
	if len(out) != len(nums) {
		return fmt.Errorf("map(square) gave %d results for %d inputs", len(out), len(nums))
	}
	for i, n := range nums {
		if out[i] != n*n {
			return fmt.Errorf("map(square)[%d] = %d; want %d", i, out[i], n*n)
		}
	}
	return nil
}
