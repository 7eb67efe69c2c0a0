package goplugin

import (
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/dualpool/dualpool/procpool"
)

// ServeIfWorker turns this process into a worker when a pool started it — through
// go-plugin (a [Transport]: the handshake's magic cookie is in the environment) or
// through procpool's pipes — and returns at once otherwise. Call it first thing in a
// plugin's main, with the same [WithHandshake] as the host if the host sets one: one
// binary then serves both transports. In a worker it serves tasks registered with
// [executor.Register] until the pool lets it go, then exits the process.
//
// A process that has the cookie's variable with another value is a plugin of another
// host: go-plugin says so on stderr and it exits with code 1.
//
// [executor.Register]: https://pkg.go.dev/github.com/dualpool/dualpool/executor#Register
func ServeIfWorker(opts ...Option) {
	cfg, err := newConfig(opts)
	if err != nil {
		panic("goplugin: ServeIfWorker: " + err.Error())
	}
	if _, ok := os.LookupEnv(cfg.handshake.MagicCookieKey); !ok {
		procpool.ServeIfWorker()
		return
	}
	fs := &framesServer{stdout: os.Stdout, stderr: os.Stderr}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  cfg.handshake,
		VersionedPlugins: map[int]plugin.PluginSet{int(cfg.handshake.ProtocolVersion): {pluginName: &framesPlugin{server: fs}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           Logger("go-plugin"),
	})
	os.Exit(0) // the host closed the plugin (go-plugin's controller Shutdown)
}

// Logger returns an hclog logger for code in a plugin: it writes JSON lines to stderr,
// which the host's [Transport] parses and hands, with their level and fields, to the
// host's slog logger ([procpool.WithLogger]). It logs Debug and above.
func Logger(name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: name, Level: hclog.Debug, Output: os.Stderr, JSONFormat: true})
}

// framesServer serves the frames stream in the plugin.
type framesServer struct {
	stdout, stderr *os.File // the process's own, before go-plugin redirected them
}

// serve runs procpool's worker loop on the stream. go-plugin sends a plugin's os.Stdout
// and os.Stderr over its gRPC stdio stream; the worker puts back the process's own, so
// that a task's output takes the same path as in a pipe worker: whole lines to the
// host's writers, and a crash's last words in its WorkerExitError, even when the process
// dies before a stream could carry them.
func (s *framesServer) serve(stream grpc.ServerStream) error {
	os.Stdout, os.Stderr = s.stdout, s.stderr
	if code := procpool.ServeStream(&streamReader{s: stream}, &streamWriter{s: stream}); code != 0 {
		os.Exit(code)
	}
	return nil // the pool shut this worker down: it closes the plugin next
}
