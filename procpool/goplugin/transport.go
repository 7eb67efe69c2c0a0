package goplugin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"

	"github.com/dualpool/dualpool/procpool"
)

// Transport launches the workers of a [procpool.Pool] as go-plugin plugins of one
// binary; give it to the pool with [procpool.WithTransport], or let [New] do it. It is
// safe for concurrent use.
type Transport struct {
	path string
	cfg  *config
}

var _ procpool.Transport = (*Transport)(nil)

// NewTransport returns a transport that starts the plugin binary at path. The options
// that configure a pool ([WithPoolOptions]) are ignored here.
func NewTransport(path string, opts ...Option) (*Transport, error) {
	if path == "" {
		return nil, fmt.Errorf("goplugin: empty plugin path")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Transport{path: path, cfg: cfg}, nil
}

// New starts a pool of processes of the plugin binary at path, through go-plugin, and
// returns once the first has completed both handshakes (go-plugin's, then the pool's),
// like [procpool.New]. When the binary fails its checksum or its handshake, New returns
// the error and leaves nothing running. Pool options go in [WithPoolOptions]; a program
// may run several such pools, one per plugin binary.
func New(path string, opts ...Option) (*procpool.Pool, error) {
	t, err := NewTransport(path, opts...)
	if err != nil {
		return nil, err
	}
	popts := []procpool.Option{procpool.WithCommand(path), procpool.WithLogger(t.cfg.logger)}
	popts = append(append(popts, t.cfg.pool...), procpool.WithTransport(t))
	return procpool.New(popts...)
}

// Start implements [procpool.Transport]: it checks the binary's checksum, has go-plugin
// start it (cookie, version negotiation, AutoMTLS), and opens the frames stream.
func (t *Transport) Start(spec *procpool.Spec) (procpool.Conn, error) {
	if err := t.checkSum(); err != nil {
		return nil, err
	}
	var r *procRunner
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  t.cfg.handshake,
		VersionedPlugins: map[int]plugin.PluginSet{int(t.cfg.handshake.ProtocolVersion): {pluginName: &framesPlugin{}}},
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			c := exec.Command(t.path, spec.Args...)
			c.Env = append(append(append([]string(nil), spec.Env...), spec.WorkerEnv...), cmd.Env...)
			r = &procRunner{cmd: c, spec: spec}
			return r, nil
		},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         t.cfg.autoMTLS,
		StartTimeout:     spec.StartTimeout,
		Logger:           newSlogLogger(t.cfg.logger, "plugin"),
		SkipHostEnv:      true, // spec.Env is the parent's, with the pool's additions
		Stderr:           io.Discard,
	})
	rpc, err := client.Client()
	if err != nil {
		return nil, t.startError(client, r, spec, err)
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		return nil, t.startError(client, r, spec, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := raw.(*grpc.ClientConn).NewStream(ctx, &framesDesc.Streams[0], streamMethod)
	if err != nil {
		cancel()
		return nil, t.startError(client, r, spec, err)
	}
	return &conn{client: client, r: r, cancel: cancel,
		streamReader: streamReader{s: stream}, streamWriter: streamWriter{s: stream}}, nil
}

// checkSum compares the binary's SHA-256 with WithChecksum's. go-plugin's own
// SecureConfig cannot do it here: with a RunnerFunc it checks an empty path.
func (t *Transport) checkSum() error {
	if t.cfg.checksum == nil {
		return nil
	}
	got, err := fileSum(t.path)
	if err != nil {
		return fmt.Errorf("goplugin: checking plugin %s: %w", t.path, err)
	}
	if !bytes.Equal(got, t.cfg.checksum) {
		return &ChecksumError{Path: t.path, Got: got, Want: t.cfg.checksum}
	}
	return nil
}

// startError ends a failed start — the process killed and reaped, go-plugin's goroutines
// gone — and explains it.
func (t *Transport) startError(client *plugin.Client, r *procRunner, spec *procpool.Spec, err error) error {
	return startError(client, r, t.path, t.cfg.handshake.MagicCookieKey, spec.StartTimeout, err)
}

// startError ends the failed start of the plugin at path and explains it. The plugin's
// process group is killed first: go-plugin's Kill would otherwise wait for a child of the
// plugin that holds its stderr open.
func startError(client *plugin.Client, r *procRunner, path, cookie string, timeout time.Duration, err error) error {
	if r != nil && r.exited != nil {
		r.killGroup()
	}
	client.Kill()
	if r == nil || r.exited == nil { // the process never started
		return fmt.Errorf("goplugin: starting plugin %s: %w", path, err)
	}
	<-r.exited
	select {
	case <-r.errs.eof:
	case <-time.After(time.Second): // a child of the plugin holds its stderr
	}
	status := r.cmd.ProcessState.String()
	stderr := r.errs.lastLines()
	if stderr != "" {
		stderr = "; its stderr ends: " + stderr
	}
	first, msg := r.first.first(), err.Error()
	switch {
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		return fmt.Errorf("%w: plugin %s did not complete its handshake within %v and was killed%s",
			ErrHandshake, path, timeout, stderr)
	case first != "" && strings.Contains(msg, "Unrecognized remote plugin message"):
		return fmt.Errorf("%w: plugin %s printed %q to stdout before its handshake line: a plugin must print nothing before its handshake (go-plugin issues #164, #233)",
			ErrHandshake, path, first)
	case strings.Contains(msg, "exited before we could connect") || first == "":
		return fmt.Errorf("%w: plugin %s ended (%s) before its handshake: is it a plugin of this host, with the magic cookie %s?%s",
			ErrHandshake, path, status, cookie, stderr)
	}
	return fmt.Errorf("%w: plugin %s: %w%s", ErrHandshake, path, err, stderr)
}

// conn is the pool's link to one plugin process: the frames stream, and the process.
type conn struct {
	streamReader
	streamWriter
	client *plugin.Client
	r      *procRunner
	cancel context.CancelFunc
	once   sync.Once
}

func (c *conn) Process() *os.Process { return c.r.cmd.Process }

// Wait closes the plugin through go-plugin, which asks it to exit (it does at once when
// it was shut down) and kills it after 2 seconds otherwise, and returns its exit state.
func (c *conn) Wait() *os.ProcessState {
	c.close()
	<-c.r.exited
	return c.r.cmd.ProcessState
}

func (c *conn) Close() error {
	c.close()
	return nil
}

func (c *conn) close() {
	c.once.Do(func() {
		c.cancel()
		c.client.Kill()
	})
}
