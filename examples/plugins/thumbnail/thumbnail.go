// Package thumbnail is the task of the "third-party" plugin of examples/plugins: code
// the host does not trust. On some sizes it panics, exits, hangs or leaks memory, as
// plugins do. The plugin binary (thirdparty) serves it; the host imports it only for its
// name and types.
package thumbnail

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

var (
	log    = goplugin.Logger("thumbnail") // hclog lines on stderr reach the host's slog
	leaked [][]byte
)

// Resize makes a square thumbnail of the given size and describes it.
var Resize = executor.Register("thumbnail.resize", func(ctx context.Context, size int) (string, error) {
	log.Info("resizing", "size", size)
	switch {
	case size == 13:
		panic(fmt.Sprintf("thumbnail: unlucky size %d", size))
	case size <= 0:
		fmt.Fprintf(os.Stderr, "thumbnail: size %d: giving up\n", size)
		os.Exit(3)
	case size == 999:
		time.Sleep(time.Hour) // a loop that never looks at its ctx
	case size > 4000:
		b := make([]byte, size*size*4) // a cache that is never freed
		for i := range b {
			b[i] = 1
		}
		leaked = append(leaked, b)
		time.Sleep(5 * time.Second)
	}
	return fmt.Sprintf("thumbnail %dx%d", size, size), nil
})
