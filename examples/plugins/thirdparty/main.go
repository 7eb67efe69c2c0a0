// Command thirdparty is the misbehaving plugin of examples/plugins: it serves
// thumbnail.Resize, which panics, exits, hangs or leaks on some sizes.
package main

import (
	"fmt"
	"os"

	_ "github.com/dualpool/dualpool/examples/plugins/thumbnail" // the tasks it serves
	"github.com/dualpool/dualpool/procpool/goplugin"
)

func main() {
	goplugin.ServeIfWorker() // started by a host: serve, then exit
	fmt.Fprintln(os.Stderr, "thirdparty is a plugin: run examples/plugins, which starts it")
	os.Exit(1)
}
