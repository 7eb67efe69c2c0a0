package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// workload is one of the suite's experiments, run once per backend.
type workload struct {
	name  string // for -only
	title string
	run   func(r *runner, b *backend) error
	// before runs ahead of the backends in each round (a baseline with no pool), may be nil.
	before func(r *runner) error
	// once: a single round, whatever the repetitions (crash isolation counts outcomes).
	once bool
}

func suite() []workload {
	return []workload{
		{name: "tasks", title: "tasks A–E on 3 workers", run: (*runner).tasksAE},
		{name: "overhead", title: "per-task overhead and one-task latency", run: (*runner).overhead},
		{name: "map", title: "map(square), chunk 1 and chunked", run: (*runner).mapSquares},
		{name: "download", title: "downloads from a local server", run: (*runner).download, before: (*runner).startServer},
		{name: "cpu", title: "4 × sum of squares of range(n)", run: (*runner).cpu, before: (*runner).cpuSequential},
		{name: "data", title: "cost of passing data", run: (*runner).passData},
		{name: "startup", title: "pool start-up and memory per worker", run: (*runner).startup},
		{name: "crash", title: "crash isolation", run: (*runner).crash, once: true},
	}
}

type runner struct {
	cfg      config
	only     string
	backends []*backend
	res      *results
	bar      *progressbar.ProgressBar
	log      io.Writer
	tmp      string
	srv      *fileServer
	python   string   // python3's path, "" when absent
	perCall  int      // repetitions a workload takes per call: 1, as rounds interleave
	notes    []string // one line each, printed under the table
	machine  machine
}

// machine is what the JSON says about where the figures were taken.
type machine struct {
	CPUs      int       `json:"cpus"`
	GOMAXPROC int       `json:"gomaxprocs"`
	GoVersion string    `json:"go_version"`
	OS        string    `json:"os"`
	Python    string    `json:"python,omitempty"`
	LoadStart []float64 `json:"load_start,omitempty"`
	LoadEnd   []float64 `json:"load_end,omitempty"`
	Start     time.Time `json:"start"`
	Seconds   float64   `json:"seconds"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a short run: about a minute on 2 cores")
	tiny := fs.Bool("tiny", false, "the test's run: every row, figures not worth reading")
	only := fs.String("only", "", "run one workload `NAME`: "+strings.Join(workloadNames(), ", "))
	jsonPath := fs.String("json", "", "write every figure with median and spread to `FILE`")
	plots := fs.String("plots", "", "write PNG and SVG plots to `DIR`")
	progress := fs.Bool("progress", true, "draw a progress bar on stderr")
	noPython := fs.Bool("no-python", false, "skip Python's executors even when python3 is on PATH")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	mode := "default"
	switch {
	case *tiny:
		mode = "tiny"
	case *quick:
		mode = "quick"
	}
	cfg, err := newConfig(mode)
	if err == nil && *only != "" && !slices.Contains(workloadNames(), *only) {
		err = fmt.Errorf("-only %q: want one of %s", *only, strings.Join(workloadNames(), ", "))
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 2
	}
	r := &runner{cfg: cfg, only: *only, backends: goBackends(), res: &results{lat: map[string][]float64{}}, log: stderr}
	if !*noPython {
		r.python, _ = exec.LookPath("python3")
		if r.python == "" {
			r.note("python3 not on PATH: Python's ThreadPoolExecutor and ProcessPoolExecutor columns skipped")
		}
	} else {
		r.note("-no-python: Python's ThreadPoolExecutor and ProcessPoolExecutor columns skipped")
	}
	if err := r.runAll(*progress); err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	r.res.fillRatios()
	r.printTable(stdout)
	r.printLines(stdout)
	if *jsonPath != "" {
		if err := r.writeJSON(*jsonPath); err != nil {
			fmt.Fprintln(stderr, "benchmarks:", err)
			return 1
		}
	}
	if *plots != "" {
		if err := r.writePlots(*plots); err != nil {
			fmt.Fprintln(stderr, "benchmarks:", err)
			return 1
		}
	}
	return 0
}

func workloadNames() []string {
	var names []string
	for _, w := range suite() {
		names = append(names, w.name)
	}
	return names
}

func (r *runner) selected() []workload {
	var ws []workload
	for _, w := range suite() {
		if r.only == "" || r.only == w.name {
			ws = append(ws, w)
		}
	}
	return ws
}

func (r *runner) runAll(progress bool) error {
	r.machine = machine{CPUs: runtime.NumCPU(), GOMAXPROC: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, LoadStart: loadAvg(), Start: time.Now().UTC()}
	tmp, err := os.MkdirTemp("", "dualpool-bench-")
	if err != nil {
		return err
	}
	r.tmp = tmp
	defer os.RemoveAll(tmp)
	defer r.stopServer()

	// Each workload runs in rounds, one repetition of every backend per round, so that
	// a drift in the machine's load touches every column alike.
	ws := r.selected()
	r.perCall = 1
	rounds := func(w workload) int {
		if w.once {
			return 1
		}
		return r.cfg.Reps
	}
	steps := 0
	for _, w := range ws {
		steps += rounds(w) * len(r.backends)
	}
	if r.python != "" {
		steps++
	}
	r.bar = progressbar.NewOptions(steps, progressbar.OptionSetWriter(r.log), progressbar.OptionSetVisibility(progress),
		progressbar.OptionShowCount(), progressbar.OptionSetWidth(24), progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(false), progressbar.OptionShowElapsedTimeOnFinish())
	for _, w := range ws {
		for round := range rounds(w) {
			if w.before != nil {
				r.bar.Describe(w.name + ": baseline")
				if err := w.before(r); err != nil {
					return fmt.Errorf("%s: %w", w.name, err)
				}
			}
			for _, b := range r.backends {
				r.bar.Describe(fmt.Sprintf("%-8s %d/%d %s", w.name, round+1, rounds(w), b.name))
				if err := w.run(r, b); err != nil {
					r.note("%s on %s: %v", w.name, b.name, err)
				}
				_ = r.bar.Add(1)
			}
		}
	}
	if r.python != "" {
		r.bar.Describe("python   concurrent.futures")
		if err := r.runPython(context.Background()); err != nil {
			r.note("python: %v", err)
		}
		_ = r.bar.Add(1)
	}
	_ = r.bar.Finish()
	r.machine.LoadEnd = loadAvg()
	r.machine.Seconds = time.Since(r.machine.Start).Seconds()
	return nil
}

func (r *runner) note(format string, args ...any) {
	if n := fmt.Sprintf(format, args...); !slices.Contains(r.notes, n) {
		r.notes = append(r.notes, n)
	}
}

// loadAvg reads the 1, 5 and 15 minute load averages (Linux), or nil.
func loadAvg() []float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	var l [3]float64
	if _, err := fmt.Sscanf(string(b), "%f %f %f", &l[0], &l[1], &l[2]); err != nil {
		return nil
	}
	return l[:]
}

func (r *runner) writeJSON(path string) error {
	out := struct {
		Machine machine   `json:"machine"`
		Config  config    `json:"config"`
		Figures []*figure `json:"figures"`
		Notes   []string  `json:"notes"`
	}{r.machine, r.cfg, r.res.figs, r.notes}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
