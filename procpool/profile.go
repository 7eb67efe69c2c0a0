package procpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// ErrNoWorker is matched by the error of [Pool.Profile] for a pid that is not one of the
// pool's live workers.
var ErrNoWorker = errors.New("procpool: no such worker")

// Profile takes a pprof profile of the worker process pid (a PID of [executor.Stats]'s
// PerWorker) and returns it gzipped, as runtime/pprof writes it and `go tool pprof`
// reads it: "cpu" samples the worker for d; "heap", "goroutine", "allocs", "block",
// "mutex", "threadcreate" or any profile the worker's runtime/pprof knows is taken at
// once (d is ignored). The worker answers even while it runs a task: the request goes
// over its pipe, and a pipe worker is woken to read it with SIGUSR2. Profile blocks until
// the profile arrives or ctx ends; it fails with [ErrNoWorker] for an unknown pid, with
// errors.ErrUnsupported for a worker binary that predates profiles, and with the
// worker's reason for a profile it could not take. Only one CPU profile can run in a
// worker at a time. It is safe for concurrent use.
func (p *Pool) Profile(ctx context.Context, pid int, name string, d time.Duration) ([]byte, error) {
	if name == "" || name == "cpu" && d <= 0 {
		return nil, fmt.Errorf("procpool: Profile(%d, %q, %v): want a profile name, and a duration for cpu", pid, name, d)
	}
	w := p.workerOf(pid)
	if w == nil {
		return nil, fmt.Errorf("%w: pid %d", ErrNoWorker, pid)
	}
	if w.tel.features&ipc.FeatureProfile == 0 {
		return nil, fmt.Errorf("procpool: worker %d does not take profiles (an older worker binary): %w", pid, errors.ErrUnsupported)
	}
	id, ch := w.tel.profiles.add()
	defer w.tel.profiles.drop(id)
	req := ipc.ProfileRequest{ID: id, Name: name, Duration: d}
	if err := w.write(func(b []byte) []byte { return ipc.AppendProfileRequest(b, req) }); err != nil {
		return nil, fmt.Errorf("procpool: asking worker %d for a profile: %w", pid, err)
	}
	if _, ok := p.cfg.transport.(pipes); ok {
		if proc := w.proc.Load(); proc != nil {
			nudge(proc)
		}
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("procpool: %s profile of worker %d: %w", name, pid, r.err)
		}
		return r.data, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("procpool: %s profile of worker %d: %w", name, pid, ctx.Err())
	}
}

// workerOf returns the live worker of pid, or nil.
func (p *Pool) workerOf(pid int) *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := range p.workers {
		if w.pid == pid && w.ready && !w.gone {
			return w
		}
	}
	return nil
}

// profiles are the profile requests sent to a worker and not yet answered.
type profiles struct {
	mu     sync.Mutex
	nextID uint64
	wait   map[uint64]chan profileReply
	closed bool
}

type profileReply struct {
	data []byte
	err  error
}

// add makes a request's id and the channel its reply comes on.
func (ps *profiles) add() (uint64, chan profileReply) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.nextID++
	ch := make(chan profileReply, 1)
	if ps.closed {
		ch <- profileReply{err: errors.New("the worker is gone")}
		return ps.nextID, ch
	}
	if ps.wait == nil {
		ps.wait = map[uint64]chan profileReply{}
	}
	ps.wait[ps.nextID] = ch
	return ps.nextID, ch
}

// drop forgets request id.
func (ps *profiles) drop(id uint64) {
	ps.mu.Lock()
	delete(ps.wait, id)
	ps.mu.Unlock()
}

// profiled delivers a worker's Profile frame. A reply to a request that was dropped is
// ignored.
func (w *worker) profiled(body []byte) error {
	r, err := ipc.DecodeProfileReply(body)
	if err != nil {
		return err
	}
	ps := &w.tel.profiles
	ps.mu.Lock()
	ch := ps.wait[r.ID]
	delete(ps.wait, r.ID)
	ps.mu.Unlock()
	if ch == nil {
		return nil
	}
	if r.Err != "" {
		ch <- profileReply{err: errors.New(r.Err)}
	} else {
		ch <- profileReply{data: bytes.Clone(r.Data)}
	}
	return nil
}

// endProfiles fails the requests still waiting once the worker's pipe has ended.
func (w *worker) endProfiles() {
	ps := &w.tel.profiles
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.closed = true
	for id, ch := range ps.wait {
		ch <- profileReply{err: fmt.Errorf("worker %d exited", w.pid)}
		delete(ps.wait, id)
	}
}

// The worker's side.

// profile takes the profile req asks for and writes it to the parent, from a goroutine
// of its own, so that the frames go on being read meanwhile.
func (s *server) profile(req ipc.ProfileRequest) {
	rep := ipc.ProfileReply{ID: req.ID}
	data, err := takeProfile(req.Name, req.Duration)
	if err == nil && len(data)+len(req.Name)+64 > s.maxFrame {
		err = fmt.Errorf("profile of %d bytes is over the frame limit of %d bytes", len(data), s.maxFrame)
	}
	if err != nil {
		rep.Err = err.Error()
	} else {
		rep.Data = data
	}
	if err := s.write(ipc.AppendProfileReply(nil, rep)); err != nil {
		fmt.Fprintf(os.Stderr, "procpool worker: writing a profile: %v\n", err)
	}
}

// takeProfile returns the gzipped pprof profile name: a CPU profile of d, or a snapshot.
func takeProfile(name string, d time.Duration) ([]byte, error) {
	var buf bytes.Buffer
	if name == "cpu" {
		if err := pprof.StartCPUProfile(&buf); err != nil {
			return nil, err
		}
		time.Sleep(d) // the profile's span: the CPU profiler samples meanwhile
		pprof.StopCPUProfile()
		return buf.Bytes(), nil
	}
	prof := pprof.Lookup(name)
	if prof == nil {
		return nil, fmt.Errorf("no profile %q in runtime/pprof", name)
	}
	if err := prof.WriteTo(&buf, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write writes whole frames to the parent, one writer at a time.
func (s *server) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.out.Write(b)
	return err
}
