package executor

import "github.com/dualpool/dualpool/backend"

// ShutdownOption changes what [Executor.Shutdown] does. Backends read the options with
// backend.ShutdownOptions.
type ShutdownOption func(*backend.ShutdownConfig)

// CancelPending makes Shutdown cancel the tasks that are queued and not started (their
// Futures fail with [ErrCancelled]); the running ones finish. It is Python's
// shutdown(cancel_futures=True).
func CancelPending() ShutdownOption {
	return func(c *backend.ShutdownConfig) { c.CancelPending = true }
}
