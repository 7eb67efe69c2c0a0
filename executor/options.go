package executor

// ShutdownOption changes what [Executor.Shutdown] does.
type ShutdownOption interface{ applyShutdown(*ShutdownConfig) }

// ShutdownConfig is what the [ShutdownOption] values asked for. Backends read it with
// [ShutdownOptions]; programs do not need it.
type ShutdownConfig struct {
	// CancelPending: cancel the queued tasks instead of running them.
	CancelPending bool
}

type shutdownFunc func(*ShutdownConfig)

func (f shutdownFunc) applyShutdown(c *ShutdownConfig) { f(c) }

// CancelPending makes Shutdown cancel the tasks that are queued and not started (their
// Futures fail with [ErrCancelled]); the running ones finish. It is Python's
// shutdown(cancel_futures=True).
func CancelPending() ShutdownOption {
	return shutdownFunc(func(c *ShutdownConfig) { c.CancelPending = true })
}

// ShutdownOptions applies opts for a backend's Shutdown.
func ShutdownOptions(opts ...ShutdownOption) ShutdownConfig {
	var c ShutdownConfig
	for _, o := range opts {
		if o != nil {
			o.applyShutdown(&c)
		}
	}
	return c
}
