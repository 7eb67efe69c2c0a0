package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// formats are the values of -format.
var formats = []string{"text", "wide", "markdown", "csv", "json"}

// writeReport writes the run's figures to w in format.
func (r *runner) writeReport(w io.Writer, format string) error {
	switch format {
	case "text":
		r.report(textSink{w: w, width: lineWidth})
	case "markdown":
		r.report(markdownSink{w: w})
	case "wide":
		r.printWideTable(w)
		r.printWideLines(w)
	case "csv":
		return r.writeCSV(w)
	case "json":
		b, err := r.jsonBytes()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	default:
		return fmt.Errorf("unknown format %q", format)
	}
	return nil
}

// writeCSV writes one record per figure, with a header.
func (r *runner) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	_ = cw.Write([]string{"workload", "metric", "backend", "params", "unit", "samples",
		"median", "q1", "q3", "min", "max", "spread", "ratio", "text"})
	for _, f := range r.res.figs {
		_ = cw.Write([]string{f.Workload, f.Metric, f.Backend, f.Params, f.Unit, strconv.Itoa(len(f.Samples)),
			num(f.Median), num(f.Q1), num(f.Q3), num(f.Min), num(f.Max), num(f.Spread), num(f.Ratio), f.Text})
	}
	cw.Flush()
	return cw.Error()
}
