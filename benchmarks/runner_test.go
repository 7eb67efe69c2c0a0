package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dualpool/dualpool/cluster"
)

func TestMain(m *testing.M) {
	// The runner re-executes its binary as its process-side workers; in a test that
	// binary is the test binary.
	cluster.ServeIfWorker()
	serveRole()
	os.Exit(m.Run())
}

// TestTinyRun runs the whole suite in its tiny mode and checks that the report fits 120
// columns and gives every row of the summary a figure, that the JSON carries every
// workload, and that the plots are written. It checks no timing: the figures of a tiny
// run are not worth reading. The other formats are drawn from the same run's JSON.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "out.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-tiny", "-progress=false", "-json", jsonPath, "-plots", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run = %d; want 0\nstderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	t.Log(out)

	for i, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 120 {
			t.Errorf("line %d is %d columns wide; want at most 120:\n%s", i+1, n, l)
		}
	}
	r := &runner{cfg: mustConfig(t, "tiny")}
	for _, ms := range [][]measure{r.costMeasures(), r.useMeasures()} {
		for _, m := range ms {
			if !strings.Contains(out, m.header) {
				t.Errorf("report has no column %q", m.header)
			}
		}
	}
	for _, col := range []string{"threadpool", "procpool", "ants", "pond", "errgroup", "go-plugin", "pipe"} {
		if line := lineWith(out, "  "+col+" "); line == "" {
			t.Errorf("report has no row for %s", col)
		}
	}
	// threadpool measures everything: none of its summary cells is empty.
	if line := lineWith(out, "  threadpool "); strings.Contains(line, "—") {
		t.Errorf("threadpool's summary row lacks a figure: %q", line)
	}
	if strings.Contains(out, "note: ") {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "note: ") && !strings.Contains(l, "not on PATH") {
				t.Errorf("unexpected %s", l)
			}
		}
	}
	for _, f := range []string{jsonPath, filepath.Join(dir, "latency.png")} {
		if !strings.Contains(stderr.String(), "benchmarks: wrote "+f+"\n") {
			t.Errorf("stderr does not say it wrote %s:\n%s", f, stderr.String())
		}
	}

	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var got runJSON
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if got.Machine.CPUs == 0 || got.Machine.GoVersion == "" {
		t.Errorf("JSON machine = %+v; want CPUs and Go version", got.Machine)
	}
	seen := map[string]bool{}
	for _, f := range got.Figures {
		seen[f.Workload] = true
	}
	for _, w := range suite() {
		if !seen[w.name] {
			t.Errorf("JSON has no figure for workload %q", w.name)
		}
	}
	for _, name := range []string{"download-throughput", "cpu-speedup", "latency"} {
		for _, ext := range []string{".png", ".svg"} {
			if _, err := os.Stat(filepath.Join(dir, name+ext)); err != nil {
				t.Errorf("plot: %v", err)
			}
		}
	}
	checkFormats(t, got)
}

// checkFormats writes the run in every other format and checks the shape of each.
func checkFormats(t *testing.T, got runJSON) {
	t.Helper()
	r := &runner{cfg: got.Config, backends: goBackends(), res: &results{figs: got.Figures}, machine: got.Machine}
	write := func(format string) string {
		var b bytes.Buffer
		if err := r.writeReport(&b, format); err != nil {
			t.Fatalf("-format %s: %v", format, err)
		}
		return b.String()
	}
	// wide: a column per backend, in one header line.
	if wide := write("wide"); !strings.Contains(lineWith(wide, "dualpool tiny run"), "| py-procs") {
		t.Errorf("-format wide has no column per backend:\n%s", wide)
	}
	if md := write("markdown"); !strings.Contains(md, "| backend | per-task overhead |") || !strings.Contains(md, "| threadpool |") {
		t.Errorf("-format markdown has no summary table:\n%s", md)
	}
	recs, err := csv.NewReader(strings.NewReader(write("csv"))).ReadAll()
	if err != nil || len(recs) != len(got.Figures)+1 || recs[0][0] != "workload" {
		t.Errorf("-format csv: %d records, %v; want a header and %d figures", len(recs), err, len(got.Figures))
	}
	var again runJSON
	if err := json.Unmarshal([]byte(write("json")), &again); err != nil || len(again.Figures) != len(got.Figures) {
		t.Errorf("-format json: %d figures, %v; want %d", len(again.Figures), err, len(got.Figures))
	}
}

// TestUseCase checks the derived use case against figures on both sides of each bar,
// and that figures near the old 75%-of-the-best band (ants at 1.50× beside pond at
// 1.85×, Python threads at 651 files/s beside ants at 1045) keep their label.
func TestUseCase(t *testing.T) {
	r := &runner{cfg: mustConfig(t, "quick"), backends: goBackends(), res: &results{}, machine: machine{CPUs: 2}}
	add := func(workload, metric, col, params string, v float64, text string) {
		r.res.add(&figure{Workload: workload, Metric: metric, Backend: col, Params: params, Samples: []float64{v}, Text: text})
	}
	tests := []struct {
		col          string
		speedup      float64 // at 4 workers, on 2 cores: the gain is speedup − 1
		one, sixteen float64 // files/s at 1 and 16 workers
		crash        string
		want         string
	}{
		{"threadpool", 1.83, 87.5, 1036, "0/9 ok, then the program died", "I/O, CPU"},
		{"ants", 1.50, 87.8, 1045, "0/9 ok, then the program died", "I/O, CPU"},
		{"procpool", 1.53, 82.6, 882, "9/9 ok; then 3/3 ok: serves", "I/O, CPU, isolation"},
		{"py-threads", 1.05, 76.8, 651, "1/9 ok, then the program died", "I/O"},
		{"pond", 1.20, 87.5, 300, "0/9 ok, then the program died", "—"},
		{"errgroup", 1.17, 87.5, 1036, "0/9 ok, then the program died", "I/O, CPU"}, // 2 workers: 1.62×
	}
	add("cpu", "speedup", "errgroup", "workers=2", 1.62, "") // 4 workers on 2 cores was a noisy 1.17×
	for _, tt := range tests {
		add("cpu", "speedup", tt.col, "workers=4", tt.speedup, "")
		add("download", "throughput", tt.col, "workers=1", tt.one, "")
		add("download", "throughput", tt.col, "workers=16", tt.sixteen, "")
		ok := 0.0
		if strings.HasSuffix(tt.crash, "serves") {
			ok = 1
		}
		add("crash", "kill", tt.col, "", ok, tt.crash)
	}
	for _, tt := range tests {
		if got := r.useCase(tt.col); got != tt.want {
			t.Errorf("useCase(%s) = %q; want %q", tt.col, got, tt.want)
		}
	}
}

// TestCallerDir checks that relative paths are resolved against the directory the
// command was started in ($PWD, which go run -C leaves alone), or -out.
func TestCallerDir(t *testing.T) {
	caller := t.TempDir()
	t.Setenv("PWD", caller)
	tests := []struct{ out, path, want string }{
		{"", "docs", filepath.Join(caller, "docs")},
		{"", "/abs/run.json", "/abs/run.json"},
		{"sub", "x.json", filepath.Join(caller, "sub", "x.json")},
		{"/elsewhere", "plots", "/elsewhere/plots"},
	}
	for _, tt := range tests {
		base, err := callerDir(tt.out)
		if err != nil {
			t.Fatal(err)
		}
		if got := resolve(base, tt.path); got != tt.want {
			t.Errorf("-out %q: %q resolves to %q; want %q", tt.out, tt.path, got, tt.want)
		}
	}
}

// TestWrap checks that text is wrapped and shortened between words only.
func TestWrap(t *testing.T) {
	text := "BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running"
	for _, l := range wrap(text, 30) {
		if utf8.RuneCountInString(l) > 30 || !strings.Contains(text, l) {
			t.Errorf("wrap(…, 30) gave %q: want at most 30 columns of whole words", l)
		}
	}
	if got, want := shorten(text, 60), "BrokenProcessPool: A process in the process pool was…"; got != want {
		t.Errorf("shorten(…, 60) = %q; want %q", got, want)
	}
}

func mustConfig(t *testing.T, mode string) config {
	t.Helper()
	c, err := newConfig(mode)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestQuantile(t *testing.T) {
	tests := []struct {
		samples                  []float64
		median, q1, q3, min, max float64
	}{
		{[]float64{3, 1, 2}, 2, 1, 3, 1, 3},       // 3 repetitions: the quartiles are the extremes
		{[]float64{5, 1, 4, 2, 3}, 3, 2, 4, 1, 5}, // 5 repetitions
		{[]float64{4, 1, 3, 2}, 2, 1, 3, 1, 4},    // even: the lower middle sample
		{[]float64{7}, 7, 7, 7, 7, 7},
	}
	for _, tt := range tests {
		f := &figure{Samples: tt.samples}
		f.summarize()
		if f.Median != tt.median || f.Q1 != tt.q1 || f.Q3 != tt.q3 || f.Min != tt.min || f.Max != tt.max {
			t.Errorf("summarize(%v) = median %v, quartiles %v %v, min %v, max %v; want %v, %v %v, %v, %v",
				tt.samples, f.Median, f.Q1, f.Q3, f.Min, f.Max, tt.median, tt.q1, tt.q3, tt.min, tt.max)
		}
	}
}

func TestSumSquaresExact(t *testing.T) {
	// The guide's figure for range(10**7), as Python prints it.
	if got, want := sumSquaresExact(10_000_000), "333333283333335000000"; got != want {
		t.Errorf("sumSquaresExact(1e7) = %s; want %s", got, want)
	}
}
