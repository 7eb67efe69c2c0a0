package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Python's concurrent.futures, measured by python/bench.py (stdlib only) in the same
// run, against the same local server: the guide's own executors as two more columns.

//go:embed python/bench.py
var benchPy []byte

type pyConfig struct {
	config
	URL  string `json:"url"`
	Dir  string `json:"dir"`
	Only string `json:"only"`
}

type pyOutput struct {
	Python  string               `json:"python"`
	Figures []*figure            `json:"figures"`
	Latency map[string][]float64 `json:"latency"`
	Errors  []string             `json:"errors"`
}

func (r *runner) runPython(ctx context.Context) error {
	script := filepath.Join(r.tmp, "bench.py")
	if err := os.WriteFile(script, benchPy, 0o644); err != nil {
		return err
	}
	if r.only == "" || r.only == "download" {
		if err := r.startServer(); err != nil {
			return err
		}
	}
	if r.only == "" || r.only == "crash" {
		r.pythonCrash(script)
		if r.only == "crash" {
			return nil
		}
	}
	cfg := pyConfig{config: r.cfg, Dir: filepath.Join(r.tmp, "py"), Only: r.only}
	if r.srv != nil {
		cfg.URL = r.srv.url
	}
	in, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, r.python, script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	var out pyOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return fmt.Errorf("reading bench.py's figures: %w", err)
	}
	r.machine.Python = out.Python
	for _, f := range out.Figures {
		if len(f.Samples) > 0 {
			r.res.add(f)
		}
	}
	r.res.mu.Lock()
	for k, v := range out.Latency {
		r.res.lat[k] = v
	}
	r.res.mu.Unlock()
	for _, e := range out.Errors {
		r.note("python: %s", e)
	}
	return nil
}

// pythonCrash runs the crash scenarios on Python's two executors.
func (r *runner) pythonCrash(script string) {
	for _, kind := range []struct{ arg, name string }{{"threads", pyThreads}, {"processes", pyProcesses}} {
		for _, mode := range []string{"kill", "panic"} {
			cmd := exec.Command(r.python, script, "crash", kind.arg, mode,
				strconv.Itoa(r.cfg.CrashHealthy), strconv.FormatInt(int64(r.cfg.Unit), 10))
			r.res.add(r.crashOutcome(kind.name, mode, cmd))
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
