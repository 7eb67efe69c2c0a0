package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plots, each as PNG and SVG: throughput against the worker count for the downloads and
// the CPU workload, one line per backend; and the distribution of one-task round trips.
// README shows the ones in docs/, made with `go run -C benchmarks . -plots ../docs`.

func (r *runner) writePlots(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	plots := []struct {
		name string
		make func() (*plot.Plot, error)
	}{
		{"download-throughput", func() (*plot.Plot, error) {
			return r.workerPlot("download", "throughput", "Downloads from a local server: files per second", "files/s")
		}},
		{"cpu-speedup", func() (*plot.Plot, error) {
			return r.workerPlot("cpu", "speedup", "4 × sum of squares: speedup over sequential", "speedup (×)")
		}},
		{"latency", r.latencyPlot},
	}
	for _, pl := range plots {
		p, err := pl.make()
		if err != nil {
			return fmt.Errorf("plot %s: %w", pl.name, err)
		}
		if p == nil {
			continue
		}
		for _, ext := range []string{"png", "svg"} {
			if err := p.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(dir, pl.name+"."+ext)); err != nil {
				return fmt.Errorf("plot %s: %w", pl.name, err)
			}
		}
	}
	return nil
}

// workerPlot draws metric against the worker count, one line per column; nil when no
// figure was measured.
func (r *runner) workerPlot(workload, metric, title, ylabel string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "workers"
	p.Y.Label.Text = ylabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = workerTicks{}
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	var lines []any
	top := 0.0
	for _, col := range r.columns() {
		var pts plotter.XYs
		for _, f := range r.res.figs {
			if f.Workload != workload || f.Metric != metric || f.Backend != col || len(f.Samples) == 0 {
				continue
			}
			w, err := strconv.Atoi(strings.TrimPrefix(f.Params, "workers="))
			if err != nil {
				continue
			}
			pts = append(pts, plotter.XY{X: float64(w), Y: f.Median})
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortFunc(pts, func(a, b plotter.XY) int { return int(a.X - b.X) })
		lines = append(lines, col, pts)
		for _, pt := range pts {
			top = max(top, pt.Y)
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	err := plotutil.AddLinePoints(p, lines...)
	p.Y.Max = top * 1.5 // room at the top for the legend
	return p, err
}

// latencyPlot draws the distribution of one-task round trips (a CDF, log time axis).
func (r *runner) latencyPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "One task on an idle pool: submit a no-op, wait for its result"
	p.X.Label.Text = "round trip (µs, log scale)"
	p.Y.Label.Text = "fraction of round trips at most this long"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	var lines []any
	slowest := 0.0
	for _, col := range r.columns() {
		s := slices.Clone(r.res.lat[col])
		if len(s) == 0 {
			continue
		}
		slices.Sort(s)
		slowest = max(slowest, s[len(s)*999/1000])
		const points = 200
		var pts plotter.XYs
		for i := range points {
			k := i * (len(s) - 1) / (points - 1)
			pts = append(pts, plotter.XY{X: max(s[k], 0.01), Y: float64(k+1) / float64(len(s))})
		}
		lines = append(lines, col, pts)
	}
	if len(lines) == 0 {
		return nil, nil
	}
	err := plotutil.AddLines(p, lines...)
	// The slowest 0.1% are cut off; the room on the right is for the legend.
	p.X.Max = slowest * 20
	return p, err
}

// workerTicks marks the powers of two on a log worker axis.
type workerTicks struct{}

func (workerTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for w := 1.0; w <= hi; w *= 2 {
		if w >= lo {
			ts = append(ts, plot.Tick{Value: w, Label: strconv.Itoa(int(w))})
		}
	}
	return ts
}
