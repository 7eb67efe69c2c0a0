package procpool

import (
	"io"
	"testing"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// TestNudgeWhileTheRoleIsHeld: a nudge that comes after the reader read a unit and before
// it gave up the role to run it is kept, and the role goes on to a new reader at once, so
// the frame the nudge was for (a Profile request) is read while the unit runs.
func TestNudgeWhileTheRoleIsHeld(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s := newServer(pr, io.Discard, ipc.Binary, 1<<20)
	s.reading = true // the reader has just read a unit and holds the role
	s.nudge()
	if !s.nudged {
		t.Fatal("a nudge while the role is held was dropped")
	}
	s.letGo(&serverUnit{}) // it gives the role up to run the unit
	if !s.reading || s.nudged {
		t.Fatalf("after letGo: reading = %v, nudged = %v; want a new reader and the nudge used", s.reading, s.nudged)
	}
	// The new reader reads the next frame while the unit "runs": a Shutdown ends it.
	go pw.Write(ipc.AppendShutdown(nil))
	select {
	case code := <-s.exit:
		if code != 0 {
			t.Errorf("exit code %d; want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reader read the frame after the nudge")
	}
}

// TestNudgeWithNoReaderStartsOne: with the role free (a task runs, nobody reads), a nudge
// starts a reader.
func TestNudgeWithNoReaderStartsOne(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s := newServer(pr, io.Discard, ipc.Binary, 1<<20)
	s.nudge()
	go pw.Write(ipc.AppendShutdown(nil))
	select {
	case <-s.exit:
	case <-time.After(10 * time.Second):
		t.Fatal("no reader after a nudge with the role free")
	}
}
