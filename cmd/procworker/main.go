// Command procworker is dualpool's stock worker binary: it serves the functions of
// package internal/workloads (the guide's tasks and the failure modes) to a process pool
// started with procpool.WithCommand.
//
// It is also the template for a worker of your own: import the packages that register
// your functions, and call procpool.ServeIfWorker first thing in main.
//
//	pool, err := procpool.New(procpool.WithCommand("/path/to/procworker"))
//
// Run by hand, outside a pool, it says what it serves and exits.
package main

import (
	"fmt"
	"os"

	"github.com/dualpool/dualpool/backend"
	_ "github.com/dualpool/dualpool/internal/workloads" // registers the functions served
	"github.com/dualpool/dualpool/procpool"
)

func main() {
	procpool.ServeIfWorker()
	fmt.Fprintln(os.Stderr, "procworker is a dualpool worker; start it with procpool.WithCommand. It serves:")
	for _, name := range backend.Names() {
		fmt.Fprintln(os.Stderr, "  "+name)
	}
	os.Exit(2)
}
