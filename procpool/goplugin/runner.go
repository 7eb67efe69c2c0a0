package goplugin

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"

	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/procpool"
)

// procRunner is go-plugin's runner.Runner for one plugin process that the pool owns: the
// process starts on the pool's spawner thread (so it dies with the pool), is waited for
// once, and its output is split between go-plugin and the pool.
//
//   - stdout: the first line is go-plugin's handshake and goes to go-plugin; every later
//     line goes to the pool's stdout, whole.
//   - stderr: hclog's JSON lines go to go-plugin, which parses them and logs them through
//     the host's logger; every other line goes to the pool's stderr and its tail into a
//     WorkerExitError.
type procRunner struct {
	cmd    *exec.Cmd
	spec   *procpool.Spec
	hsR    *io.PipeReader // the handshake line, for go-plugin
	logR   *io.PipeReader // hclog's lines, for go-plugin
	exited chan struct{}  // closed once cmd.Wait returned
	first  *firstLine
	errs   *stderrSplit
}

func (r *procRunner) Start(context.Context) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	r.cmd.Stdin = nil
	r.cmd.Stdout, r.cmd.Stderr = outW, errW
	err = r.spec.StartCmd(r.cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	var hsW, logW *io.PipeWriter
	r.hsR, hsW = io.Pipe()
	r.logR, logW = io.Pipe()
	r.first = &firstLine{f: outR, br: bufio.NewReaderSize(outR, 64<<10), to: hsW}
	r.errs = &stderrSplit{f: errR, br: bufio.NewReaderSize(errR, 64<<10), logs: logW, eof: make(chan struct{})}
	r.spec.ForwardStdout(r.first)
	r.spec.ForwardStderr(r.errs)
	r.exited = make(chan struct{})
	go func() { r.cmd.Wait(); close(r.exited) }()
	return nil
}

func (r *procRunner) Diagnose(context.Context) string { return "" }
func (r *procRunner) Stdout() io.ReadCloser           { return r.hsR }
func (r *procRunner) Stderr() io.ReadCloser           { return r.logR }
func (r *procRunner) Name() string                    { return r.cmd.Path }
func (r *procRunner) ID() string {
	if r.cmd.Process == nil {
		return ""
	}
	return strconv.Itoa(r.cmd.Process.Pid)
}

func (r *procRunner) Wait(context.Context) error {
	<-r.exited
	return nil
}

func (r *procRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	return r.cmd.Process.Kill()
}

func (r *procRunner) PluginToHost(n, a string) (string, string, error) { return n, a, nil }
func (r *procRunner) HostToPlugin(n, a string) (string, string, error) { return n, a, nil }

// firstLine hands the first line of its reader to go-plugin and reads the rest.
type firstLine struct {
	f    *os.File
	br   *bufio.Reader
	to   *io.PipeWriter
	once sync.Once

	mu   sync.Mutex
	line []byte // what the plugin printed first
}

func (r *firstLine) Read(p []byte) (int, error) {
	var err error
	r.once.Do(func() {
		var line []byte
		line, err = r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			err = nil
		}
		r.mu.Lock()
		r.line = append([]byte(nil), line...)
		r.mu.Unlock()
		if len(line) > 0 {
			r.to.Write(line) // go-plugin reads it, or drains it after a failure
		}
		r.to.Close()
	})
	if err != nil {
		return 0, err
	}
	return r.br.Read(p)
}

func (r *firstLine) Close() error {
	r.to.Close()
	return r.f.Close()
}

func (r *firstLine) first() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(bytes.TrimSpace(r.line))
}

// stderrSplit passes on the lines of its reader that are not hclog's JSON, sends those
// that are to go-plugin, and keeps a short tail of the others for start-up errors.
type stderrSplit struct {
	f       *os.File
	br      *bufio.Reader
	logs    *io.PipeWriter
	pending []byte

	mu   sync.Mutex
	tail []byte
	eof  chan struct{} // closed when the plugin's stderr has ended
	once sync.Once
}

const splitTail = 2 << 10

func (s *stderrSplit) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		line, err := s.br.ReadSlice('\n')
		if len(line) > 0 {
			if bytes.HasPrefix(line, []byte(`{"@`)) {
				s.logs.Write(line)
			} else {
				s.pending = line
				s.keep(line)
			}
		}
		if err != nil && err != bufio.ErrBufferFull && len(s.pending) == 0 {
			s.logs.Close()
			s.once.Do(func() { close(s.eof) })
			return 0, err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func (s *stderrSplit) keep(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tail = append(s.tail, line...)
	if over := len(s.tail) - splitTail; over > 0 {
		s.tail = append(s.tail[:0], s.tail[over:]...)
	}
}

func (s *stderrSplit) lastLines() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(bytes.TrimSpace(s.tail))
}

func (s *stderrSplit) Close() error {
	s.logs.Close()
	return s.f.Close()
}

// killGroup kills the plugin's process group: the plugin and what it started.
func (r *procRunner) killGroup() {
	if r.cmd.Process != nil {
		supervise.KillGroup(r.cmd.Process.Pid)
	}
}
