package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// Pool start-up (New to the first result of a no-op, ProcWorkers workers) and memory
// per worker. A worker process's memory is its private memory (USS: pages no other
// process shares, so not the binary's shared code), read with gopsutil once it is idle
// after a task. A goroutine worker's memory is this process's resident growth while
// MemGoroutines workers each hold a blocked task, divided by their number.

func (r *runner) startup(b *backend) error {
	if !b.supports(jobNoop) {
		return nil
	}
	f := &figure{Workload: "startup", Metric: "first_result", Backend: b.name, Unit: "ms",
		Params: fmt.Sprintf("workers=%d", r.cfg.ProcWorkers)}
	mem := &figure{Workload: "startup", Metric: "memory_per_worker", Backend: b.name, Unit: "KiB"}
	for range r.perCall {
		start := time.Now()
		p, err := b.start(r.cfg.ProcWorkers)
		if err != nil {
			return err
		}
		_, err = p.submit(job{Kind: jobNoop})()
		el := time.Since(start)
		if err == nil && b.processes {
			mem.Text = "private memory (USS) of an idle worker process"
			err = submitAll(p, job{Kind: jobNoop}, 4*r.cfg.ProcWorkers)
			for _, pid := range p.pids() {
				if err != nil {
					break
				}
				var uss uint64
				uss, err = privateMemory(pid)
				mem.Samples = append(mem.Samples, float64(uss)/1024)
			}
		}
		if cerr := p.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		f.Samples = append(f.Samples, ms(el))
	}
	r.res.add(f)
	if !b.processes && b.supports(jobBlock) {
		for range r.perCall {
			kib, err := goroutineMemory(b, r.cfg.MemGoroutines)
			if err != nil {
				return err
			}
			mem.Samples = append(mem.Samples, kib)
		}
		mem.Text = fmt.Sprintf("resident growth of this process per busy worker, %d workers", r.cfg.MemGoroutines)
	}
	if len(mem.Samples) > 0 {
		r.res.add(mem)
	}
	return nil
}

func privateMemory(pid int) (uint64, error) {
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		return 0, err
	}
	// USS is the private pages: smaps' Private_Clean + Private_Dirty (in KiB).
	maps, err := p.MemoryMaps(true)
	if err != nil {
		return 0, err
	}
	if maps == nil || len(*maps) == 0 {
		return 0, fmt.Errorf("no memory maps for pid %d", pid)
	}
	m := (*maps)[0]
	return (m.PrivateClean + m.PrivateDirty) << 10, nil
}

func residentMemory() (uint64, error) {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return 0, err
	}
	m, err := p.MemoryInfo()
	if err != nil {
		return 0, err
	}
	return m.RSS, nil
}

// goroutineMemory returns KiB of resident memory per busy worker of a pool of n.
func goroutineMemory(b *backend, n int) (float64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	before, err := residentMemory()
	if err != nil {
		return 0, err
	}
	blocked.Store(0)
	blocked.release = make(chan struct{})
	p, err := b.start(n)
	if err != nil {
		return 0, err
	}
	waits := make([]func() (any, error), n)
	for i := range waits {
		waits[i] = p.submit(job{Kind: jobBlock})
	}
	deadline := time.Now().Add(10 * time.Second)
	for blocked.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	running := blocked.Load()
	after, err := residentMemory()
	close(blocked.release)
	for _, w := range waits {
		_, _ = w()
	}
	if cerr := p.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if running < int64(n) {
		return 0, fmt.Errorf("only %d of %d workers started", running, n)
	}
	return float64(int64(after)-int64(before)) / float64(n) / 1024, nil
}
