package main

import (
	"context"
	"net/rpc"
	"os"
	"os/exec"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// go-plugin is what a Go program uses today to run code in another process. It has no
// pool: the bench keeps n plugin processes and hands each call to a free one, as a user
// would. A dead plugin process is not restarted (go-plugin does not do it), so later
// calls on it fail.

var pluginHandshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "DUALPOOL_BENCH_PLUGIN",
	MagicCookieValue: "bench",
}

func goPluginBackend() *backend {
	return &backend{name: "go-plugin", processes: true,
		about: "hashicorp/go-plugin over net/rpc: one plugin process per worker, hand-made pool, no restart",
		start: startPlugins}
}

// jobRPC is the net/rpc service in the plugin process.
type jobRPC struct{}

// JobArgs is job under an exported name, as net/rpc requires of an argument type.
type JobArgs job

// Reply is a job's result over net/rpc: an int64, or a string when Str is set.
type Reply struct {
	N   int64
	S   string
	Str bool
}

func (jobRPC) Run(j JobArgs, out *Reply) error {
	v, err := runJob(context.Background(), job(j))
	switch v := v.(type) {
	case int64:
		out.N = v
	case string:
		out.S, out.Str = v, true
	}
	return err
}

func (r Reply) value() any {
	if r.Str {
		return r.S
	}
	return r.N
}

func (jobRPC) Squares(c []int, out *[]int) error {
	*out = squareChunk(c)
	return nil
}

// jobPlugin is the plugin.Plugin of both sides.
type jobPlugin struct{}

func (jobPlugin) Server(*plugin.MuxBroker) (any, error) { return jobRPC{}, nil }
func (jobPlugin) Client(_ *plugin.MuxBroker, c *rpc.Client) (any, error) {
	return c, nil
}

func pluginMap() map[string]plugin.Plugin { return map[string]plugin.Plugin{"job": jobPlugin{}} }

// servePlugin is the plugin process's main: it only calls Serve, as go-plugin asks.
func servePlugin() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: pluginHandshake,
		Plugins:         pluginMap(),
		Logger:          hclog.NewNullLogger(),
	})
}

type pluginWorker struct {
	client *plugin.Client
	rpc    *rpc.Client
}

type pluginPool struct {
	free    chan *pluginWorker
	workers []*pluginWorker
}

func startPlugins(n int) (pool, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &pluginPool{free: make(chan *pluginWorker, n)}
	for range n {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), roleEnv+"="+rolePlugin)
		c := plugin.NewClient(&plugin.ClientConfig{
			HandshakeConfig:  pluginHandshake,
			Plugins:          pluginMap(),
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolNetRPC},
			Logger:           hclog.NewNullLogger(),
			SyncStderr:       os.Stderr,
		})
		w := &pluginWorker{client: c}
		p.workers = append(p.workers, w)
		proto, err := c.Client()
		if err != nil {
			_ = p.close()
			return nil, err
		}
		raw, err := proto.Dispense("job")
		if err != nil {
			_ = p.close()
			return nil, err
		}
		w.rpc = raw.(*rpc.Client)
		p.free <- w
	}
	return p, nil
}

func (p *pluginPool) submit(j job) func() (any, error) {
	w := <-p.free
	var (
		reply Reply
		err   error
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		err = w.rpc.Call("Plugin.Run", JobArgs(j), &reply)
		p.free <- w
	}()
	return func() (any, error) {
		<-done
		if err != nil {
			return nil, err
		}
		return reply.value(), nil
	}
}

func (p *pluginPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresBySubmit(nums, chunk, func(c []int) func() ([]int, error) {
		w := <-p.free
		var (
			out  []int
			err  error
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			err = w.rpc.Call("Plugin.Squares", c, &out)
			p.free <- w
		}()
		return func() ([]int, error) { <-done; return out, err }
	})
}

func (p *pluginPool) pids() []int {
	var ids []int
	for _, w := range p.workers {
		if rc := w.client.ReattachConfig(); rc != nil {
			ids = append(ids, rc.Pid)
		}
	}
	return ids
}

func (p *pluginPool) close() error {
	var wg sync.WaitGroup
	for _, w := range p.workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.client.Kill() }()
	}
	wg.Wait()
	return nil
}
