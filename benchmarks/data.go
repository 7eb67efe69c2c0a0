package main

import "fmt"

// The cost of passing data: one task whose argument is DataSize bytes and whose result
// is their length, one at a time. A goroutine pool passes a slice header; a process pool
// copies the bytes through a pipe (and a codec), which is the guide's "Communication:
// Hard (requires IPC)" row in numbers. Reported per MiB.

func (r *runner) passData(b *backend) error {
	if !b.supports(jobEcho) {
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
	data := make([]byte, r.cfg.DataSize)
	for i := range data {
		data[i] = byte(i)
	}
	j := job{Kind: jobEcho, Data: data}
	f := &figure{Workload: "data", Metric: "per_mib", Backend: b.name, Unit: "µs",
		Text: fmt.Sprintf("%d KiB argument per task, µs per MiB", r.cfg.DataSize>>10)}
	perMiB := float64(1<<20) / float64(r.cfg.DataSize)
	for range r.perCall {
		d, err := timeOps(r.cfg.OpsTarget, 1<<20, func(n int) error {
			for range n {
				v, err := p.submit(j)()
				if err != nil {
					return err
				}
				if v != int64(len(data)) {
					return fmt.Errorf("echo returned %d; want %d", v, len(data))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		f.Samples = append(f.Samples, us(d)*perMiB)
	}
	r.res.add(f)
	return nil
}
