package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os/exec"
)

// The raw pipe is the floor of the process side: a child process that reads a
// length-prefixed frame from its stdin and writes the frame's length back on its
// stdout. No codec, no supervision, no pool logic: what one round trip to another
// process costs on this machine at the least. It runs only noop and echo.

func pipeBackend() *backend {
	return &backend{name: "pipe", processes: true,
		about: "a raw pipe ping-pong with a child process: the floor of any process pool (noop and echo only)",
		start: startPipes,
		can:   func(k jobKind) bool { return k == jobNoop || k == jobEcho }}
}

// servePipe is the child: frame = uint32 length + payload; reply = uint64 length.
func servePipe(r io.Reader, w io.Writer) error {
	br, bw := bufio.NewReaderSize(r, 64<<10), bufio.NewWriter(w)
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(br, hdr[:4]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		n := binary.LittleEndian.Uint32(hdr[:4])
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(hdr[:], uint64(n))
		if _, err := bw.Write(hdr[:]); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
}

type pipeChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	buf []byte
}

type pipePool struct {
	free     chan *pipeChild
	children []*pipeChild
}

func startPipes(n int) (pool, error) {
	p := &pipePool{free: make(chan *pipeChild, n)}
	for range n {
		cmd, err := selfCommand(rolePipe)
		if err != nil {
			return nil, err
		}
		in, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			_ = p.close()
			return nil, err
		}
		c := &pipeChild{cmd: cmd, in: in, out: bufio.NewReader(out)}
		p.children = append(p.children, c)
		p.free <- c
	}
	return p, nil
}

// roundTrip sends data and reads the reply, in the calling goroutine.
func (c *pipeChild) roundTrip(data []byte) (int64, error) {
	c.buf = binary.LittleEndian.AppendUint32(c.buf[:0], uint32(len(data)))
	c.buf = append(c.buf, data...)
	if _, err := c.in.Write(c.buf); err != nil {
		return 0, err
	}
	var hdr [8]byte
	if _, err := io.ReadFull(c.out, hdr[:]); err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(hdr[:])), nil
}

// submit does the round trip at once in the caller's goroutine (no hand-off: this is
// the floor), on the first free child.
func (p *pipePool) submit(j job) func() (any, error) {
	if j.Kind != jobNoop && j.Kind != jobEcho {
		return func() (any, error) { return 0, errUnsupported }
	}
	c := <-p.free
	v, err := c.roundTrip(j.Data)
	p.free <- c
	return func() (any, error) { return v, err }
}

func (p *pipePool) squares([]int, int) ([]int, error) { return nil, errUnsupported }

func (p *pipePool) pids() []int {
	var ids []int
	for _, c := range p.children {
		ids = append(ids, c.cmd.Process.Pid)
	}
	return ids
}

func (p *pipePool) close() error {
	var firstErr error
	for _, c := range p.children {
		_ = c.in.Close()
		if err := c.cmd.Wait(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("pipe child: %w", err)
		}
	}
	return firstErr
}
