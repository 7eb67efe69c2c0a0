//go:build !linux

package procpool

import "os"

// growPipe: only Linux resizes pipes.
func growPipe(*os.File) {}

// answerPipe makes the pipe that carries a worker's answers.
func answerPipe() (r, w *os.File, err error) { return os.Pipe() }
