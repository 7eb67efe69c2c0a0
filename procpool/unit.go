package procpool

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
)

// job is one task as the pool tracks it.
type job struct {
	t       backend.Task
	chunk   backend.Chunk // t as a chunk of calls, or nil for one call
	input   []byte        // the encoded argument, or the chunk's arguments
	started bool          // Start was called: it is Running
	retried bool          // it was run again alone after its worker died in a batch
	queued  int64         // when it was taken, and
	sent    atomic.Int64  // when it was first sent (timing.Now; 0: not timed): read by w's reader
	done    atomic.Bool
}

// unit is one dispatch to a worker: a task, or a Map chunk sent in one frame. A unit of
// one task keeps its job and a short argument inside itself, so that a Submit costs one
// allocation here.
type unit struct {
	jobs []*job
	size int          // calls: a chunk's count as many
	base uint64       // id of jobs[0] on the worker it went to
	left atomic.Int32 // jobs not yet answered
	// when it was queued, under WithQueueTimeout; zero for a unit queued again after its
	// worker died, whose tasks have started once
	queued time.Time

	mu       sync.Mutex
	stops    []func() bool // ctx watches and kill timers
	finished bool

	one    job
	oneRef [1]*job
	small  [32]byte
}

// addStop records a watch to stop when u is finished, or stops it now if u is.
func (u *unit) addStop(stop func() bool) {
	u.mu.Lock()
	if !u.finished {
		u.stops = append(u.stops, stop)
		u.mu.Unlock()
		return
	}
	u.mu.Unlock()
	stop()
}

// finish marks u finished and stops its watches.
func (u *unit) finish() {
	u.mu.Lock()
	u.finished = true
	stops := u.stops
	u.stops = nil
	u.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// size is the number of calls j stands for.
func (j *job) size() int {
	if j.chunk != nil {
		return j.chunk.Len()
	}
	return 1
}

// unitOf returns a unit for the jobs.
func unitOf(jobs ...*job) *unit {
	u := &unit{jobs: jobs}
	for _, j := range jobs {
		u.size += j.size()
	}
	return u
}

// unitOne returns a unit of one task or chunk, with its job inside.
func unitOne(t backend.Task, c backend.Chunk) *unit {
	u := &unit{}
	u.one.t, u.one.chunk = t, c
	u.oneRef[0] = &u.one
	u.jobs = u.oneRef[:]
	u.size = u.one.size()
	return u
}
