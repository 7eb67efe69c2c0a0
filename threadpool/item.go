package threadpool

import (
	"github.com/dualpool/dualpool/backend"
)

// item is one entry of the pool's queue: a task, or a batch from Map's Chunk.
type item struct {
	task   backend.Task
	batch  *[]backend.Task // a pointer keeps the item, copied in and out of the queue, small
	queued int64           // when it was taken (timing.Now), if it is timed or may time out; else 0
	weight uint32          // the tasks that each of its tasks stands for in the timings; 0: untimed
}

// isExit reports whether it is the empty item that tells an idle worker to exit (a
// shrinking Resize sends it).
func (it item) isExit() bool { return it.task == nil && it.batch == nil }

// size is the number of tasks in it: the queue's weight of it.
func (it item) size() int {
	if it.task != nil {
		return 1
	}
	return len(*it.batch)
}

// tasks returns the tasks of it, in order.
func (it item) tasks() []backend.Task {
	if it.task != nil {
		return []backend.Task{it.task}
	}
	return *it.batch
}
