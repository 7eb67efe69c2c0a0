package cluster

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// nodeTask is a task of a client as a node's process pool runs it: its argument decoded
// from the message (a chunk's as one slice), and its answer encoded into the frame that
// goes back to the client. It is a backend.Task, and a backend.Chunk for a chunk.
type nodeTask struct {
	ctx   context.Context
	id    uint64
	fn    string
	n     int // the calls of a chunk; 0 for one task
	reg   backend.Registered
	in    reflect.Value // *In, or *[]In for a chunk
	codec ipc.Codec

	state  atomic.Int32 // 0 pending, 1 started
	answer []byte       // the answer's frame, set before done is closed
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	failed   []ipc.Error // a chunk's failed calls
	out      reflect.Value
	itemLeft int // a chunk run call by call: calls not yet resolved
}

func newNodeTask(ctx context.Context, t ipc.Task, n int, codec ipc.Codec) (*nodeTask, error) {
	reg, ok := backend.Lookup(t.Func)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not registered on this node", executor.ErrUnknownFunc, t.Func)
	}
	typ := reg.In()
	if n > 0 {
		typ = reflect.SliceOf(typ)
	}
	in := reflect.New(typ)
	if err := codec.Decode(t.Input, in.Interface()); err != nil {
		return nil, fmt.Errorf("decoding the argument: %w", err)
	}
	if n > 0 && in.Elem().Len() != n {
		return nil, fmt.Errorf("decoding the argument: %d calls for a chunk of %d", in.Elem().Len(), n)
	}
	return &nodeTask{ctx: ctx, id: t.ID, fn: t.Func, n: n, reg: reg, in: in, codec: codec, done: make(chan struct{})}, nil
}

func (t *nodeTask) Context() context.Context { return t.ctx }
func (t *nodeTask) Func() string             { return t.fn }
func (t *nodeTask) Input() any               { return t.in.Interface() }
func (t *nodeTask) Start() bool              { return t.state.CompareAndSwap(0, 1) }
func (t *nodeTask) Len() int                 { return t.n }

// Run is never called: a node's tasks run in its process pool.
func (t *nodeTask) Run(func(error)) {
	t.Fail(errors.New("cluster: a node's task cannot run in the node"))
}

func (t *nodeTask) Finish(decode func(out any) error) {
	typ := t.reg.Out()
	if t.n > 0 {
		typ = reflect.SliceOf(typ)
	}
	out := reflect.New(typ)
	if err := decode(out.Interface()); err != nil {
		t.Fail(err)
		return
	}
	t.finishWith(out)
}

// finishWith encodes the result out (a chunk's results with its failed calls).
func (t *nodeTask) finishWith(out reflect.Value) {
	var b []byte
	var start int
	if t.n > 0 {
		t.mu.Lock()
		b, start = ipc.BeginChunkResult(nil, t.id, t.failed)
		t.mu.Unlock()
	} else {
		b, start = ipc.BeginResult(nil, t.id)
	}
	b, err := t.codec.Append(b, out.Interface())
	if err != nil {
		t.Fail(fmt.Errorf("encoding the result: %w", err))
		return
	}
	t.resolve(ipc.EndFrame(b, start))
}

func (t *nodeTask) Fail(err error) {
	t.resolve(ipc.AppendFailure(nil, wireError(t.id, err, t.codec)))
}

func (t *nodeTask) Discard(cause error) bool {
	if !t.state.CompareAndSwap(0, 1) {
		return false
	}
	t.Fail(cause)
	return true
}

// resolve sets the answer, once.
func (t *nodeTask) resolve(answer []byte) {
	t.state.Store(1)
	t.once.Do(func() {
		t.answer = answer
		close(t.done)
	})
}

func (t *nodeTask) FailItem(i int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = append(t.failed, wireError(uint64(i), err, t.codec))
}

// Items returns the calls of a chunk as tasks of their own, whose results gather into
// the chunk's: its answer is sent once all are resolved.
func (t *nodeTask) Items() []backend.Task {
	t.mu.Lock()
	t.out = reflect.New(reflect.SliceOf(t.reg.Out()))
	t.out.Elem().Set(reflect.MakeSlice(t.out.Elem().Type(), t.n, t.n))
	t.itemLeft = t.n
	t.mu.Unlock()
	items := make([]backend.Task, t.n)
	for i := range items {
		items[i] = &itemTask{chunk: t, i: i}
	}
	return items
}

// itemDone counts a call of a chunk run call by call as resolved.
func (t *nodeTask) itemDone() {
	t.mu.Lock()
	t.itemLeft--
	last := t.itemLeft == 0
	t.mu.Unlock()
	if last {
		t.finishWith(t.out)
	}
}

// itemTask is call i of a chunk run alone.
type itemTask struct {
	chunk *nodeTask
	i     int
	state atomic.Int32
}

func (t *itemTask) Context() context.Context { return t.chunk.ctx }
func (t *itemTask) Func() string             { return t.chunk.fn }
func (t *itemTask) Input() any               { return t.chunk.in.Elem().Index(t.i).Addr().Interface() }
func (t *itemTask) Start() bool              { return t.state.CompareAndSwap(0, 1) }
func (t *itemTask) Run(func(error)) {
	t.Fail(errors.New("cluster: a node's task cannot run in the node"))
}

func (t *itemTask) Finish(decode func(out any) error) {
	if !t.once() {
		return
	}
	if err := decode(t.chunk.out.Elem().Index(t.i).Addr().Interface()); err != nil {
		t.chunk.FailItem(t.i, err)
	}
	t.chunk.itemDone()
}

func (t *itemTask) Fail(err error) {
	if !t.once() {
		return
	}
	t.chunk.FailItem(t.i, err)
	t.chunk.itemDone()
}

func (t *itemTask) Discard(cause error) bool {
	if !t.state.CompareAndSwap(0, 1) {
		return false
	}
	t.Fail(cause)
	return true
}

func (t *itemTask) once() bool {
	for {
		s := t.state.Load()
		if s == 2 {
			return false
		}
		if t.state.CompareAndSwap(s, 2) {
			return true
		}
	}
}
