package procpool

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/ipc"
)

// Execute implements [executor.Executor]; programs use [executor.Submit]. The argument is
// encoded here, in the caller's goroutine, and when a worker is free the task's frame is
// written from here too. A value the codec cannot encode fails its own Future and
// nothing else.
func (p *Pool) Execute(ctx context.Context, t backend.Task) (err error) {
	if o := p.cfg.telemetry.observer; o != nil {
		t = observe.Wrap(t, o)
		defer func() { observe.Refused([]backend.Task{t}, err) }()
	}
	if err := p.admit(t); err != nil {
		return err
	}
	u := unitOne(t, nil)
	in, err := p.encodeInput(u.small[:0], t)
	if err != nil {
		return p.take(ctx, nil, nil, []failure{{&u.one, err}}, 1)
	}
	u.one.input = in
	return p.take(ctx, u, nil, nil, 1)
}

// ExecuteBatch implements backend.Batcher: the batch goes to one worker in one frame (or
// in as few as the frame limit allows), and its results come back together.
func (p *Pool) ExecuteBatch(ctx context.Context, batch []backend.Task) (err error) {
	if len(batch) == 0 {
		return nil
	}
	if o := p.cfg.telemetry.observer; o != nil {
		batch = observeBatch(batch, o)
		defer func() { observe.Refused(batch, err) }()
	}
	return p.executeBatch(ctx, batch)
}

func (p *Pool) executeBatch(ctx context.Context, batch []backend.Task) error {
	if err := p.admit(batch...); err != nil {
		return err
	}
	units, bad := p.encodeBatch(batch)
	return p.take(ctx, nil, units, bad, len(batch))
}

// ExecuteChunk implements backend.ChunkExecutor: the chunk's arguments are encoded as one
// slice and go to one worker in one frame, and its results come back as one, which costs
// one encoding and one decoding for the whole chunk. A chunk whose arguments do not encode
// together or do not fit a frame, or a pool whose workers do not announce chunks, goes as
// a batch instead, call by call.
func (p *Pool) ExecuteChunk(ctx context.Context, c backend.Chunk) (err error) {
	if o := p.cfg.telemetry.observer; o != nil {
		c = observe.WrapChunk(c, o)
		defer func() { observe.Refused([]backend.Task{c}, err) }()
	}
	if err := p.admit(c); err != nil {
		return err
	}
	p.mu.Lock()
	chunks := p.features&ipc.FeatureChunk != 0
	p.mu.Unlock()
	if !chunks {
		return p.executeBatch(ctx, c.Items())
	}
	u := unitOne(c, c)
	in, err := p.encodeInput(nil, c)
	if err != nil {
		return p.executeBatch(ctx, c.Items())
	}
	u.one.input = in
	return p.take(ctx, u, nil, nil, c.Len())
}

// admit checks what can be checked before anything is encoded.
func (p *Pool) admit(tasks ...backend.Task) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.refuseLocked(); err != nil {
		return err
	}
	name := ""
	for i, t := range tasks {
		if i > 0 && t.Func() == name {
			continue
		}
		if name = t.Func(); !p.names[name] {
			if name == "" {
				return fmt.Errorf("%w: a closure cannot run in a worker process; register the function with executor.Register", executor.ErrUnknownFunc)
			}
			return fmt.Errorf("%w: %q is not registered in the worker binary %s", executor.ErrUnknownFunc, name, p.path)
		}
		if err := p.checkedLocked(name); err != nil {
			return err
		}
	}
	return nil
}

// checkedLocked checks once that the types of function name cross a process unchanged
// with the pool's codec (see Check), and returns what it found every time after.
func (p *Pool) checkedLocked(name string) error {
	err, ok := p.checked[name]
	if !ok {
		err = checkRegistered(name, p.cfg.codec)
		if p.checked == nil {
			p.checked = map[string]error{}
		}
		p.checked[name] = err
	}
	return err
}

// take takes n tasks: the units to run (one, or several), and the tasks that failed to
// encode. It checks once more that the pool accepts them, so that a Shutdown that came
// meanwhile refuses them all (and resolves none), and waits within ctx for room in a
// bounded queue; once they are taken, the bad ones fail.
func (p *Pool) take(ctx context.Context, one *unit, units []*unit, bad []failure, n int) error {
	var buf [1]dispatch
	sends := buf[:0]
	now := p.now()
	place := func(u *unit) {
		for _, j := range u.jobs {
			j.queued = now
		}
		if k := len(p.idle); k > 0 {
			w := p.idle[k-1]
			p.idle = p.idle[:k-1]
			p.assignLocked(w, u)
			sends = append(sends, dispatch{w, u})
		} else {
			p.pushLocked(u)
		}
	}
	p.mu.Lock()
	err := p.refuseLocked()
	if err == nil && (one != nil || len(units) > 0) {
		err = p.admitLocked(ctx)
	}
	if err != nil {
		p.mu.Unlock()
		return err
	}
	p.submitted.Add(uint64(n))
	if one != nil {
		place(one)
	}
	for _, u := range units {
		place(u)
	}
	p.mu.Unlock()
	for _, f := range bad {
		p.failed.Add(uint64(f.j.size()))
		f.j.t.Fail(f.err)
	}
	for _, s := range sends {
		s.w.send(s.u)
	}
	return nil
}

// encodeInput appends t's encoded argument to dst, checking it against the frame limit.
func (p *Pool) encodeInput(dst []byte, t backend.Task) ([]byte, error) {
	in, err := p.cfg.codec.Append(dst, t.Input())
	if err == nil && len(in)-len(dst) > p.cfg.maxFrame-len(t.Func())-taskOverhead {
		err = fmt.Errorf("argument of %d bytes is over the frame limit of %d bytes", len(in)-len(dst), p.cfg.maxFrame)
	}
	if err != nil {
		return nil, fmt.Errorf("procpool: %s: encoding the argument: %w", t.Func(), err)
	}
	return in, nil
}

// taskOverhead bounds what a task adds to a frame beside its name and argument: its id
// and deadline (10 bytes each at most), the lengths of name and argument (5 each), and a
// frame's own header and batch count.
const taskOverhead = 10 + 10 + 5 + 5 + 5 + 5

// encodeBatch encodes the arguments of a batch into one buffer and cuts it into units
// whose frames fit the frame limit. A task whose argument does not encode, or is too big
// for a frame of its own, is returned to fail.
func (p *Pool) encodeBatch(batch []backend.Task) (units []*unit, bad []failure) {
	jobs := make([]job, len(batch))
	refs := make([]*job, len(batch))
	ends := make([]int, len(batch))
	var buf []byte
	for i, t := range batch {
		jobs[i].t = t
		start := len(buf)
		var err error
		if buf, err = p.encodeInput(buf, t); err != nil {
			buf = buf[:start]
			bad = append(bad, failure{&jobs[i], err})
			ends[i] = -1
			continue
		}
		ends[i] = len(buf)
	}
	first, size, start := 0, 0, 0 // the unit being filled: refs[first:k]
	k := 0
	for i := range jobs {
		if ends[i] < 0 {
			continue
		}
		j := &jobs[i]
		j.input = buf[start:ends[i]:ends[i]]
		start = ends[i]
		cost := len(j.input) + len(j.t.Func()) + taskOverhead
		if k > first && size+cost > p.cfg.maxFrame {
			units = append(units, unitOf(refs[first:k:k]...))
			first, size = k, 0
		}
		refs[k] = j
		k++
		size += cost
	}
	if k > first {
		units = append(units, unitOf(refs[first:k:k]...))
	}
	return units, bad
}
