// Package proctest holds the checks that dualpool's process tests share: which child
// processes this process has, whether a process is alive, which pipe, socket and event
// descriptors it holds. It reads Linux's /proc; it is for tests only.
package proctest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Children returns the pids of this process's live (not zombie) children.
func Children(t testing.TB) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	me := strconv.Itoa(os.Getpid())
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state := stat(pid); ppid == me && state != "Z" {
			pids = append(pids, pid)
		}
	}
	return pids
}

// RequireNoChildren fails t if this process has a live child.
func RequireNoChildren(t testing.TB) {
	t.Helper()
	if pids := Children(t); len(pids) > 0 {
		t.Fatalf("child processes left: %v", pids)
	}
}

// Alive reports whether pid is a live process (not a zombie).
func Alive(pid int) bool {
	_, state := stat(pid)
	return state != "" && state != "Z"
}

// stat returns a process's parent pid and state, "" if it is gone.
func stat(pid int) (ppid, state string) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", ""
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return "", ""
	}
	return f[1], f[0]
}

// OpenFDs lists this process's open pipe, socket and anonymous-inode descriptors, to
// compare before and after a pool's life.
func OpenFDs(t testing.TB) string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if strings.HasPrefix(target, "pipe:") || strings.HasPrefix(target, "anon_inode") || strings.HasPrefix(target, "socket:") {
			names = append(names, e.Name()+"->"+target)
		}
	}
	return strings.Join(names, " ")
}

// Eventually polls cond every 10ms until it holds, and fails t if it does not within
// the given time.
func Eventually(t testing.TB, within time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CloseAtEnd notes this process's descriptors now and, when t ends, closes c and fails t
// if a child process or a descriptor opened since then is left. Call it right after the
// pool is made, with the descriptors of before New: CloseAtEnd(t, fds, pool).
func CloseAtEnd(t testing.TB, fdsBefore string, c io.Closer) {
	t.Helper()
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		RequireNoChildren(t)
		// A descriptor that a goroutine of the pool's transport closes on its way out
		// (a plugin's connection) may lag Close by a moment under load; a leaked one
		// stays.
		after := OpenFDs(t)
		for deadline := time.Now().Add(2 * time.Second); after != fdsBefore && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			after = OpenFDs(t)
		}
		if after != fdsBefore {
			t.Errorf("open descriptors before New and after Close differ:\nbefore %s\nafter  %s", fdsBefore, after)
		}
	})
}

// Buffer is a bytes.Buffer safe for concurrent use: a pool's output writers are called
// from several goroutines.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
