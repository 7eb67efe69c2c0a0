// Package wordcount is the task of the well-behaved plugin of examples/plugins. The
// plugin binary (goodplugin) serves it; the host imports it for its name and types.
package wordcount

import (
	"context"
	"strings"

	"github.com/dualpool/dualpool/executor"
)

// Count counts the words of a text.
var Count = executor.Register("wordcount.count", func(_ context.Context, text string) (int, error) {
	return len(strings.Fields(text)), nil
})
