package procpool

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/ipc"
)

// ServeIfWorker turns this process into a worker when a [Pool] started it, and returns at
// once otherwise. Call it first thing in main, and in TestMain for tests that start pools
// of the test binary: in a worker it serves tasks until the pool shuts it down or goes
// away, then exits the process, so nothing after the call runs there.
//
// It serves the functions registered with [executor.Register] by the time it is called,
// which means every package-level registration of the binary. Of opts, those that
// concern the worker's side ([WithPropagator]) apply there; the others are ignored, so a
// program can pass the options it gives [New].
func ServeIfWorker(opts ...Option) {
	if os.Getenv(envWorker) == "" {
		noteMainRegistry.Do(func() { mainRegistry = registryHash() }) // what its re-executed workers must run
		return
	}
	serving.Store(true)
	os.Exit(serveWorker(opts))
}

// serveWorker runs the worker side of the protocol and returns the exit code.
func serveWorker(opts []Option) int {
	prepareIPC(fdFromParent, fdToParent)
	in := os.NewFile(fdFromParent, "dualpool-from-parent")
	out := os.NewFile(fdToParent, "dualpool-to-parent")
	if in == nil || out == nil {
		return workerFatal("file descriptors %d and %d are not open", fdFromParent, fdToParent)
	}
	return serveParent(in, out, opts, true)
}

// ServeStream is the worker side of a [Transport]: it serves tasks from the frames read
// from in, writing its answers to out, until the pool shuts it down (it returns 0) or in
// ends (it exits the process, as a pipe worker does when its parent is gone). It reads
// the worker environment of [Spec.WorkerEnv] and returns 2, with a message on stderr,
// when that is missing or wrong. Nothing may write to out meanwhile. Of opts, those that
// concern the worker's side apply, as for [ServeIfWorker]; a Profile request waits for
// the task running to end or to look at its ctx, since no signal wakes such a worker.
func ServeStream(in io.Reader, out io.Writer, opts ...Option) (exitCode int) {
	serving.Store(true)
	return serveParent(in, out, opts, false)
}

// serveParent checks the worker environment and serves on in and out.
// A pipe worker (nudged) also takes the parent's SIGUSR2 as a call to read its frames.
func serveParent(in io.Reader, out io.Writer, opts []Option, nudged bool) int {
	if v := os.Getenv(envWorker); v != strconv.Itoa(ipc.Version) {
		return workerFatal("parent speaks protocol %q; this worker speaks %d", v, ipc.Version)
	}
	codec, ok := ipc.LookupCodec(os.Getenv(envCodec))
	if !ok {
		return workerFatal("codec %q is not registered in this binary (ipc.RegisterCodec)", os.Getenv(envCodec))
	}
	maxFrame, err := strconv.Atoi(os.Getenv(envMaxFrame))
	if err != nil || maxFrame < 1024 {
		return workerFatal("bad %s=%q", envMaxFrame, os.Getenv(envMaxFrame))
	}
	// Children of tasks are not workers; New refuses in this process through serving.
	parentTakes, _ := strconv.ParseUint(os.Getenv(envFeatures), 10, 64) // absent: none
	for _, k := range []string{envWorker, envCodec, envMaxFrame, envFeatures} {
		os.Unsetenv(k)
	}
	s := newServer(in, out, codec, maxFrame)
	s.tel.propagator = workerConfig(opts).telemetry.propagator
	if nudged {
		s.takeNudges()
	}
	s.recycle = ipc.Feature(parentTakes)&ipc.FeatureRecycle != 0
	hello := ipc.AppendHello(nil, ipc.Hello{Version: ipc.Version, PID: os.Getpid(), Codec: codec.Name(), Names: backend.Names(),
		Features: s.tel.features() | ipc.FeatureRecycle, Registry: registryHash()})
	if _, err := out.Write(hello); err != nil {
		return workerFatal("hello: %v", err)
	}
	return s.serveTasks()
}

func workerFatal(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "procpool worker: "+format+"\n", args...)
	return 2
}
