package procpool

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/ipc"
)

// The environment that marks a worker process; see package ipc.
const (
	envWorker   = "DUALPOOL_WORKER"
	envCodec    = "DUALPOOL_CODEC"
	envMaxFrame = "DUALPOOL_MAX_FRAME"
	envFeatures = "DUALPOOL_FEATURES" // the optional worker frames the parent takes
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
	"instead of running the program; without it the program's main ran in each worker process, and what it " +
	"did before procpool.New ran once more in each; a worker never starts workers of its own")

// inWorker reports whether this process was started as a worker.
func inWorker() bool { return serving.Load() || os.Getenv(envWorker) != "" }

func workerEnv(c *config) []string {
	return []string{
		envWorker + "=" + strconv.Itoa(ipc.Version),
		envCodec + "=" + c.codec.Name(),
		envMaxFrame + "=" + strconv.Itoa(c.maxFrame),
		envFeatures + "=" + strconv.FormatUint(uint64(ipc.FeatureRecycle), 10),
	}
}

// mainRegistry is this program's registryHash as its main began (ServeIfWorker notes it):
// the one its re-executed workers must give. "" when ServeIfWorker was not called.
var (
	mainRegistry     string
	noteMainRegistry sync.Once
)

// errOtherCode is the handshake error of a worker that runs other code than its parent.
var errOtherCode = errors.New("the worker runs other code than this program")

// registryHash identifies the code of this binary as a worker sees it (see
// wire.RegistryHash). A worker re-executed from the program must give the parent's own; a
// binary replaced or rebuilt under a running program does not.
func registryHash() string { return wire.RegistryHash() }

// selfExe is what a pool re-executes to start this program as a worker: on Linux the
// very binary that runs (/proc/self/exe), so that a deploy that replaces or deletes the
// file on disk does not start a different or a missing program.
func selfExe(path string) string {
	if runtime.GOOS == "linux" {
		if _, err := os.Stat("/proc/self/exe"); err == nil {
			return "/proc/self/exe"
		}
	}
	return path
}
