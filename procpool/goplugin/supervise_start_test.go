package goplugin_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// TestSuperviseRefusals: a config or a plugin that cannot be supervised fails Supervise
// with an error that says why, and leaves nothing running.
func TestSuperviseRefusals(t *testing.T) {
	dir := t.TempDir()
	kv := kvConfig(kvGRPCBin, dir)
	with := func(change func(*plugin.ClientConfig)) func() *plugin.ClientConfig {
		return func() *plugin.ClientConfig {
			c := kv()
			change(c)
			return c
		}
	}
	started := exec.Command("true")
	require.NoError(t, started.Run())
	sum, err := fileSHA256(kvGRPCBin)
	require.NoError(t, err)
	bad := sha256.Sum256([]byte("another binary"))
	for _, c := range []struct {
		name   string
		config func() *plugin.ClientConfig
		plugin string
		opts   []goplugin.Option
		is     []error
		want   []string
	}{
		{"nil_config_func", nil, shared.PluginGRPC, nil, nil, []string{"nil config func"}},
		{"nil_config", func() *plugin.ClientConfig { return nil }, shared.PluginGRPC, nil, nil, []string{"nil ClientConfig"}},
		{"no_cmd", with(func(c *plugin.ClientConfig) { c.Cmd = nil }), shared.PluginGRPC, nil, nil, []string{"no Cmd"}},
		{"cmd_started", with(func(c *plugin.ClientConfig) { c.Cmd = started }), shared.PluginGRPC, nil, nil, []string{"already started"}},
		{"reattach", with(func(c *plugin.ClientConfig) { c.Reattach = &plugin.ReattachConfig{} }), shared.PluginGRPC, nil, nil,
			[]string{"Reattach"}},
		{"unknown_plugin", kv, "kv_nope", nil, []error{goplugin.ErrDispense}, []string{`"kv_nope" is not in the ClientConfig's Plugins`}},
		{"wrong_cookie", with(func(c *plugin.ClientConfig) { c.MagicCookieValue = "goodbye" }), shared.PluginGRPC, nil,
			[]error{goplugin.ErrHandshake, executor.ErrPoolBroken}, []string{"before its handshake", "magic cookie BASIC_PLUGIN", kvGRPCBin}},
		{"not_a_plugin", with(func(c *plugin.ClientConfig) { c.Cmd = exec.Command("sh", "-c", "echo not a plugin >&2") }), shared.PluginGRPC, nil,
			[]error{goplugin.ErrHandshake, executor.ErrPoolBroken}, []string{"ended (exit status 0) before its handshake", "not a plugin"}},
		{"protocol_not_allowed", with(func(c *plugin.ClientConfig) { c.AllowedProtocols = nil }), shared.PluginGRPC, nil,
			[]error{goplugin.ErrHandshake, executor.ErrPoolBroken}, []string{"protocol"}},
		{"checksum", kv, shared.PluginGRPC, []goplugin.Option{goplugin.WithChecksum(bad[:])},
			[]error{executor.ErrPoolBroken}, []string{"want " + hexOf(bad[:])}},
		{"secure_config", with(func(c *plugin.ClientConfig) {
			c.SecureConfig = &plugin.SecureConfig{Checksum: bad[:], Hash: sha256.New()}
		}), shared.PluginGRPC, nil, []error{plugin.ErrChecksumsDoNotMatch, executor.ErrPoolBroken}, []string{kvGRPCBin}},
		{"reinit_error", kv, shared.PluginGRPC, []goplugin.Option{goplugin.WithReinit(func(context.Context, shared.KV) error {
			return errReinit
		})}, []error{errReinit, executor.ErrPoolBroken}, []string{"reinit"}},
		{"reinit_panic", kv, shared.PluginGRPC, []goplugin.Option{goplugin.WithReinit(func(context.Context, shared.KV) error {
			panic("no config for you")
		})}, []error{executor.ErrPoolBroken}, []string{"panicked: no config for you"}},
		{"reinit_hang", kv, shared.PluginGRPC, []goplugin.Option{goplugin.WithPoolOptions(procpool.WithStartTimeout(500 * time.Millisecond)),
			goplugin.WithReinit(func(ctx context.Context, kv shared.KV) error {
				<-ctx.Done()
				return nil
			})}, []error{executor.ErrPoolBroken}, []string{"reinit: did not return within 500ms"}},
		{"reinit_wrong_type", kv, shared.PluginGRPC, []goplugin.Option{goplugin.WithReinit(func(context.Context, io.Reader) error { return nil })},
			nil, []string{"not a func(context.Context, shared.KV) error"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fds := proctest.OpenFDs(t)
			opts := append([]goplugin.Option{goplugin.WithPoolOptions(quietOptions()...)}, c.opts...)
			s, err := goplugin.Supervise[shared.KV](c.config, c.plugin, opts...)
			require.Nil(t, s)
			require.Error(t, err)
			t.Log(err)
			for _, target := range c.is {
				require.ErrorIs(t, err, target)
			}
			for _, w := range c.want {
				require.ErrorContains(t, err, w)
			}
			proctest.RequireNoChildren(t)
			noDescriptorsLeft(t, fds)
		})
	}
	// And the right checksum starts it.
	superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithChecksum(sum))
}

var errReinit = errors.New("reinit refused")

// TestSuperviseWrongInterface: a plugin that dispenses something else than T is refused
// at start with ErrDispense, naming both types.
func TestSuperviseWrongInterface(t *testing.T) {
	fds := proctest.OpenFDs(t)
	s, err := goplugin.Supervise[io.Reader](kvConfig(kvGRPCBin, t.TempDir()), shared.PluginGRPC,
		goplugin.WithPoolOptions(quietOptions()...))
	require.Nil(t, s)
	require.ErrorIs(t, err, goplugin.ErrDispense)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorContains(t, err, "*shared.GRPCClient, which is not a io.Reader")
	proctest.RequireNoChildren(t)
	noDescriptorsLeft(t, fds)
}

// TestSuperviseClose: after Close, Do fails with ErrShutdown and nothing is left; Do
// without fn is refused.
func TestSuperviseClose(t *testing.T) {
	fds := proctest.OpenFDs(t)
	s, err := goplugin.Supervise[shared.KV](kvConfig(kvGRPCBin, t.TempDir()), shared.PluginGRPC,
		goplugin.WithPoolOptions(append(quietOptions(), procpool.WithWorkers(2))...))
	require.NoError(t, err)
	require.Error(t, s.Do(context.Background(), nil))
	require.NoError(t, put(context.Background(), s, "k", "v"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
	require.ErrorIs(t, put(context.Background(), s, "k", "v"), executor.ErrShutdown)
	require.NoError(t, s.Close())
	proctest.RequireNoChildren(t)
	require.Equal(t, fds, proctest.OpenFDs(t))
}

// TestSuperviseQueuedCancel: a call that waits for a busy instance and whose ctx ends
// meanwhile is cancelled without running.
func TestSuperviseQueuedCancel(t *testing.T) {
	s := superviseKV(t, kvGRPCBin, shared.PluginGRPC)
	release := make(chan struct{})
	busy := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Do(context.Background(), func(context.Context, shared.KV) error {
			close(busy)
			<-release
			return nil
		})
	}()
	<-busy
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ran := false
	err := s.Do(ctx, func(context.Context, shared.KV) error { ran = true; return nil })
	require.ErrorIs(t, err, executor.ErrCancelled)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, ran)
	close(release)
	require.NoError(t, <-done)
}

// noDescriptorsLeft fails t unless the descriptors open are those of before a failed
// start, within a few seconds: once seen under load, a descriptor of a start refused after
// its handshake (by reinit) was still open for a moment after Supervise returned.
func noDescriptorsLeft(t *testing.T, before string) {
	t.Helper()
	proctest.Eventually(t, 10*time.Second, func() bool { return proctest.OpenFDs(t) == before },
		"the descriptors of before Supervise, and no more")
}
