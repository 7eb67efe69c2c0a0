// Command goodplugin is the well-behaved plugin of examples/plugins: it serves
// wordcount.Count to a host that starts it through go-plugin.
package main

import (
	"fmt"
	"os"

	_ "github.com/dualpool/dualpool/examples/plugins/wordcount" // the tasks it serves
	"github.com/dualpool/dualpool/procpool/goplugin"
)

func main() {
	goplugin.ServeIfWorker() // started by a host: serve, then exit
	fmt.Fprintln(os.Stderr, "goodplugin is a plugin: run examples/plugins, which starts it")
	os.Exit(1)
}
