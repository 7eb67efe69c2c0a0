package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dualpool/dualpool/executor"
)

// TestFail checks the answer to each way a task can fail: the client may retry when no
// worker could take it, and nothing is written to a client that has gone.
func TestFail(t *testing.T) {
	s := &service{logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tests := []struct {
		name       string
		err        error
		gone       bool // the client went away
		status     int
		retryAfter string
	}{
		{"queue full", fmt.Errorf("procpool: %w", executor.ErrQueueFull), false, http.StatusServiceUnavailable, "1"},
		{"queue timeout", fmt.Errorf("procpool: service.square waited 1s: %w", executor.ErrQueueTimeout), false, http.StatusServiceUnavailable, "1"},
		{"shutting down", executor.ErrShutdown, false, http.StatusServiceUnavailable, "1"},
		{"the task's error", errors.New("service: no"), false, http.StatusInternalServerError, ""},
		{"worker died", &executor.WorkerExitError{PID: 42, ExitCode: 2}, false, http.StatusInternalServerError, ""},
		{"client gone", context.Canceled, true, http.StatusOK, ""}, // nothing written: the recorder's default
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/square?n=7", nil)
			if tt.gone {
				ctx, cancel := context.WithCancel(r.Context())
				cancel()
				r = r.WithContext(ctx)
			}
			w := httptest.NewRecorder()
			s.fail(w, r, tt.err)
			if w.Code != tt.status || w.Header().Get("Retry-After") != tt.retryAfter {
				t.Errorf("fail(%v) answered %d, Retry-After %q; want %d, %q", tt.err, w.Code, w.Header().Get("Retry-After"), tt.status, tt.retryAfter)
			}
			if tt.gone && w.Body.Len() != 0 {
				t.Errorf("fail(%v) to a client that has gone wrote %q; want nothing", tt.err, w.Body)
			}
		})
	}
}
