package goid_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/internal/goid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCurrentTellsGoroutinesApart(t *testing.T) {
	mine := goid.Current()
	if mine == 0 || goid.Current() != mine {
		t.Fatalf("Current() = %d, then %d; want one id, not 0", mine, goid.Current())
	}
	other := make(chan uint64)
	go func() { other <- goid.Current() }()
	if id := <-other; id == mine || id == 0 {
		t.Fatalf("another goroutine's Current() = %d; mine is %d", id, mine)
	}
}
