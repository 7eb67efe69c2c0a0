package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/procpool"
)

func TestMain(m *testing.M) {
	// The runner re-executes its binary as its process-side workers; in a test that
	// binary is the test binary.
	procpool.ServeIfWorker()
	serveRole()
	os.Exit(m.Run())
}

// TestTinyRun runs the whole suite in its tiny mode and checks that every row of the
// table has a figure, that the JSON carries every workload, and that the plots are
// written. It checks no timing: the figures of a tiny run are not worth reading.
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

	r := &runner{cfg: mustConfig(t, "tiny")}
	for _, rw := range r.rows() {
		line := lineWith(out, " "+rw.label+" ")
		if line == "" {
			t.Errorf("table has no row %q", rw.label)
			continue
		}
		if rw.workload == "" {
			continue // derived from timings: a loaded machine may leave it empty
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.TrimSpace(cells[1]) == "—" {
			t.Errorf("row %q has no threadpool figure: %q", rw.label, line)
		}
	}
	if strings.Contains(out, "note: ") {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "note: ") && !strings.Contains(l, "not on PATH") {
				t.Errorf("unexpected %s", l)
			}
		}
	}

	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Machine machine   `json:"machine"`
		Figures []*figure `json:"figures"`
	}
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
	f := &figure{Samples: []float64{4, 1, 3, 2}}
	f.summarize()
	if f.Median != 2.5 || f.Min != 1 || f.Max != 4 {
		t.Errorf("summarize(4 1 3 2) = median %v min %v max %v; want 2.5 1 4", f.Median, f.Min, f.Max)
	}
}

func TestSumSquaresExact(t *testing.T) {
	// The guide's figure for range(10**7), as Python prints it.
	if got, want := sumSquaresExact(10_000_000), "333333283333335000000"; got != want {
		t.Errorf("sumSquaresExact(1e7) = %s; want %s", got, want)
	}
}
