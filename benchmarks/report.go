package main

import (
	"fmt"
	"slices"
	"strings"
)

// The default report, for a terminal of 120 columns (or as Markdown): the guide's summary
// table with one row per backend, split in two — what each backend costs, what each
// does — then each workload's figures as a table of its own, and the machine.

// measure is one column of a summary table: a figure, or the derived use case.
type measure struct {
	header                   string
	workload, metric, params string
	cell                     func(*figure) string // nil: the median and its ratio
	derived                  bool                 // the use case, from other figures
}

func (r *runner) costMeasures() []measure {
	return []measure{
		{header: "per-task overhead", workload: "overhead", metric: "per_task"},
		{header: "one-task latency", workload: "overhead", metric: "latency"},
		{header: "memory per worker", workload: "startup", metric: "memory_per_worker"},
		{header: "passing 1 MiB", workload: "data", metric: "per_mib"},
		{header: fmt.Sprintf("start-up, %d workers", r.cfg.ProcWorkers), workload: "startup", metric: "first_result",
			params: fmt.Sprintf("workers=%d", r.cfg.ProcWorkers)},
	}
}

func (r *runner) useMeasures() []measure {
	return []measure{
		{header: "use case (measured)", derived: true},
		{header: fmt.Sprintf("CPU speedup, %d workers", cpuTableWorkers), workload: "cpu", metric: "speedup",
			params: fmt.Sprintf("workers=%d", cpuTableWorkers)},
		{header: fmt.Sprintf("I/O, %d workers", r.cfg.IOTableSize), workload: "download", metric: "throughput",
			params: fmt.Sprintf("workers=%d", r.cfg.IOTableSize)},
		{header: "a task SIGKILLs its worker", workload: "crash", metric: "kill", cell: (*figure).cellText},
	}
}

// summaryTable is one row per column of the run, one column per measure.
func (r *runner) summaryTable(ms []measure) textTable {
	t := textTable{header: []string{"backend"}}
	for _, m := range ms {
		t.header = append(t.header, m.header)
	}
	for _, col := range r.columns() {
		row := []string{col}
		for _, m := range ms {
			row = append(row, r.measureCell(m, col))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func (r *runner) measureCell(m measure, col string) string {
	if m.derived {
		return r.useCase(col)
	}
	return r.cell(row{workload: m.workload, metric: m.metric, params: m.params, cell: m.cell}, col)
}

// report writes the whole report to s.
func (r *runner) report(s sink) {
	s.para(fmt.Sprintf("dualpool %s run: each figure is the median of %s, (×r) its ratio to threadpool "+
		"in this run; -format wide gives every backend a column, as the guide's table does.", r.cfg.Mode, plural(r.cfg.Reps, "repetition")))
	s.blank()
	s.heading("What each backend costs")
	s.table(r.summaryTable(r.costMeasures()))
	s.blank()
	s.heading("What each backend does")
	s.table(r.summaryTable(r.useMeasures()))
	s.blank()
	s.para("CPU speedup is over the same language's sequential loop; I/O is files per second from a local server. " +
		useCaseRule)
	var about [][2]string
	for _, b := range r.backends {
		about = append(about, [2]string{b.name, b.about})
	}
	about = append(about, [2]string{pyThreads, "Python concurrent.futures.ThreadPoolExecutor (python/bench.py, stdlib only)"},
		[2]string{pyProcesses, "Python concurrent.futures.ProcessPoolExecutor, default start method"})
	s.defs(about)
	for _, wl := range suite() {
		r.workloadSection(s, wl)
	}
	s.blank()
	s.para(r.machineLine())
	for _, n := range r.notes {
		s.item("note", n)
	}
}

func (r *runner) machineLine() string {
	m := r.machine
	return fmt.Sprintf("machine: %d CPUs, %s, %s, python %s, load %v at start, %v at end, %.0fs, %s",
		m.CPUs, m.GoVersion, m.OS, orNone(m.Python), m.LoadStart, m.LoadEnd, m.Seconds, m.Start.Format("2006-01-02 15:04 MST"))
}

// workloadSection writes one workload's figures: a row per column of the run, a column
// per figure (median ±spread, ratio), then their texts, each said once for the columns
// that share it.
func (r *runner) workloadSection(s sink, wl workload) {
	cols := append([]string{"sequential", "py-sequential"}, r.columns()...)
	type key struct{ metric, params string }
	var keys []key
	for _, f := range r.res.figs {
		if k := (key{f.Metric, f.Params}); f.Workload == wl.name && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	t := textTable{header: []string{"backend"}}
	for _, k := range keys {
		t.header = append(t.header, figureLabel(k.metric, k.params))
	}
	var texts []string           // in order of first appearance
	who := map[string][]string{} // text → the columns that carry it
	for _, col := range cols {
		row, any := []string{col}, false
		var colTexts []string
		for _, k := range keys {
			f := r.res.get(wl.name, k.metric, col, k.params)
			if f == nil {
				row = append(row, "")
				continue
			}
			any = true
			row = append(row, figureCell(f))
			switch {
			case wl.name == "crash":
				colTexts = append(colTexts, f.Metric+": "+f.Text)
			case f.Text != "" && !slices.Contains(colTexts, f.Text):
				colTexts = append(colTexts, f.Text)
			}
		}
		if !any {
			continue
		}
		t.rows = append(t.rows, row)
		if len(colTexts) > 0 {
			text := strings.Join(colTexts, "; ")
			if who[text] == nil {
				texts = append(texts, text)
			}
			who[text] = append(who[text], col)
		}
	}
	s.blank()
	s.heading(fmt.Sprintf("%s (%s)", wl.title, wl.name))
	s.table(t)
	for _, text := range texts {
		s.item(strings.Join(who[text], ", "), text)
	}
}

// figureLabel names a figure in a workload's table: "throughput 16w", "per item chunk=256".
func figureLabel(metric, params string) string {
	l := strings.ReplaceAll(strings.ReplaceAll(metric, "_", " "), "mib", "MiB")
	switch {
	case strings.HasPrefix(params, "workers="):
		l += " " + strings.TrimPrefix(params, "workers=") + "w"
	case params != "":
		l += " " + params
	}
	return l
}

// plural is "1 repetition", "3 repetitions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// figureCell is a figure in a workload's table: median ±spread (×ratio).
func figureCell(f *figure) string {
	switch {
	case f.Workload == "crash":
		return f.cellText()
	case len(f.Samples) == 0:
		return "—"
	}
	s := fmt.Sprintf("%s ±%.0f%%", human(f.Median, f.Unit), 100*f.Spread)
	if f.Ratio != 0 && f.Backend != baseline {
		s += " (×" + ratioText(f.Ratio) + ")"
	}
	return s
}
