package goplugin_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"

	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// A host supervises go-plugin's KV example plugin, unchanged: three instances, each call
// on a free one. A crash or a hung call costs its call and its instance, which is
// restarted (see examples/supervise).
func ExampleSupervise() {
	config := func() *plugin.ClientConfig { // called for every start of an instance
		cmd := exec.Command(kvGRPCBin)
		cmd.Dir = os.TempDir() // the plugin keeps its values in files there
		return &plugin.ClientConfig{
			HandshakeConfig:  shared.Handshake,
			Plugins:          shared.PluginMap,
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		}
	}
	sup, err := goplugin.Supervise[shared.KV](config, shared.PluginGRPC,
		goplugin.WithPoolOptions(procpool.WithWorkers(3), procpool.WithKillGrace(200*time.Millisecond)))
	if err != nil {
		log.Fatal(err)
	}
	defer sup.Close()

	err = sup.Do(context.Background(), func(ctx context.Context, kv shared.KV) error {
		return kv.Put("example", []byte("hello"))
	})
	fmt.Println(err)
	// Output: <nil>
}

// Call returns what fn returns: here the value the KV plugin keeps.
func ExampleCall() {
	config := func() *plugin.ClientConfig {
		cmd := exec.Command(kvNetRPCBin) // the same KV store, over net/rpc
		cmd.Dir = os.TempDir()
		return &plugin.ClientConfig{HandshakeConfig: shared.Handshake, Plugins: shared.PluginMap, Cmd: cmd}
	}
	sup, err := goplugin.Supervise[shared.KV](config, shared.PluginNetRPC)
	if err != nil {
		log.Fatal(err)
	}
	defer sup.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // net/rpc has no ctx: past it, the call is killed
	defer cancel()
	_ = sup.Do(ctx, func(ctx context.Context, kv shared.KV) error { return kv.Put("example-call", []byte("hi")) })
	v, err := goplugin.Call(ctx, sup, func(ctx context.Context, kv shared.KV) ([]byte, error) {
		return kv.Get("example-call")
	})
	fmt.Printf("%q %v\n", v, err)
	// Output: "hi\n\nWritten from plugin-go-netrpc" <nil>
}
