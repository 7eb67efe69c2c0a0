package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
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
	progress *progress
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
	format := fs.String("format", "text", "the report on stdout: text (fits 120 columns), wide (a column per backend), markdown, csv or json")
	jsonPath := fs.String("json", "", "write every figure with median and spread to `FILE`")
	plots := fs.String("plots", "", "write PNG and SVG plots to `DIR`")
	out := fs.String("out", "", "resolve relative -json and -plots paths against `DIR` (default: the directory the command was started in, $PWD)")
	showProgress := fs.Bool("progress", true, "report progress on stderr: a bar with the time left on a terminal, a line per workload otherwise")
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
	if err == nil && !slices.Contains(formats, *format) {
		err = fmt.Errorf("-format %q: want one of %s", *format, strings.Join(formats, ", "))
	}
	var base string
	if err == nil {
		base, err = callerDir(*out)
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
	if err := r.runAll(*showProgress); err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	r.res.fillRatios()
	if err := r.writeReport(stdout, *format); err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	if *jsonPath != "" {
		path := resolve(base, *jsonPath)
		err := os.MkdirAll(filepath.Dir(path), 0o755)
		if err == nil {
			err = r.writeJSON(path)
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchmarks:", err)
			return 1
		}
		fmt.Fprintln(stderr, "benchmarks: wrote", path)
	}
	if *plots != "" {
		files, err := r.writePlots(resolve(base, *plots))
		for _, f := range files {
			fmt.Fprintln(stderr, "benchmarks: wrote", f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchmarks:", err)
			return 1
		}
	}
	return 0
}

// callerDir is the directory that relative -json and -plots paths are resolved against:
// out when given (itself resolved the same way), else the directory the command was
// started in. `go run -C benchmarks` changes the working directory before it starts the
// runner but leaves $PWD as the caller's shell set it, so $PWD is that directory; when it
// is unset, or names no directory, the working directory is used.
func callerDir(out string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	base := wd
	if pwd := os.Getenv("PWD"); filepath.IsAbs(pwd) {
		if fi, err := os.Stat(pwd); err == nil && fi.IsDir() {
			base = pwd
		}
	}
	if out == "" {
		return base, nil
	}
	return resolve(base, out), nil
}

// resolve is path, relative to base unless it is absolute.
func resolve(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
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

func (r *runner) runAll(show bool) error {
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
	// Python measures its two columns of every workload in one go: it weighs as much.
	pySteps := 0
	if r.python != "" {
		for _, w := range ws {
			pySteps += rounds(w) * 2
		}
	}
	r.progress = newProgress(r.log, show, steps+pySteps)
	defer r.progress.finish()
	for i, w := range ws {
		r.progress.stage(fmt.Sprintf("%s (%d of %d)", w.name, i+1, len(ws)))
		for round := range rounds(w) {
			if w.before != nil {
				r.progress.describe(w.name + ": baseline")
				if err := w.before(r); err != nil {
					return fmt.Errorf("%s: %w", w.name, err)
				}
			}
			for _, b := range r.backends {
				r.progress.describe(fmt.Sprintf("%-8s %d/%d %s", w.name, round+1, rounds(w), b.name))
				if err := w.run(r, b); err != nil {
					r.note("%s on %s: %v", w.name, b.name, err)
				}
				r.progress.add(1)
			}
		}
	}
	if r.python != "" {
		r.progress.stage("python's concurrent.futures")
		r.progress.describe("python   concurrent.futures")
		if err := r.runPython(context.Background()); err != nil {
			r.note("python: %v", err)
		}
		r.progress.add(pySteps)
	}
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

// runJSON is everything a run measured, as -json and -format json write it.
type runJSON struct {
	Machine machine   `json:"machine"`
	Config  config    `json:"config"`
	Figures []*figure `json:"figures"`
	Notes   []string  `json:"notes"`
}

func (r *runner) jsonBytes() ([]byte, error) {
	b, err := json.MarshalIndent(runJSON{r.machine, r.cfg, r.res.figs, r.notes}, "", "  ")
	return append(b, '\n'), err
}

func (r *runner) writeJSON(path string) error {
	b, err := r.jsonBytes()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
