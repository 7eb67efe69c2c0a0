package procpool

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/dualpool/dualpool/ipc"
)

// server is the worker side of the protocol. Whichever goroutine reads a task from the
// parent runs it and writes its answer, so that a round trip costs one read and one write
// and no hand-off between goroutines. While a task runs nobody reads the parent's frames,
// unless the task looks at its ctx: then a second goroutine takes over reading, so that a
// Cancel frame reaches the task (see taskCtx.watch). The parent sends a worker its next
// unit only once every task of the current one is answered, so at most one unit is ever
// being run.
type server struct {
	r        *ipc.Reader // read by the goroutine that holds the reader role
	out      io.Writer
	codec    ipc.Codec
	maxFrame int
	exit     chan int // the code serve returns
	recycle  bool     // the parent takes Recycle frames

	wmu sync.Mutex // writes to out: answers, and profiles from their own goroutine
	tel serverTelemetry

	mu      sync.Mutex
	reading bool        // a goroutine holds the reader role, or is about to
	nudged  bool        // a nudge came while the reader role was held: see nudge
	cur     *serverUnit // the unit being run
	spare   *runner     // a runner no goroutine is using
}

// serverUnit is one Task or Batch frame being run.
type serverUnit struct {
	jobs []serverJob // in increasing ID order, as the parent numbers them
}

type serverJob struct {
	ipc.Task
	n      int // the calls of a Chunk frame, or 0 for one task
	ctx    taskCtx
	fields []string // its propagated context, from a Context frame
}

func newServer(in io.Reader, out io.Writer, codec ipc.Codec, maxFrame int) *server {
	return &server{r: ipc.NewReader(in, maxFrame), out: out, codec: codec, maxFrame: maxFrame, exit: make(chan int, 1)}
}

// serveTasks serves the parent's tasks until it says shut down, and returns the exit code.
func (s *server) serveTasks() int {
	s.mu.Lock()
	if !s.reading { // else a nudge came first, and its takeOver started the reader
		s.reading = true
		go s.loop(s.newRunner())
	}
	s.mu.Unlock()
	return <-s.exit
}

// loop holds the reader role: it reads frames, and runs the units it reads. It returns
// when another goroutine took the role over while it ran a unit.
func (s *server) loop(r *runner) {
	var y yielder
	for {
		y.maybe()
		kind, body, err := s.r.Next()
		if err == io.EOF {
			os.Exit(0) // the parent is gone: exit at once, whatever is running
		}
		if err != nil {
			os.Exit(workerFatal("reading from parent: %v", err))
		}
		switch kind {
		case ipc.KindTask, ipc.KindBatch, ipc.KindChunk:
			u, err := s.decodeUnit(kind, body)
			if err != nil {
				os.Exit(workerFatal("reading from parent: %v", err))
			}
			if !s.runUnit(r, u) {
				return
			}
		case ipc.KindCancel:
			id, why, err := ipc.DecodeCancel(body)
			if err != nil {
				os.Exit(workerFatal("reading from parent: %v", err))
			}
			s.cancel(id, why)
		case ipc.KindContext:
			c, err := ipc.DecodeContext(body)
			if err != nil {
				os.Exit(workerFatal("reading from parent: %v", err))
			}
			s.tel.pending = append(s.tel.pending, c)
		case ipc.KindProfile:
			req, err := ipc.DecodeProfileRequest(body)
			if err != nil {
				os.Exit(workerFatal("reading from parent: %v", err))
			}
			go s.profile(req)
		case ipc.KindShutdown:
			s.exit <- 0
			return
		default:
			os.Exit(workerFatal("reading from parent: %v", fmt.Errorf("%w: unexpected %v frame", ipc.ErrCorrupt, kind)))
		}
	}
}

// decodeUnit copies the tasks of a frame out of the reader's buffer.
func (s *server) decodeUnit(kind ipc.Kind, body []byte) (*serverUnit, error) {
	if kind != ipc.KindBatch {
		// A task or a chunk decodes its argument first thing, before it can make
		// another goroutine read the next frame over body: body need not be copied.
		var t ipc.Task
		var n int
		var err error
		if kind == ipc.KindTask {
			t, err = ipc.DecodeTask(body)
		} else {
			t, n, err = ipc.DecodeChunk(body)
		}
		if err != nil {
			return nil, err
		}
		u := &serverUnit{jobs: []serverJob{{Task: t, n: n}}}
		u.jobs[0].ctx.init(s, t.Deadline)
		s.attachContexts(u)
		return u, nil
	}
	body = slices.Clone(body) // its tasks decode their arguments one after another
	u := &serverUnit{jobs: make([]serverJob, 0, ipc.BatchLen(body))}
	err := ipc.DecodeBatch(body, func(t ipc.Task) error {
		u.jobs = append(u.jobs, serverJob{Task: t})
		return nil
	})
	for i := range u.jobs {
		u.jobs[i].ctx.init(s, u.jobs[i].Deadline)
	}
	s.attachContexts(u)
	return u, err
}

// runUnit runs u with the reader role given up, and reports whether this goroutine
// takes the role back (false: another goroutine took it over meanwhile).
func (s *server) runUnit(r *runner, u *serverUnit) bool {
	s.letGo(u)
	r.run(u)
	return s.unitDone(r, u)
}

// letGo gives up the reader role to run u, and hands it on at once when a nudge came
// meanwhile: the frame the nudge was for may be behind u's.
func (s *server) letGo(u *serverUnit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur, s.reading = u, false
	if s.nudged {
		s.nudged = false
		s.takeOverLocked()
	}
}

// unitDone clears u, run by r, and reports whether r's goroutine takes the reader role
// back (false: another goroutine took it over meanwhile, and r is spare).
func (s *server) unitDone(r *runner, u *serverUnit) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == u {
		s.cur = nil
	}
	if s.reading {
		s.spare = r
		return false
	}
	s.reading = true
	return true
}

// takeOver gives the reader role to a new goroutine if nobody holds it: a running task
// looked at its ctx, so Cancel frames must be read while it runs.
func (s *server) takeOver() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.takeOverLocked()
}

// nudge is the parent's request (SIGUSR2) to read a frame while a task runs. When the
// reader role is held, its holder reads the frame, unless it is about to run a unit it
// has just read: so the nudge is kept, and runUnit hands the role on.
func (s *server) nudge() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reading {
		s.nudged = true
		return
	}
	s.takeOverLocked()
}

func (s *server) takeOverLocked() {
	if s.reading {
		return
	}
	s.reading = true
	r := s.spare
	s.spare = nil
	if r == nil {
		r = s.newRunner()
	}
	go s.loop(r)
}

// cancel cancels task id of the unit being run: its ctx if it runs, or the task itself if
// it waits.
func (s *server) cancel(id uint64, why ipc.Reason) {
	s.mu.Lock()
	u := s.cur
	s.mu.Unlock()
	if u == nil {
		return
	}
	i := sort.Search(len(u.jobs), func(i int) bool { return u.jobs[i].ID >= id })
	if i < len(u.jobs) && u.jobs[i].ID == id {
		u.jobs[i].ctx.cancelBy(why)
	}
}
