package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The pool's bounds, and how many clients load it at once: twice its most workers, so
// that requests wait and the pool grows.
const (
	minWorkers = 1
	maxWorkers = 4
	clients    = 2 * maxWorkers
)

// TestService runs the service as an operator would, loads it, resets its workers with
// SIGHUP in the middle of the load, and stops it with SIGTERM: no request may fail, every
// worker must be new after the reset, /metrics must count every square served, and the
// pool must grow under the load and shrink after it.
func TestService(t *testing.T) {
	bin := exampletest.Build(t)
	p := exampletest.Start(t, bin, "-addr", "127.0.0.1:0", "-min-workers", strconv.Itoa(minWorkers),
		"-workers", strconv.Itoa(maxWorkers), "-idle-ttl", "1s")
	base := p.Await(`^serving (http://127\.0\.0\.1:\d+) \(pid \d+\)`)[1]
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	if got := workers(t, client, base).Workers; got != minWorkers {
		t.Errorf("before any request, /workers lists %d workers; want the minimum, %d", got, minWorkers)
	}

	asked := checkRequests(t, client, base)

	l := startLoad(client, base)
	defer l.stop()
	l.await(t, 300)
	// The reset starts from a full pool, so that it must keep serving on n-1 workers.
	before := awaitWorkers(t, client, base, maxWorkers)
	if before.Resets != 0 {
		t.Fatalf("before SIGHUP, /workers = %+v; want no reset done", before)
	}
	servedAtSignal := l.count()
	p.Signal(syscall.SIGHUP)
	p.Await(`msg="service: reset done"`)
	servedDuringReset := l.count() - servedAtSignal
	after := workers(t, client, base)
	l.await(t, l.count()+300) // the new workers serve

	served, failures := l.stop()
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed under load and reset; the first: %s", len(failures), served+len(failures), failures[0])
	}
	if servedDuringReset == 0 {
		t.Errorf("no request was served while the reset ran: it was not a reset under load")
	}
	t.Logf("%d squares served by %d clients; %d while the reset ran; workers %v before it, %v after",
		served, clients, servedDuringReset, pids(before), pids(after))
	checkRenewed(t, before, after)
	checkMetrics(t, client, base, served+asked)
	awaitWorkers(t, client, base, minWorkers) // idle for -idle-ttl, the pool shrinks

	p.Signal(syscall.SIGTERM)
	out := p.Wait() // and checks that no worker outlives the service
	if out.Err != nil {
		t.Fatalf("after SIGTERM the service ended with %v; want exit status 0\nstderr:\n%s", out.Err, out.Stderr)
	}
	if want := fmt.Sprintf(`msg="service: stopped" served=%d`, served+asked); !strings.Contains(out.Stderr, want) {
		t.Errorf("the service's log lacks %q:\n%s", want, out.Stderr)
	}
}

// checkRequests checks the answers to requests that are not the load's: a negative n, and
// the ones the service refuses. It returns how many squares it was served.
func checkRequests(t *testing.T, client *http.Client, base string) (served int) {
	t.Helper()
	if err := ask(client, base, -3); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/square?n=seven", http.StatusBadRequest},
		{"GET", "/square", http.StatusBadRequest},
		{"GET", "/square?n=3037000500", http.StatusBadRequest}, // its square overflows an int
		{"POST", "/square?n=7", http.StatusMethodNotAllowed},
		{"GET", "/nothing", http.StatusNotFound},
	} {
		req, err := http.NewRequest(tt.method, base+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %s; want %d", tt.method, tt.path, resp.Status, tt.status)
		}
	}
	return 1
}

// checkRenewed checks that the reset replaced every worker: none of those alive before it
// is alive after it, and the pool counts it.
func checkRenewed(t *testing.T, before, after poolInfo) {
	t.Helper()
	if len(after.PerWorker) == 0 {
		t.Fatalf("after the reset, /workers lists no worker: %+v", after)
	}
	old := map[int]bool{}
	for _, w := range before.PerWorker {
		old[w.PID] = true
	}
	for _, w := range after.PerWorker {
		if old[w.PID] {
			t.Errorf("worker %d was alive before the reset and still is: before %v, after %v", w.PID, pids(before), pids(after))
		}
	}
	if after.Resets != 1 {
		t.Errorf("after one SIGHUP, /workers says %d resets; want 1", after.Resets)
	}
	if after.Restarts < uint64(len(before.PerWorker)) {
		t.Errorf("after the reset, restarts = %d; want at least the %d workers replaced", after.Restarts, len(before.PerWorker))
	}
}

// checkMetrics scrapes /metrics as Prometheus would and checks that the square function's
// run-time histogram counts every square served, and that no task failed.
func checkMetrics(t *testing.T, client *http.Client, base string, served int) {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	run := series(t, fams, "dualpool_task_run_seconds", "func", "service.square")
	if got := run.GetHistogram().GetSampleCount(); got != uint64(served) {
		t.Errorf("dualpool_task_run_seconds_count{func=\"service.square\"} = %d; want the %d squares served", got, served)
	}
	for outcome, want := range map[string]int{"completed": served, "failed": 0, "cancelled": 0} {
		m := series(t, fams, "dualpool_tasks_total", "outcome", outcome)
		if got := m.GetCounter().GetValue(); got != float64(want) {
			t.Errorf("dualpool_tasks_total{outcome=%q} = %v; want %d", outcome, got, want)
		}
	}
}

// series returns the series of family name whose label has value.
func series(t *testing.T, fams map[string]*dto.MetricFamily, name, label, value string) *dto.Metric {
	t.Helper()
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				return m
			}
		}
	}
	t.Fatalf("/metrics has no %s{%s=%q}", name, label, value)
	return nil
}

// workers returns /workers.
func workers(t *testing.T, client *http.Client, base string) poolInfo {
	t.Helper()
	resp, err := client.Get(base + "/workers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info poolInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("GET /workers: %s: %v", resp.Status, err)
	}
	return info
}

// awaitWorkers waits until /workers lists n workers, and returns it. The pool's size is
// only seen by asking: it polls.
func awaitWorkers(t *testing.T, client *http.Client, base string, n int) poolInfo {
	t.Helper()
	deadline := time.Now().Add(exampletest.RunTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		info := workers(t, client, base)
		if info.Workers == n {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("/workers lists %d workers after %v; want %d", info.Workers, exampletest.RunTimeout, n)
		}
		<-tick.C
	}
}

func pids(info poolInfo) []int {
	var out []int
	for _, w := range info.PerWorker {
		out = append(out, w.PID)
	}
	slices.Sort(out)
	return out
}

// load is clients asking for squares in a loop until stopped, each checking its answers.
type load struct {
	done chan struct{} // closed by stop
	wg   sync.WaitGroup

	mu       sync.Mutex
	served   int
	failures []string
	changed  chan struct{} // closed and replaced at each answer
}

func startLoad(client *http.Client, base string) *load {
	l := &load{done: make(chan struct{}), changed: make(chan struct{})}
	for c := range clients {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-l.done:
					return
				default:
				}
				l.record(ask(client, base, c*1_000_000+i))
			}
		})
	}
	return l
}

// ask asks the service for n's square and checks the answer.
func ask(client *http.Client, base string, n int) error {
	resp, err := client.Get(fmt.Sprintf("%s/square?n=%d", base, n))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /square?n=%d: %s", n, resp.Status)
	}
	var a Answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return fmt.Errorf("GET /square?n=%d: %v", n, err)
	}
	if a.N != n || a.Square != n*n || a.PID <= 0 {
		return fmt.Errorf("GET /square?n=%d = %+v; want square %d from a worker's pid", n, a, n*n)
	}
	return nil
}

func (l *load) record(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failures = append(l.failures, err.Error())
	} else {
		l.served++
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *load) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.served
}

// await waits until n requests have been served, and fails t at the first failed one.
func (l *load) await(t *testing.T, n int) {
	t.Helper()
	timeout := time.NewTimer(exampletest.RunTimeout)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		served, failures, changed := l.served, l.failures, l.changed
		l.mu.Unlock()
		switch {
		case len(failures) > 0:
			t.Fatalf("a request failed after %d were served: %s", served, failures[0])
		case served >= n:
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("%d of %d requests served within %v", served, n, exampletest.RunTimeout)
		}
	}
}

// stop stops the clients, waits for them, and returns what they saw. It may be called
// more than once.
func (l *load) stop() (served int, failures []string) {
	l.mu.Lock()
	select {
	case <-l.done:
	default:
		close(l.done)
	}
	l.mu.Unlock()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.served, l.failures
}
