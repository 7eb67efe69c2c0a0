package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress tells, on stderr, how far a run is: on a terminal a bar with the time spent
// and the time left; otherwise (a log, a CI job) one line per workload, so that a log gets
// a few lines rather than a redrawn bar. Steps are a backend's round of one workload.
type progress struct {
	bar   *progressbar.ProgressBar // nil unless on a terminal
	log   io.Writer                // nil: silent
	total int
	done  int
	start time.Time
}

func newProgress(w io.Writer, show bool, total int) *progress {
	p := &progress{total: total, start: time.Now()}
	switch {
	case !show:
	case isTerminal(w):
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(24), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond))
	default:
		p.log = w
	}
	return p
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stage starts a workload: a line in a log, with the time left at the rate so far.
func (p *progress) stage(name string) {
	if p.log == nil {
		return
	}
	el := time.Since(p.start)
	line := fmt.Sprintf("benchmarks: %s at %s", name, el.Round(time.Second))
	if p.done > 0 {
		left := time.Duration(float64(el) * float64(p.total-p.done) / float64(p.done))
		line += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	fmt.Fprintln(p.log, line)
}

func (p *progress) describe(s string) {
	if p.bar != nil {
		p.bar.Describe(s)
	}
}

func (p *progress) add(n int) {
	p.done += n
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
