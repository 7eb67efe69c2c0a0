package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
	"github.com/dualpool/dualpool/ipc"
)

// ctxEnded handles the end of a task's ctx: a queued task is cancelled and its message
// deleted, so that it never runs; a running one's node is told, and cancels the task's
// ctx there (its process pool kills it after its grace).
func (p *Pool) ctxEnded(e *entry) {
	cause := e.t.Context().Err()
	if e.t.Discard(cause) {
		if _, ok := p.take(e.id); ok {
			p.cancelled.Add(uint64(e.size()))
			p.deleteMsg(e)
		}
		return
	}
	p.mu.Lock()
	node, live := e.node, p.tasks[e.id] == e
	p.mu.Unlock()
	if live && node != "" {
		why := ipc.ErrCancelled
		if errors.Is(cause, context.DeadlineExceeded) {
			why = ipc.ErrDeadline
		}
		p.nc.Publish(nodeSubject(p.cfg.name, node), cancelMessage(p.inbox, e.id, why))
	}
}

// deleteMsg deletes the message of a task that will not run, once the server has
// acknowledged it.
func (p *Pool) deleteMsg(e *entry) {
	p.goDel(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.mu.Lock()
		seq, pub := e.sequenceLocked(), e.pub
		p.mu.Unlock()
		if seq == 0 && pub != nil {
			select {
			case ack := <-pub.Ok():
				seq = ack.Sequence
			case <-pub.Err():
			case <-ctx.Done():
			}
		}
		if seq != 0 {
			p.stream.DeleteMsg(ctx, seq) // gone already when a node took it
		}
	})
}

// goDel runs fn in a goroutine that stop waits for, unless the pool is stopping.
func (p *Pool) goDel(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	p.dels.Add(1)
	go func() {
		defer p.dels.Done()
		fn()
	}()
}

// maxDeliveriesSubject is where the server says that a message of the pool's queue was
// delivered as many times as it may be.
func maxDeliveriesSubject(pool string) string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + streamName(pool) + "." + consumerName
}

// onMaxDeliveries fails the task whose message the server will not deliver again.
func (p *Pool) onMaxDeliveries(m *nats.Msg) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries int    `json:"deliveries"`
	}
	if json.Unmarshal(m.Data, &adv) != nil {
		return
	}
	p.mu.Lock()
	var found *entry
	for _, e := range p.tasks {
		if e.sequenceLocked() == adv.StreamSeq {
			found = e
		}
	}
	p.mu.Unlock()
	if found != nil {
		p.fail(found.id, lostError(adv.Deliveries, found.node))
		p.deleteMsg(found)
	}
}

// watchLost is the client's own check for tasks whose nodes were all lost, for servers
// that send no advisory when no node is left to deliver to: a task given to its last
// node whose node has given no sign of life for two AckWaits fails with ErrWorkerLost.
func (p *Pool) watchLost() {
	defer p.bg.Done()
	p.gids[len(p.gids)-1].Store(goid.Current())
	every := max(p.cfg.ackWait/3, 50*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stopBg:
			return
		case <-t.C:
		}
		var lost []*entry
		p.mu.Lock()
		for _, e := range p.tasks {
			if e.started && e.attempts >= p.cfg.maxAttempts && time.Since(e.seen) > 2*p.cfg.ackWait {
				lost = append(lost, e)
			}
		}
		p.mu.Unlock()
		for _, e := range lost {
			p.cfg.logger.Warn("cluster: a task's nodes were all lost", "attempts", e.attempts, "node", e.node)
			p.fail(e.id, lostError(e.attempts, e.node))
			p.deleteMsg(e)
		}
	}
}

// Shutdown implements [executor.Executor]: it stops accepting tasks and waits for the
// tasks taken to be answered; with [executor.CancelPending] the ones no node has started
// are cancelled and their messages deleted. When ctx ends first, the queued tasks are
// cancelled, the running ones are cancelled on their nodes and fail with an error
// matching ctx's, and ctx's error is returned. Then the pool leaves the server: it stops
// its local node, and the embedded server with its store. Calling it again waits again.
func (p *Pool) Shutdown(ctx context.Context, opts ...executor.ShutdownOption) error {
	cfg := backend.ShutdownOptions(opts...)
	p.mu.Lock()
	p.closed = true
	p.checkDrainedLocked()
	var queued []*entry
	for _, e := range p.tasks {
		if cfg.CancelPending && !e.started {
			queued = append(queued, e)
		}
	}
	p.mu.Unlock()
	p.cancelQueued(queued, executor.ErrShutdown)
	if p.onOwnGoroutine() {
		// In a done callback: the answers still awaited come through this goroutine,
		// once the callback returns. The pool finishes shutting down meanwhile.
		p.goDel(func() {
			p.awaitDrained(ctx)
			go p.teardown.Do(p.stop) // stop waits for this goroutine
		})
		return nil
	}
	err := p.awaitDrained(ctx)
	p.teardown.Do(p.stop)
	return err
}

// awaitDrained waits until every task taken is resolved, or ctx ends: then the ones left
// are cancelled or failed, and ctx's error is returned.
func (p *Pool) awaitDrained(ctx context.Context) error {
	select {
	case <-p.drained:
		return nil
	case <-ctx.Done():
		p.abandon(ctx.Err())
		return fmt.Errorf("cluster: shutdown: %w", ctx.Err())
	}
}

// cancelQueued cancels the tasks of es that have not started.
func (p *Pool) cancelQueued(es []*entry, cause error) {
	for _, e := range es {
		if e.t.Discard(cause) {
			if _, ok := p.take(e.id); ok {
				p.cancelled.Add(uint64(e.size()))
				p.deleteMsg(e)
			}
		}
	}
}

// abandon resolves every task left when Shutdown's ctx ended.
func (p *Pool) abandon(cause error) {
	p.mu.Lock()
	left := make([]*entry, 0, len(p.tasks))
	for _, e := range p.tasks {
		left = append(left, e)
	}
	p.mu.Unlock()
	p.cancelQueued(left, cause)
	for _, e := range left {
		p.mu.Lock()
		node := e.node
		p.mu.Unlock()
		if node != "" {
			p.nc.Publish(nodeSubject(p.cfg.name, node), cancelMessage(p.inbox, e.id, ipc.ErrCancelled))
		}
		p.fail(e.id, fmt.Errorf("cluster: shut down before the task's node answered: %w", cause))
	}
}

// Close shuts the pool down and waits without limit, as Shutdown with no deadline.
func (p *Pool) Close() error { return p.Shutdown(context.Background()) }
