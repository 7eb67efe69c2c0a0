package main

// procpoolBackend is dualpool's process pool. It returns nil while package procpool is
// not part of the library yet; the table then shows its column as not measured.
func procpoolBackend() *backend { return nil }
