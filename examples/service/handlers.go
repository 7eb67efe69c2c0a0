package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/telemetry/promexec"
)

// maxN is the largest |n| whose square an int holds: floor(sqrt(MaxInt64)).
const maxN = 3_037_000_499

// routes returns the service's handlers. /metrics has a registry of its own, with the
// pool's collector only.
func (s *service) routes() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(promexec.New(s.pool))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /square", s.square)
	mux.HandleFunc("GET /workers", s.workers)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	return mux
}

// square answers /square?n=7 with {"n":7,"square":49,"pid":...}, computed by a worker
// process. When no worker can take the task (the queue is full, or it waited past its
// queue timeout, or the pool is shutting down) the answer is 503 with Retry-After: the
// client may try again, and the pool never piles up more waiters than its queue holds.
func (s *service) square(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < -maxN || n > maxN {
		http.Error(w, "want ?n= an integer of magnitude at most "+strconv.Itoa(maxN), http.StatusBadRequest)
		return
	}
	ctx := r.Context() // ends when the client goes away: a task still queued is withdrawn
	f, err := executor.Submit(ctx, s.pool, square, n)
	var a Answer
	if err == nil {
		a, err = f.Result(ctx)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.served.Add(1)
	writeJSON(w, a)
}

// fail answers a request whose task did not succeed.
func (s *service) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case r.Context().Err() != nil:
		return // the client is gone: nobody reads an answer
	case errors.Is(err, executor.ErrQueueFull), errors.Is(err, executor.ErrQueueTimeout),
		errors.Is(err, executor.ErrShutdown):
		w.Header().Set("Retry-After", "1")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	default:
		s.logger.Error("service: /square failed", "query", r.URL.RawQuery, "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// workerInfo is one worker process in /workers.
type workerInfo struct {
	PID         int       `json:"pid"`
	Started     time.Time `json:"started"`
	TasksDone   uint64    `json:"tasks_done"`
	MemoryBytes uint64    `json:"memory_bytes"`
	CPUSeconds  float64   `json:"cpu_seconds"`
}

// poolInfo is /workers: the pool's workers and what it has done.
type poolInfo struct {
	Workers   int          `json:"workers"` // ready to serve
	Busy      int          `json:"busy"`
	Idle      int          `json:"idle"`
	Queued    int          `json:"queued"`
	Restarts  uint64       `json:"restarts"` // workers started to replace one
	Resets    uint64       `json:"resets"`   // SIGHUP resets done
	Served    uint64       `json:"served"`   // squares answered
	PerWorker []workerInfo `json:"per_worker"`
}

// workers answers /workers with the pool's Stats: its workers, oldest first.
func (s *service) workers(w http.ResponseWriter, _ *http.Request) {
	st := s.pool.Stats()
	info := poolInfo{
		Workers: st.Workers, Busy: st.Busy, Idle: max(st.Workers-st.Busy, 0), Queued: st.Queued,
		Restarts: st.Restarts, Resets: s.resets.Load(), Served: s.served.Load(),
		PerWorker: []workerInfo{},
	}
	for _, ws := range st.PerWorker {
		info.PerWorker = append(info.PerWorker, workerInfo{
			PID: ws.PID, Started: ws.Started, TasksDone: ws.TasksDone,
			MemoryBytes: ws.Memory, CPUSeconds: ws.CPUTime.Seconds(),
		})
	}
	slices.SortFunc(info.PerWorker, func(a, b workerInfo) int { return a.Started.Compare(b.Started) })
	writeJSON(w, info)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) // an error here is the client's connection: nothing to tell
}
