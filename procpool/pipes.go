package procpool

import (
	"os"
	"os/exec"
)

// pipes is the default [Transport]: the worker is the program re-executed (or
// [WithCommand]'s binary) with its IPC pipes as fd 3 (frames from the parent) and fd 4
// (frames to the parent), and its stdout and stderr on two more pipes, forwarded line by
// line.
type pipes struct{}

func (pipes) Start(spec *Spec) (Conn, error) {
	var files [8]*os.File // the parent's and the child's end of four pipes
	for i := 0; i < len(files); i += 2 {
		makePipe := os.Pipe
		if i == 2 {
			makePipe = answerPipe
		}
		r, w, err := makePipe()
		if err != nil {
			closeAll(files[:i]...)
			return nil, err
		}
		files[i], files[i+1] = r, w
	}
	toR, toW, fromR, fromW, outR, outW, errR, errW := files[0], files[1], files[2], files[3], files[4], files[5], files[6], files[7]
	growPipe(toW)
	growPipe(fromW)
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = append(spec.Env, spec.WorkerEnv...)
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Stdout, cmd.Stderr = outW, errW
	err := spec.StartCmd(cmd)
	closeAll(toR, fromW, outW, errW) // the child's ends
	if err != nil {
		closeAll(toW, fromR, outR, errR)
		return nil, err
	}
	spec.ForwardStdout(outR)
	spec.ForwardStderr(errR)
	return &pipeConn{cmd: cmd, to: toW, from: fromR, fd: answerFd(fromR)}, nil
}

// pipeConn is a worker reached over its two IPC pipes.
type pipeConn struct {
	cmd      *exec.Cmd
	to, from *os.File
	fd       int32 // from's descriptor, if Await can wait on it; else -1
}

func (c *pipeConn) Read(b []byte) (int, error)  { return c.from.Read(b) }
func (c *pipeConn) Write(b []byte) (int, error) { return c.to.Write(b) }
func (c *pipeConn) Process() *os.Process        { return c.cmd.Process }

func (c *pipeConn) Wait() *os.ProcessState {
	c.cmd.Wait()
	return c.cmd.ProcessState
}

func (c *pipeConn) Close() error {
	closeAll(c.to, c.from)
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}
