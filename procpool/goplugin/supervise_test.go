package goplugin_test

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	basic "github.com/hashicorp/go-plugin/examples/basic/shared"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// TestSuperviseKV: go-plugin's KV example, over gRPC and over net/rpc, serves Put and
// Get from many goroutines through three instances, each call on one instance at a time.
func TestSuperviseKV(t *testing.T) {
	for _, kv := range kvPlugins {
		t.Run(kv.proto, func(t *testing.T) {
			s := superviseKV(t, *kv.bin, kv.name, goplugin.WithPoolOptions(procpool.WithWorkers(3)))
			ctx := context.Background()
			const goroutines, rounds = 12, 5
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*rounds)
			for g := range goroutines {
				wg.Go(func() {
					for i := range rounds {
						key, value := fmt.Sprintf("k%d-%d", g, i), fmt.Sprintf("v%d-%d", g, i)
						if err := put(ctx, s, key, value); err != nil {
							errs <- fmt.Errorf("Put(%s) = %w", key, err)
							continue
						}
						if got, err := get(ctx, s, key); err != nil || got != stored(kv.proto, value) {
							errs <- fmt.Errorf("Get(%s) = %q, %v; want %q, <nil>", key, got, err, stored(kv.proto, value))
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			proctest.Eventually(t, 20*time.Second, func() bool { return s.Stats().Workers == 3 }, "three instances")
			st := s.Stats()
			require.Equal(t, uint64(2*goroutines*rounds), st.Completed, "Stats: %+v", st)
			for _, w := range st.PerWorker {
				require.NotZero(t, w.PID)
				require.Zero(t, w.Restarts)
			}
		})
	}
}

// TestSuperviseGreeter: go-plugin's basic example, a net/rpc plugin whose interface has
// no error (its client panics on one), through Call.
func TestSuperviseGreeter(t *testing.T) {
	fds := proctest.OpenFDs(t)
	s, err := goplugin.Supervise[basic.Greeter](greeterConfig(greeterBin), "greeter",
		goplugin.WithPoolOptions(quietOptions()...))
	require.NoError(t, err)
	proctest.CloseAtEnd(t, fds, s)
	got, err := goplugin.Call(context.Background(), s, func(_ context.Context, g basic.Greeter) (string, error) {
		return g.Greet(), nil
	})
	require.NoError(t, err)
	require.Equal(t, "Hello!", got)
}

// TestSuperviseGreeterCrash: a net/rpc call to a plugin killed under it panics in the
// Greeter's client; the call fails with the plugin's death, not with the panic.
func TestSuperviseGreeterCrash(t *testing.T) {
	fds := proctest.OpenFDs(t)
	s, err := goplugin.Supervise[basic.Greeter](greeterConfig(greeterBin), "greeter",
		goplugin.WithPoolOptions(quietOptions()...))
	require.NoError(t, err)
	proctest.CloseAtEnd(t, fds, s)
	pid := onlyPID(t, s)
	stop(t, pid)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := goplugin.Call(context.Background(), s, func(_ context.Context, g basic.Greeter) (string, error) {
			close(started)
			return g.Greet(), nil
		})
		done <- err
	}()
	<-started
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	we := workerExit(t, <-done)
	require.Equal(t, pid, we.PID)
	require.Equal(t, syscall.SIGKILL, we.Signal)
	replaced(t, s, pid)
}

func greeterConfig(bin string) func() *plugin.ClientConfig {
	return func() *plugin.ClientConfig {
		return &plugin.ClientConfig{
			HandshakeConfig: plugin.HandshakeConfig{ProtocolVersion: 1, MagicCookieKey: "BASIC_PLUGIN", MagicCookieValue: "hello"},
			Plugins:         map[string]plugin.Plugin{"greeter": &basic.GreeterPlugin{}},
			Cmd:             exec.Command(bin),
		}
	}
}

// TestSuperviseNoOrphans: when the host dies, even by SIGKILL, the plugins it supervised
// die with it.
func TestSuperviseNoOrphans(t *testing.T) { killHostOfTwoPlugins(t, envSuperviseHost+"="+kvGRPCBin) }

// TestSuperviseAutoMTLS: WithAutoMTLS secures each instance's connection with
// certificates made for that start, over gRPC and net/rpc alike.
func TestSuperviseAutoMTLS(t *testing.T) {
	for _, kv := range kvPlugins {
		t.Run(kv.proto, func(t *testing.T) {
			var logs proctest.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s := superviseKV(t, *kv.bin, kv.name, goplugin.WithAutoMTLS(), goplugin.WithLogger(logger))
			ctx := context.Background()
			require.NoError(t, put(ctx, s, "k", "v"))
			got, err := get(ctx, s, "k")
			require.NoError(t, err)
			require.Equal(t, stored(kv.proto, "v"), got)
			require.Contains(t, logs.String(), "configuring client automatic mTLS")
		})
	}
}
