package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plots, each as PNG and SVG: throughput against the worker count for the downloads and
// the CPU workload, one line per column with error bars, and the distribution of one-task
// round trips. Every plot has its legend beside it and a caption under it that says
// where and when the figures were taken. README shows the ones in docs/, made with
// `go run -C benchmarks . -plots docs`.

const (
	plotWidth  = 9 * vg.Inch
	plotHeight = 5.5 * vg.Inch
)

// writePlots writes the plots into dir and returns the files it wrote.
func (r *runner) writePlots(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	plots := []struct {
		name string
		make func() (*chart, error)
	}{
		{"download-throughput", func() (*chart, error) {
			return r.workerPlot("download", "throughput", "Downloads from a local server: files per second", "files per second", false)
		}},
		{"cpu-speedup", func() (*chart, error) {
			return r.workerPlot("cpu", "speedup", "4 × sum of squares: speedup over the sequential loop", "speedup (×)", true)
		}},
		{"latency", r.latencyPlot},
	}
	var files []string
	for _, pl := range plots {
		c, err := pl.make()
		if err != nil {
			return files, fmt.Errorf("plot %s: %w", pl.name, err)
		}
		if c == nil {
			continue
		}
		for _, ext := range []string{"png", "svg"} {
			path := filepath.Join(dir, pl.name+"."+ext)
			if err := c.save(path, plotWidth, plotHeight); err != nil {
				return files, fmt.Errorf("plot %s: %w", pl.name, err)
			}
			files = append(files, path)
		}
	}
	return files, nil
}

// workerPoint is one column's figure at one worker count.
type workerPoint struct {
	workers      float64
	median       float64
	lower, upper float64 // the quartiles
}

// workerPlot draws metric against the worker count, one line per column, each point with
// a bar from the lower to the upper quartile of its samples; nil when no figure was
// measured. The x axis is marked at the measured worker counts only. The points of one
// worker count are spread a little sideways, so that pools with the same figures (the
// goroutine pools, often) do not hide one another. With ideal, a line marks the
// speedup the machine allows: min(workers, cores).
func (r *runner) workerPlot(workload, metric, title, ylabel string, ideal bool) (*chart, error) {
	series := map[string][]workerPoint{}
	var cols []string
	var counts []float64
	for _, col := range r.columns() {
		for _, f := range r.res.figs {
			if f.Workload != workload || f.Metric != metric || f.Backend != col || len(f.Samples) == 0 {
				continue
			}
			w, err := strconv.Atoi(strings.TrimPrefix(f.Params, "workers="))
			if err != nil {
				continue
			}
			if !slices.Contains(cols, col) {
				cols = append(cols, col)
			}
			series[col] = append(series[col], workerPoint{float64(w), f.Median, f.Q1, f.Q3})
			if !slices.Contains(counts, float64(w)) {
				counts = append(counts, float64(w))
			}
		}
	}
	if len(cols) == 0 {
		return nil, nil
	}
	slices.Sort(counts)
	c := newChart(title, r.caption(true))
	p := c.p
	p.X.Label.Text = "workers (log scale)"
	p.Y.Label.Text = ylabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = fixedTicks(counts)
	p.X.Min, p.X.Max = counts[0]/1.25, counts[len(counts)-1]*1.25
	p.Y.Min = 0
	top := 0.0
	if ideal {
		cores := float64(r.machine.CPUs)
		f := plotter.NewFunction(func(w float64) float64 { return min(w, cores) })
		f.XMin, f.XMax = counts[0], counts[len(counts)-1]
		f.Samples = 200
		f.LineStyle = draw.LineStyle{Color: gray, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
		p.Add(f)
		c.legend(fmt.Sprintf("ideal: min(workers, %d cores)", r.machine.CPUs), f)
		top = min(counts[len(counts)-1], cores)
	}
	for i, col := range cols {
		pts := series[col]
		slices.SortFunc(pts, func(a, b workerPoint) int { return int(a.workers - b.workers) })
		dodge := math.Pow(1.02, float64(i)-float64(len(cols)-1)/2) // sideways, on the log axis
		xys := make(plotter.XYs, len(pts))
		errs := make(plotter.YErrors, len(pts))
		for k, pt := range pts {
			xys[k] = plotter.XY{X: pt.workers * dodge, Y: pt.median}
			errs[k].Low, errs[k].High = pt.median-pt.lower, pt.upper-pt.median
			top = max(top, pt.upper)
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return nil, err
		}
		st := r.styleOf(col)
		line.LineStyle = st.line()
		points.GlyphStyle = st.glyph()
		bars.LineStyle = draw.LineStyle{Color: st.color, Width: vg.Points(1)}
		bars.CapWidth = vg.Points(5)
		p.Add(bars, line, points)
		c.legend(col, line, points)
	}
	p.Y.Max = top * 1.08
	return c, nil
}

// latencyPlot draws the distribution of one-task round trips (a CDF, log time axis).
func (r *runner) latencyPlot() (*chart, error) {
	c := newChart("One task on an idle pool: submit a no-op, wait for its result", r.caption(false))
	p := c.p
	p.X.Label.Text = "round trip (µs, log scale)"
	p.Y.Label.Text = "fraction of round trips at most this long"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	slowest, fastest := 0.0, math.Inf(1)
	for _, col := range r.columns() {
		s := slices.Clone(r.res.lat[col])
		if len(s) == 0 {
			continue
		}
		slices.Sort(s)
		slowest = max(slowest, quantile(s, 0.999))
		fastest = min(fastest, max(s[0], 0.01))
		const points = 200
		var pts plotter.XYs
		for i := range points {
			k := i * (len(s) - 1) / (points - 1)
			pts = append(pts, plotter.XY{X: max(s[k], 0.01), Y: float64(k+1) / float64(len(s))})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.LineStyle = r.styleOf(col).line()
		p.Add(line)
		c.legend(col, line)
	}
	if len(c.entries) == 0 {
		return nil, nil
	}
	// The slowest 0.1% are cut off: one descheduled round trip would stretch the axis.
	p.X.Min, p.X.Max = fastest/1.5, slowest*1.5
	return c, nil
}

// caption says where and when the figures were taken, and how to read the plot: of
// medians with bars, or (for the latency plot) of every round trip.
func (r *runner) caption(bars bool) string {
	m := r.machine
	what := "medians of " + plural(r.cfg.Reps, "repetition")
	if !bars {
		what = "every round trip of " + plural(r.cfg.Reps, "repetition")
	}
	s := fmt.Sprintf("%s, %d CPUs, %s, %s, load %s at start; %s run, %s.",
		m.Start.Format("2006-01-02"), m.CPUs, m.GoVersion, m.OS, loadText(m.LoadStart), r.cfg.Mode, what)
	if bars {
		s += " Bars: lower to upper quartile; points spread sideways so that none hides another."
	}
	return s + " Solid: goroutines; dashed: processes; dotted: Python."
}

func loadText(l []float64) string {
	if len(l) == 0 {
		return "unknown"
	}
	return strconv.FormatFloat(l[0], 'f', 1, 64)
}

// fixedTicks marks the given values of an axis, and nothing else.
type fixedTicks []float64

func (t fixedTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range t {
		if v >= lo && v <= hi {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return ts
}
