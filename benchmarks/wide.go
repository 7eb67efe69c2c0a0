package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// The wide form of the report (-format wide): the guide's summary table with one column
// per backend and peer, each figure with its ratio to the threadpool column of the same
// run, then one line per backend and workload with every figure. It takes about 260
// columns; the default report (report.go) fits 120.

// row is one line of the summary table.
type row struct {
	label, workload, metric, params string
	// cell formats a figure, nil: human(median, unit).
	cell func(*figure) string
}

func (r *runner) rows() []row {
	return []row{
		{label: "use case (measured)"},
		{label: "per-task overhead", workload: "overhead", metric: "per_task"},
		{label: "one-task latency", workload: "overhead", metric: "latency"},
		{label: "memory per worker", workload: "startup", metric: "memory_per_worker"},
		{label: fmt.Sprintf("CPU-bound speedup (%d workers)", cpuTableWorkers), workload: "cpu", metric: "speedup",
			params: fmt.Sprintf("workers=%d", cpuTableWorkers)},
		{label: fmt.Sprintf("I/O-bound throughput (%d workers)", r.cfg.IOTableSize), workload: "download", metric: "throughput",
			params: fmt.Sprintf("workers=%d", r.cfg.IOTableSize)},
		{label: "crash isolation (a task SIGKILLs its worker)", workload: "crash", metric: "kill", cell: func(f *figure) string { return f.cellText() }},
		{label: "cost of passing data (per MiB)", workload: "data", metric: "per_mib"},
		{label: "start-up to first result", workload: "startup", metric: "first_result", params: fmt.Sprintf("workers=%d", r.cfg.ProcWorkers)},
	}
}

// columns are the table's columns: the Go backends in order, procpool even when it is
// not measured, then Python's two executors.
func (r *runner) columns() []string {
	var cols []string
	for _, b := range r.backends {
		cols = append(cols, b.name)
	}
	return append(cols, pyThreads, pyProcesses)
}

func (r *runner) printWideTable(w io.Writer) {
	cols := r.columns()
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintf(tw, " %s\t %s\t\n", "dualpool "+r.cfg.Mode+" run", strings.Join(cols, "\t "))
	fmt.Fprintf(tw, " %s\t%s\n", "---", strings.Repeat(" ---\t", len(cols)))
	for _, rw := range r.rows() {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = r.cell(rw, c)
		}
		fmt.Fprintf(tw, " %s\t %s\t\n", rw.label, strings.Join(cells, "\t "))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nEach cell: median of %s (×ratio to threadpool in this run). CPU speedup is over the same\n"+
		"language's sequential loop. %s\n", plural(r.cfg.Reps, "repetition"), useCaseRule)
	for _, b := range r.backends {
		fmt.Fprintf(w, "  %-10s %s\n", b.name, b.about)
	}
	fmt.Fprintf(w, "  %-10s %s\n", pyThreads, "Python concurrent.futures.ThreadPoolExecutor (python/bench.py, stdlib only)")
	fmt.Fprintf(w, "  %-10s %s\n", pyProcesses, "Python concurrent.futures.ProcessPoolExecutor, default start method")
}

func (r *runner) cell(rw row, col string) string {
	if rw.workload == "" {
		return r.useCase(col)
	}
	f := r.res.get(rw.workload, rw.metric, col, rw.params)
	if f == nil {
		return "—"
	}
	if rw.cell != nil {
		return rw.cell(f)
	}
	if len(f.Samples) == 0 {
		return "—"
	}
	s := human(f.Median, f.Unit)
	if f.Ratio != 0 && f.Backend != baseline {
		s += fmt.Sprintf(" (×%s)", ratioText(f.Ratio))
	}
	return s
}

func ratioText(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2g", x)
	}
}

// cellText is a crash figure in a few words.
func (f *figure) cellText() string {
	switch {
	case len(f.Samples) == 0:
		return "error"
	case strings.Contains(f.Text, "program died"):
		return "program died"
	case strings.HasSuffix(f.Text, "serves"):
		return fmt.Sprintf("%.0f%% ok, serves", 100*f.Samples[0])
	case strings.HasSuffix(f.Text, "degraded"):
		return fmt.Sprintf("%.0f%% ok, degraded", 100*f.Samples[0])
	case strings.HasSuffix(f.Text, "broken"):
		return fmt.Sprintf("%.0f%% ok, broken", 100*f.Samples[0])
	}
	return fmt.Sprintf("%.0f%% ok", 100*f.Samples[0])
}

// printWideLines prints each workload's title, then one line per backend with all its
// figures for that workload, then the machine and the notes.
func (r *runner) printWideLines(w io.Writer) {
	cols := append([]string{"sequential", "py-sequential"}, r.columns()...)
	for _, wl := range suite() {
		var lines [][2]string
		for _, col := range cols {
			var parts, texts []string
			for _, f := range r.res.figs {
				if f.Workload != wl.name || f.Backend != col {
					continue
				}
				parts = append(parts, figureText(f))
				if f.Text != "" && !slices.Contains(texts, f.Text) && f.Workload != "crash" {
					texts = append(texts, f.Text)
				}
				if f.Workload == "crash" {
					texts = append(texts, f.Metric+": "+f.Text)
				}
			}
			if len(parts) == 0 {
				continue
			}
			line := strings.Join(parts, "; ")
			if len(texts) > 0 {
				line += "  — " + strings.Join(texts, "; ")
			}
			lines = append(lines, [2]string{col, line})
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s)\n", wl.title, wl.name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, l := range lines {
			fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
		}
		_ = tw.Flush()
	}
	fmt.Fprintf(w, "\nmachine: %d CPUs, %s, %s, python %s, load %v at start, %v at end, %.0fs\n",
		r.machine.CPUs, r.machine.GoVersion, r.machine.OS, orNone(r.machine.Python), r.machine.LoadStart, r.machine.LoadEnd, r.machine.Seconds)
	for _, n := range r.notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// figureText is one figure in a line: metric, params, median ± spread, ratio.
func figureText(f *figure) string {
	what := f.Metric
	if f.Params != "" {
		what += " " + strings.TrimPrefix(f.Params, "workers=") + "w"
		if strings.HasPrefix(f.Params, "chunk=") {
			what = f.Metric + " " + f.Params
		}
	}
	if f.Workload == "crash" {
		return what + " " + f.cellText()
	}
	if len(f.Samples) == 0 {
		return what + " —"
	}
	val := fmt.Sprintf("%s %s ±%.0f%%", what, human(f.Median, f.Unit), 100*f.Spread)
	if f.Ratio != 0 && f.Backend != baseline {
		val += " (×" + ratioText(f.Ratio) + ")"
	}
	return val
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
