package goplugin_test

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"

	"github.com/dualpool/dualpool/procpool/goplugin"
)

// The Supervisor's benchmarks, each beside its baseline in the same run: a Get on go-plugin's
// KV example plugin through a bare go-plugin client (BenchmarkBareCall) and through Do on
// a Supervisor of one instance of the same plugin (BenchmarkSupervisedCall), over gRPC and
// net/rpc; and Do with a fn that returns at once (BenchmarkSupervisedNothing), the
// Supervisor's own cost per call.

// BenchmarkBareCall is one Get through a go-plugin client, as a host without dualpool makes it.
func BenchmarkBareCall(b *testing.B) {
	for _, kv := range kvPlugins {
		b.Run(kv.proto, func(b *testing.B) {
			config := kvConfig(*kv.bin, b.TempDir())()
			config.Logger = hclog.NewNullLogger() // as quiet as the Supervisor's
			client := plugin.NewClient(config)
			defer client.Kill()
			rpc, err := client.Client()
			if err != nil {
				b.Fatal(err)
			}
			raw, err := rpc.Dispense(kv.name)
			if err != nil {
				b.Fatal(err)
			}
			store := raw.(shared.KV)
			if err := store.Put("k", []byte("v")); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := store.Get("k"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSupervisedCall is the same Get through Do on a Supervisor of one instance.
func BenchmarkSupervisedCall(b *testing.B) {
	for _, kv := range kvPlugins {
		b.Run(kv.proto, func(b *testing.B) {
			s := benchSupervisor(b, *kv.bin, kv.name)
			ctx := context.Background()
			if err := put(ctx, s, "k", "v"); err != nil {
				b.Fatal(err)
			}
			get := func(_ context.Context, kv shared.KV) error {
				_, err := kv.Get("k")
				return err
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Do(ctx, get); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSupervisedNothing is Do with a fn that returns at once: what the Supervisor
// adds to a call.
func BenchmarkSupervisedNothing(b *testing.B) {
	s := benchSupervisor(b, kvGRPCBin, shared.PluginGRPC)
	ctx := context.Background()
	nothing := func(context.Context, shared.KV) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Do(ctx, nothing); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSupervisor supervises one instance of the KV plugin bin and waits until it is ready.
func benchSupervisor(b *testing.B, bin, name string) *goplugin.Supervisor[shared.KV] {
	b.Helper()
	s, err := goplugin.Supervise[shared.KV](kvConfig(bin, b.TempDir()), name,
		goplugin.WithPoolOptions(quietOptions()...))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for s.Stats().Workers < 1 { // polling outside the timed loop
		time.Sleep(time.Millisecond)
	}
	return s
}
