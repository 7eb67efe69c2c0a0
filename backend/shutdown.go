package backend

// ShutdownConfig is what the executor.ShutdownOption values given to Shutdown ask for.
type ShutdownConfig struct {
	// CancelPending: cancel the queued tasks instead of running them.
	CancelPending bool
}

// ShutdownOptions applies the options given to a backend's Shutdown.
func ShutdownOptions[O ~func(*ShutdownConfig)](opts ...O) ShutdownConfig {
	var c ShutdownConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}
