package procpool

import (
	"sync"
	"sync/atomic"

	"github.com/dualpool/dualpool/backend"
)

// job is one task as the pool tracks it.
type job struct {
	t       backend.Task
	input   []byte // the encoded argument
	started bool   // Start was called: it is Running
	retried bool   // it was run again alone after its worker died in a batch
	done    atomic.Bool
}

// unit is one dispatch to a worker: a task, or a Map chunk sent in one frame.
type unit struct {
	jobs []*job
	base uint64       // id of jobs[0] on the worker it went to
	left atomic.Int32 // jobs not yet answered

	mu       sync.Mutex
	stops    []func() bool // ctx watches and kill timers
	finished bool
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

// queue is a FIFO of units that reuses its storage.
type queue struct {
	buf   []*unit
	head  int
	tasks int
}

func (q *queue) len() int { return len(q.buf) - q.head }

func (q *queue) push(u *unit) {
	if q.head > 0 && len(q.buf) == cap(q.buf) && q.head >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, u)
	q.tasks += len(u.jobs)
}

// pushFront puts u at the head: a task that lost its worker goes first.
func (q *queue) pushFront(u *unit) {
	if q.head > 0 {
		q.head--
		q.buf[q.head] = u
	} else {
		q.buf = append([]*unit{u}, q.buf...)
	}
	q.tasks += len(u.jobs)
}

func (q *queue) pop() *unit {
	if q.head == len(q.buf) {
		return nil
	}
	u := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	q.tasks -= len(u.jobs)
	return u
}

func (q *queue) takeAll() []*unit {
	all := append([]*unit(nil), q.buf[q.head:]...)
	clear(q.buf)
	q.buf, q.head, q.tasks = q.buf[:0], 0, 0
	return all
}
