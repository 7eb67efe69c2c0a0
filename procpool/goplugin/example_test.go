package goplugin_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

// A host runs a pool of plugin processes: each task runs in one of them, and a plugin
// that crashes costs only its task.
func ExampleNew() {
	pool, err := goplugin.New(pluginBin, goplugin.WithPoolOptions(procpool.WithWorkers(2)))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	f, err := executor.Submit(context.Background(), pool, tt.Square, 7)
	if err != nil {
		log.Fatal(err)
	}
	v, err := f.Result(context.Background())
	fmt.Println(v, err)
	// Output: 49 <nil>
}

// A binary whose SHA-256 differs from the expected one is never run.
func ExampleWithChecksum() {
	sum := make([]byte, 32) // not the binary's
	_, err := goplugin.New(pluginBin, goplugin.WithChecksum(sum))
	var ce *goplugin.ChecksumError
	fmt.Println(errors.As(err, &ce))
	// Output: true
}

// A transport given to procpool.New directly, here with AutoMTLS.
func ExampleNewTransport() {
	t, err := goplugin.NewTransport(pluginBin, goplugin.WithAutoMTLS())
	if err != nil {
		log.Fatal(err)
	}
	pool, err := procpool.New(procpool.WithTransport(t), procpool.WithCommand(pluginBin), procpool.WithWorkers(1))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	f, _ := executor.Submit(context.Background(), pool, tt.Square, 12)
	fmt.Println(f.Result(context.Background()))
	// Output: 144 <nil>
}

// A plugin's main: it serves tasks when a host (through go-plugin) or a procpool pool
// started it, and runs as a program otherwise.
func ExampleServeIfWorker() {
	goplugin.ServeIfWorker()
	fmt.Fprintln(os.Stderr, "this is a plugin: a host starts it")
	os.Exit(1)
}
