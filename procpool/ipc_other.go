//go:build !unix

package procpool

// prepareIPC: the process pool needs inherited pipes (ExtraFiles), which only Unix
// systems give; elsewhere New fails when it starts a worker.
func prepareIPC(...int) {}
