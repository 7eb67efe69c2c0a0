package cluster

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// entry is one task (or Map chunk) of the pool between its message and its answer.
type entry struct {
	id       uint64
	t        backend.Task
	chunk    backend.Chunk          // t as a chunk, or nil
	pub      jetstream.PubAckFuture // set under the pool's lock
	seq      uint64                 // its stream sequence, once known
	watch    func() bool            // stops the watch of t's ctx
	started  bool                   // a node asked, and t is Running
	node     string                 // the node that asked last
	attempts int                    // how many nodes asked
	seen     time.Time              // the last sign of life of its node
}

// sequenceLocked returns the stream sequence of e's message, 0 while the server has not
// acknowledged it.
func (e *entry) sequenceLocked() uint64 {
	if e.seq == 0 && e.pub != nil {
		select {
		case ack := <-e.pub.Ok():
			e.seq = ack.Sequence
		default:
		}
	}
	return e.seq
}

func (e *entry) size() int {
	if e.chunk != nil {
		return e.chunk.Len()
	}
	return 1
}

// Execute implements [executor.Executor]; programs use [executor.Submit]. The argument is
// encoded in the caller's goroutine and published without waiting for the server's
// acknowledgement, which arrives meanwhile.
func (p *Pool) Execute(ctx context.Context, t backend.Task) error {
	return p.execute(t, nil)
}

// ExecuteChunk implements backend.ChunkExecutor: a Map chunk's arguments go as one
// message to one node, and its results come back as one. A chunk whose arguments do not
// encode together, or whose message would be over the server's maximum payload, goes
// call by call.
func (p *Pool) ExecuteChunk(ctx context.Context, c backend.Chunk) error {
	return p.execute(c, c)
}

func (p *Pool) execute(t backend.Task, c backend.Chunk) error {
	if err := p.admit(t.Func()); err != nil {
		return err
	}
	in, err := p.encode(t)
	if err != nil && c != nil {
		return p.oneByOne(c)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return executor.ErrShutdown
	}
	p.submitted.Add(uint64(sizeOf(c)))
	if err != nil {
		p.mu.Unlock()
		p.failed.Add(1)
		t.Fail(err)
		return nil
	}
	p.nextID++
	e := &entry{id: p.nextID, t: t, chunk: c}
	p.tasks[e.id] = e
	p.mu.Unlock()
	msg := p.message(e.id, t, c, in)
	pub, err := p.js.PublishMsgAsync(msg, jetstream.WithMsgID(p.inbox+"."+strconv.FormatUint(e.id, 10)))
	if err != nil {
		p.fail(e.id, fmt.Errorf("cluster: publishing the task: %w", err))
		return nil
	}
	var watch func() bool
	if ctx := t.Context(); ctx.Done() != nil {
		watch = context.AfterFunc(ctx, func() { p.ctxEnded(e) })
	}
	p.mu.Lock()
	e.pub = pub
	live := p.tasks[e.id] == e
	if live {
		e.watch = watch
	}
	p.mu.Unlock()
	if !live && watch != nil { // answered already: nothing to watch
		watch()
	}
	return nil
}

func sizeOf(c backend.Chunk) int {
	if c != nil {
		return c.Len()
	}
	return 1
}

// onPublishError fails the task whose message the server did not take.
func (p *Pool) onPublishError(_ jetstream.JetStream, m *nats.Msg, err error) {
	id := m.Header.Get(jetstream.MsgIDHeader)
	n, perr := strconv.ParseUint(id[strings.LastIndexByte(id, '.')+1:], 10, 64)
	if perr != nil {
		return
	}
	p.fail(n, fmt.Errorf("cluster: the server did not take the task: %w", err))
}

// oneByOne executes the calls of c as tasks of their own.
func (p *Pool) oneByOne(c backend.Chunk) error {
	items := c.Items()
	for i, t := range items {
		if err := p.execute(t, nil); err != nil {
			if i == 0 {
				return err // none was taken
			}
			for _, rest := range items[i:] {
				rest.Fail(err)
			}
			return nil
		}
	}
	return nil
}

// admit checks what can be checked before anything is encoded.
func (p *Pool) admit(name string) error {
	p.mu.Lock()
	closed := p.closed
	err, checked := p.checked[name]
	p.mu.Unlock()
	switch {
	case closed:
		return executor.ErrShutdown
	case checked:
		return err
	case name == "":
		return fmt.Errorf("%w: a closure cannot run on a node; register the function with executor.Register", executor.ErrUnknownFunc)
	}
	if _, ok := backend.Lookup(name); !ok {
		return fmt.Errorf("%w: %q is not registered in this program", executor.ErrUnknownFunc, name)
	}
	err = procpool.CheckRegistered(name, p.cfg.codec)
	p.mu.Lock()
	p.checked[name] = err // registrations are made at start-up: the answer stays
	p.mu.Unlock()
	return err
}

// encode encodes t's argument (a chunk's arguments as one slice) and checks that its
// message fits the server's maximum payload. An error is the task's own.
func (p *Pool) encode(t backend.Task) ([]byte, error) {
	in, err := p.cfg.codec.Append(nil, t.Input())
	if err != nil {
		return nil, fmt.Errorf("cluster: %s: encoding the argument: %w", t.Func(), err)
	}
	if size, limit := len(in)+len(t.Func())+len(p.inbox)+len(p.check)+msgOverhead, p.nc.MaxPayload(); int64(size) > limit {
		return nil, fmt.Errorf("cluster: %s: a task of %d bytes is over the server's maximum payload of %d bytes", t.Func(), size, limit)
	}
	return in, nil
}

// msgOverhead bounds what a task's message adds to its argument, name, inbox and check:
// the frame's header, id, deadline and lengths, and the headers' names and message id.
const msgOverhead = 256

// message is the message of task id: an ipc Task or Chunk frame (a chunk when c is not
// nil), with the client's inbox and check in its headers.
func (p *Pool) message(id uint64, t backend.Task, c backend.Chunk, in []byte) *nats.Msg {
	it := ipc.Task{ID: id, Func: t.Func(), Input: in}
	if d, ok := t.Context().Deadline(); ok {
		it.Deadline = d.UnixNano()
	}
	buf := make([]byte, 0, len(in)+len(it.Func)+32)
	var data []byte
	if c != nil {
		data = ipc.AppendChunk(buf, it, c.Len())
	} else {
		data = ipc.AppendTask(buf, it)
	}
	msg := &nats.Msg{Subject: taskSubject(p.cfg.name), Data: data, Header: nats.Header{}}
	msg.Header.Set(hdrReply, p.inbox)
	msg.Header.Set(hdrCheck, p.check)
	return msg
}
