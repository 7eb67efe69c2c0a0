package executor

import "time"

// Stats is a snapshot of an executor's counters, from [Executor.Stats]. The counters
// only grow; Running, Queued and Workers are the figures of the moment.
type Stats struct {
	Submitted uint64 // tasks taken
	Completed uint64 // tasks that returned without an error
	Failed    uint64 // tasks that returned an error, panicked or lost their worker
	Cancelled uint64 // tasks cancelled before they started

	Running int // tasks running now
	Queued  int // tasks waiting for a worker
	Workers int // workers alive: goroutines or processes
	Busy    int // of which running a task now

	// Restarts counts the workers that replaced one that died or was recycled, over the
	// pool's life; a goroutine pool has none.
	Restarts uint64

	// QueueWait and Run are the distributions of the tasks' time in the queue (from
	// Submit to their start) and of their run time, over every task that started and
	// ended (a Map chunk that a process pool sends whole counts once); PerFunc has them
	// per registered function ("" for closures). They stay empty (PerFunc nil) when the
	// backend's timings are turned off.
	QueueWait, Run Histogram
	PerFunc        map[string]FuncStats

	// PerWorker has a backend's own figures per worker; a process pool fills it, a
	// goroutine pool leaves it nil.
	PerWorker []WorkerStats
}

// WorkerStats describes one worker process of a process pool, or one node of a cluster.
type WorkerStats struct {
	PID       int
	Host      string // the machine it runs on, for a cluster's node; "" for a local worker
	Started   time.Time
	TasksDone uint64        // tasks this worker finished
	Failures  uint64        // of those, the ones that failed (a cluster's nodes count them)
	Memory    uint64        // private memory in bytes (USS), 0 if it could not be read
	CPUTime   time.Duration // user plus system CPU time
	Restarts  int           // how many workers this slot had before this one
}
