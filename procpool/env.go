package procpool

import (
	"errors"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/dualpool/dualpool/ipc"
)

// The environment that marks a worker process; see package ipc.
const (
	envWorker   = "DUALPOOL_WORKER"
	envCodec    = "DUALPOOL_CODEC"
	envMaxFrame = "DUALPOOL_MAX_FRAME"
)

// The worker's ends of its IPC pipes.
const (
	fdFromParent = 3
	fdToParent   = 4
)

// serving is set in a process that ServeIfWorker turned into a worker.
var serving atomic.Bool

// errInWorker is New's error in a process started as a worker: spawning from there could
// fork without end.
var errInWorker = errors.New("procpool: New called in a process started as a worker (" + envWorker +
	" is set): call procpool.ServeIfWorker() first thing in main and in TestMain, so that a worker serves " +
	"instead of running the program; a worker never starts workers of its own")

// inWorker reports whether this process was started as a worker.
func inWorker() bool { return serving.Load() || os.Getenv(envWorker) != "" }

func workerEnv(c *config) []string {
	return []string{
		envWorker + "=" + strconv.Itoa(ipc.Version),
		envCodec + "=" + c.codec.Name(),
		envMaxFrame + "=" + strconv.Itoa(c.maxFrame),
	}
}
