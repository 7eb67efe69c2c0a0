package main

import (
	"fmt"
	"time"
)

// config is the size of a run. Nothing in it is tuned per backend: every backend gets
// the same workloads, sizes and repetitions.
type config struct {
	Mode string `json:"mode"`
	Reps int    `json:"reps"` // repetitions of each figure

	Unit time.Duration `json:"unit_ns"` // one time unit of tasks A–E (the guide's second)

	MapItems  int           `json:"map_items"`     // most map(square) inputs in one timed call
	MapTarget time.Duration `json:"map_target_ns"` // least length of one timed map call
	Chunk     int           `json:"chunk"`         // the chunked variant's chunk size

	Files       int           `json:"files"`            // downloads per run
	FileSize    int           `json:"file_size"`        // bytes per file
	Latency     time.Duration `json:"latency_ns"`       // injected server latency per request
	FailEvery   int           `json:"fail_every"`       // every FailEvery-th file answers 500
	IOWorkers   []int         `json:"io_workers"`       // worker counts of the throughput curve
	IOTableSize int           `json:"io_table_workers"` // worker count shown in the table

	CPUN       int64 `json:"cpu_n"`       // range(CPUN) per CPU task, Go side: the guide's 10^7
	PyCPUN     int64 `json:"py_cpu_n"`    // the same for Python
	PyCPUReps  int   `json:"py_cpu_reps"` // repetitions of Python's CPU figures (seconds each)
	CPUWorkers []int `json:"cpu_workers"` // worker counts of the CPU curve; the table shows 4

	OpsTarget  time.Duration `json:"ops_target_ns"` // minimum timed length of one overhead sample
	LatSamples int           `json:"latency_samples"`

	MemGoroutines int `json:"mem_goroutines"` // blocked workers for in-process memory per worker
	ProcWorkers   int `json:"proc_workers"`   // workers for start-up and memory of process pools

	DataSize int `json:"data_size"` // bytes passed per task in the data workload

	CrashHealthy int `json:"crash_healthy"` // healthy tasks around the crashing one
}

// cpuTableWorkers is the worker count of the table's CPU figure: the guide's Pool(4).
const cpuTableWorkers = 4

func newConfig(mode string) (config, error) {
	c := config{
		Mode: mode, Chunk: 1024, FileSize: 64 << 10, FailEvery: 10,
		CPUN: 10_000_000, CPUWorkers: []int{1, 2, 4}, ProcWorkers: 2, DataSize: 1 << 20,
		CrashHealthy: 9,
	}
	switch mode {
	case "tiny": // the test's mode: every row, no figure worth reading
		c.Reps, c.Unit = 1, 5*time.Millisecond
		c.MapItems, c.MapTarget = 2000, 5*time.Millisecond
		c.Files, c.Latency, c.IOWorkers, c.IOTableSize = 10, 2*time.Millisecond, []int{1, 4}, 4
		c.CPUN, c.PyCPUN, c.PyCPUReps, c.CPUWorkers = 1_000_000, 20_000, 1, []int{1, 4}
		c.OpsTarget, c.LatSamples, c.MemGoroutines = 5*time.Millisecond, 50, 100
		c.DataSize, c.CrashHealthy = 64<<10, 4
	case "quick":
		c.Reps, c.Unit = 3, 20*time.Millisecond
		c.MapItems, c.MapTarget = 100_000, 100*time.Millisecond
		c.Files, c.Latency, c.IOWorkers, c.IOTableSize = 32, 5*time.Millisecond, []int{1, 4, 16}, 16
		c.PyCPUN, c.PyCPUReps = 500_000, 3
		c.OpsTarget, c.LatSamples, c.MemGoroutines = 30*time.Millisecond, 300, 500
	case "default":
		c.Reps, c.Unit = 5, 100*time.Millisecond
		c.MapItems, c.MapTarget = 1_000_000, 500*time.Millisecond
		c.Files, c.Latency, c.IOWorkers, c.IOTableSize = 64, 10*time.Millisecond, []int{1, 4, 16, 32}, 16
		c.PyCPUN, c.PyCPUReps = 10_000_000, 3
		c.OpsTarget, c.LatSamples, c.MemGoroutines = 200*time.Millisecond, 2000, 1000
	default:
		return c, fmt.Errorf("unknown mode %q", mode)
	}
	return c, nil
}
