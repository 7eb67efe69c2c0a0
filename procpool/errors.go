package procpool

import (
	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/ipc"
)

// rebuild turns a worker's Error or Failure frame back into the error the task returned
// there (see wire.Rebuild), so that errors.Is and errors.As answer as they did in the
// worker.
func rebuild(e ipc.Error, codec ipc.Codec) error {
	return wire.Rebuild(e, codec, "procpool: worker: ")
}
