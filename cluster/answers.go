package cluster

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
	"github.com/dualpool/dualpool/ipc"
)

// listen subscribes to the pool's inbox: its answers, the nodes' asks, signs of life and
// refusals, each handled in the order it came on one goroutine of the connection.
func (p *Pool) listen() error {
	handlers := []struct {
		suffix string
		fn     nats.MsgHandler
	}{
		{subjAnswer, p.onAnswer}, {subjAsk, p.onAsk}, {subjAlive, p.onAlive}, {subjRefuse, p.onRefuse},
	}
	for i, h := range handlers {
		s, err := p.nc.Subscribe(p.inbox+h.suffix, p.noted(i, h.fn))
		if err != nil {
			return fmt.Errorf("cluster: subscribing to the pool's inbox: %w", err)
		}
		s.SetPendingLimits(-1, -1)
		p.subs = append(p.subs, s)
	}
	s, err := p.nc.Subscribe(maxDeliveriesSubject(p.cfg.name), p.noted(len(handlers), p.onMaxDeliveries))
	if err != nil {
		return fmt.Errorf("cluster: subscribing to the server's advisories: %w", err)
	}
	p.subs = append(p.subs, s)
	return p.nc.Flush()
}

// noted wraps the handler of subscription i so that it notes its goroutine, once.
func (p *Pool) noted(i int, fn nats.MsgHandler) nats.MsgHandler {
	return func(m *nats.Msg) {
		if p.gids[i].Load() == 0 {
			p.gids[i].Store(goid.Current())
		}
		fn(m)
	}
}

// onOwnGoroutine reports whether the caller runs on one of the goroutines that resolve
// the pool's tasks, in a done callback: there Shutdown cannot wait for answers that only
// this goroutine would handle.
func (p *Pool) onOwnGoroutine() bool {
	id := goid.Current()
	for i := range p.gids {
		if p.gids[i].Load() == id {
			return true
		}
	}
	return false
}

// take takes task id out of the table, if it is there, for its caller to resolve it.
// The first answer of a task wins: a task run twice after a node was lost answers twice.
func (p *Pool) take(id uint64) (*entry, bool) {
	p.mu.Lock()
	e, ok := p.tasks[id]
	var watch func() bool
	if ok {
		delete(p.tasks, id)
		watch = e.watch
		p.checkDrainedLocked()
	}
	p.mu.Unlock()
	if watch != nil {
		watch()
	}
	return e, ok
}

// fail takes task id and fails it with err.
func (p *Pool) fail(id uint64, err error) {
	if e, ok := p.take(id); ok {
		p.failed.Add(uint64(e.size()))
		e.t.Fail(err)
	}
}

func (p *Pool) checkDrainedLocked() {
	if p.closed && len(p.tasks) == 0 {
		select {
		case <-p.drained:
		default:
			close(p.drained)
		}
	}
}

// onAnswer resolves a task with the answer of a node.
func (p *Pool) onAnswer(m *nats.Msg) {
	if len(m.Data) < 5 {
		return
	}
	kind, body := ipc.Kind(m.Data[4]), m.Data[5:]
	codec := p.cfg.codec
	switch kind {
	case ipc.KindResult:
		id, out, err := ipc.DecodeResult(body)
		if err != nil {
			return
		}
		if e, ok := p.take(id); ok {
			p.count(m, e.size(), 0)
			p.completed.Add(1)
			e.t.Finish(func(ptr any) error { return codec.Decode(out, ptr) })
		}
	case ipc.KindFailure:
		f, err := ipc.DecodeFailure(body)
		if err != nil {
			return
		}
		if e, ok := p.take(f.ID); ok {
			p.count(m, e.size(), e.size())
			p.failed.Add(uint64(e.size()))
			e.t.Fail(rebuildError(f, codec))
		}
	case ipc.KindChunkResult:
		id, failed, out, err := ipc.DecodeChunkResult(body)
		if err != nil {
			return
		}
		if e, ok := p.take(id); ok && e.chunk != nil {
			p.count(m, e.size(), len(failed))
			p.failed.Add(uint64(len(failed)))
			p.completed.Add(uint64(e.size() - len(failed)))
			for _, f := range failed {
				e.chunk.FailItem(int(f.ID), rebuildError(f, codec))
			}
			e.t.Finish(func(ptr any) error { return codec.Decode(out, ptr) })
		}
	}
}

// count adds a node's answer to its figures.
func (p *Pool) count(m *nats.Msg, tasks, failures int) {
	host, pid, id := parseNode(m.Header.Get(hdrNode))
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.nodes[id]
	if !ok {
		n = &executor.WorkerStats{PID: pid, Host: host, Started: time.Now()}
		p.nodes[id] = n
	}
	n.TasksDone += uint64(tasks)
	n.Failures += uint64(failures)
}

// onAsk answers a node that is about to start a task: 1 to run it, 0 when it was
// cancelled (it never runs) or is resolved already.
func (p *Pool) onAsk(m *nats.Msg) {
	id, n := binary.Uvarint(m.Data)
	if n <= 0 {
		return
	}
	node := string(m.Data[n:])
	p.mu.Lock()
	e, ok := p.tasks[id]
	first := ok && !e.started
	if first {
		e.started = true
	}
	p.mu.Unlock()
	if first && !e.t.Start() { // cancelled while it was queued: it never runs
		if e, ok := p.take(id); ok {
			p.cancelled.Add(uint64(e.size()))
		}
		m.Respond([]byte{0})
		return
	}
	if !ok {
		m.Respond([]byte{0})
		return
	}
	if err := e.t.Context().Err(); !first && err != nil { // its node was lost and its ctx ended meanwhile
		p.fail(id, fmt.Errorf("cluster: task not run again after its node was lost: %w", err))
		m.Respond([]byte{0})
		return
	}
	p.mu.Lock()
	e.node, e.seen = node, time.Now()
	e.attempts++
	p.mu.Unlock()
	m.Respond([]byte{1})
}

// onAlive notes a sign of life of the node that runs a task.
func (p *Pool) onAlive(m *nats.Msg) {
	id, n := binary.Uvarint(m.Data)
	if n <= 0 {
		return
	}
	p.mu.Lock()
	if e, ok := p.tasks[id]; ok {
		e.seen = time.Now()
	}
	p.mu.Unlock()
}

// onRefuse fails a task that a node refused because it runs other code.
func (p *Pool) onRefuse(m *nats.Msg) {
	id, n := binary.Uvarint(m.Data)
	if n <= 0 {
		return
	}
	host, pid, _ := parseNode(m.Header.Get(hdrNode))
	verr := &VersionError{Node: fmt.Sprintf("%s pid %d", host, pid), Want: p.check, Got: string(m.Data[n:])}
	p.cfg.logger.Error("cluster: a node refused a task: it runs other code", "node", verr.Node, "want", verr.Want, "got", verr.Got)
	p.fail(id, verr)
}

func parseNode(s string) (host string, pid int, id string) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return "?", 0, s
	}
	fmt.Sscan(f[1], &pid)
	return f[0], pid, f[2]
}

// lostError is the error of a task whose nodes were all lost.
func lostError(attempts int, node string) error {
	return fmt.Errorf("cluster: %w: the task was given to %d node(s), the last %s, and none answered", executor.ErrWorkerLost, attempts, node)
}
