// Package goid tells a goroutine by its id, for a pool whose Shutdown may be called from
// one of its own goroutines (a task, a done callback) and must not wait for itself.
package goid

import "runtime"

// Current returns the id of the calling goroutine, read from the runtime's stack header.
// It costs a short stack trace: read it once per goroutine, not per task.
func Current() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)] // "goroutine 18 [running]:\n…"
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return 0
	}
	var id uint64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
