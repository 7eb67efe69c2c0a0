package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// job is a task that a node prepares while it asks its client whether to run it.
type job struct {
	reply   string
	t       ipc.Task
	count   int
	ctx     context.Context
	cancel  context.CancelCauseFunc
	release func()
	nt      *nodeTask
	err     error // the argument did not decode, or the function is not registered here
}

// prepare makes the task's ctx (with its deadline) and decodes its argument.
func (n *node) prepare(reply string, t ipc.Task, count int) *job {
	j := &job{reply: reply, t: t, count: count}
	ctx, cancel := context.WithCancelCause(context.Background())
	j.ctx, j.cancel, j.release = ctx, cancel, func() { cancel(nil) }
	if t.Deadline != 0 {
		var stop context.CancelFunc
		j.ctx, stop = context.WithDeadline(ctx, time.Unix(0, t.Deadline))
		j.release = func() { stop(); cancel(nil) }
	}
	j.nt, j.err = newNodeTask(j.ctx, t, count, n.cfg.codec)
	return j
}

// run runs j in the process pool, keeping msg from being given to another node
// meanwhile, and returns the answer's frame; false when the process pool is shut down
// (the node is stopping) and did not take the task.
func (n *node) run(msg jetstream.Msg, j *job) ([]byte, bool) {
	if j.err != nil {
		return ipc.AppendFailure(nil, codecFailure(j.t.ID, j.err, n.cfg.codec)), true
	}
	key := j.reply + "." + strconv.FormatUint(j.t.ID, 10)
	n.mu.Lock()
	n.running[key] = j.cancel
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.running, key)
		n.mu.Unlock()
	}()
	stopBeat := n.heartbeat(msg, j.reply, j.t.ID)
	defer stopBeat()
	var err error
	if j.count > 0 {
		err = n.pool.ExecuteChunk(j.ctx, j.nt)
	} else {
		err = n.pool.Execute(j.ctx, j.nt)
	}
	switch {
	case errors.Is(err, executor.ErrShutdown):
		return nil, false
	case err != nil:
		return ipc.AppendFailure(nil, wireError(j.t.ID, err, n.cfg.codec)), true
	}
	<-j.nt.done
	if n.killing.Load() { // killed because the node stops: not the task's own failure
		return nil, false
	}
	return j.nt.answer, true
}

// heartbeat tells the server and the client, every third of AckWait, that the task
// still runs, so that a long task is never given to another node for being slow.
func (n *node) heartbeat(msg jetstream.Msg, reply string, id uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(n.ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				msg.InProgress()
				n.publish(reply+subjAlive, binary.AppendUvarint(nil, id), nil)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
