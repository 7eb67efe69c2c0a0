//go:build !linux

package procpool

import (
	"os"
	"time"
)

// growPipe: only Linux resizes pipes.
func growPipe(*os.File) {}

// answerPipe makes the pipe that carries a worker's answers.
func answerPipe() (r, w *os.File, err error) { return os.Pipe() }

// answerFd: only Linux waits on answer pipes; waiters yield instead of Await.
func answerFd(*os.File) int32 { return -1 }

func waitAnswer(int32, [2]int32, time.Duration) (ready, quiet bool) { return true, false }
