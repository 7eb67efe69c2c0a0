// Command testplugin is the plugin binary of package goplugin's tests and benchmarks. Its
// environment variable TESTPLUGIN_MODE makes it misbehave before its handshake:
//
//	stdout       prints a line to stdout first (go-plugin issues #164, #233)
//	hang         never calls ServeIfWorker
//	wrongcookie  expects another magic cookie value
//	plain        is no plugin: prints a line to stderr and exits 0
//	dieafter     serves only while the file TESTPLUGIN_MARKER does not exist, then exits 3 at start-up
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	_ "github.com/dualpool/dualpool/internal/workloads" // and the shared ones, errors among them
	"github.com/dualpool/dualpool/procpool/goplugin"
	_ "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks" // the tasks it serves
)

func main() {
	switch os.Getenv("TESTPLUGIN_MODE") {
	case "stdout":
		fmt.Println("testplugin: starting up")
	case "hang":
		time.Sleep(time.Hour)
	case "wrongcookie":
		hs := goplugin.Handshake
		hs.MagicCookieValue = "another-host"
		goplugin.ServeIfWorker(goplugin.WithHandshake(hs))
	case "plain":
		fmt.Fprintln(os.Stderr, "testplugin: a plain program, not a plugin")
		os.Exit(0)
	case "dieafter":
		if _, err := os.Stat(os.Getenv("TESTPLUGIN_MARKER")); err == nil || !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(os.Stderr, "testplugin: refusing to start again")
			os.Exit(3)
		}
	}
	goplugin.ServeIfWorker()
	fmt.Fprintln(os.Stderr, "testplugin: this is a plugin; a host starts it")
	os.Exit(1)
}
