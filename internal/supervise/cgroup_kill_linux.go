package supervise

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// killWait bounds how long Kill waits for a leaf to empty and rmdir for the kernel to
// let it go: a process in uninterruptible sleep (a hung network file system) can take
// that long to die of its SIGKILL.
const killWait = 5 * time.Second

// Kill kills every process in the leaf, and in any cgroup a process of the leaf made
// below it, and returns once none is left, or fails after 5 s. It writes to cgroup.kill
// (Linux 5.14), which kills them all at once; before 5.14 it sends SIGKILL to each
// process that the cgroup.procs files list, over again until they list none, so that a
// process forking meanwhile does not escape.
func (c *Cgroup) Kill() error {
	if !c.tree.killFile {
		return c.killEach()
	}
	if err := write(c.file("cgroup.kill"), "1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("supervise: killing cgroup %s: %w", c.dir, err)
	}
	return c.awaitEmpty()
}

func (c *Cgroup) killEach() error {
	deadline := time.Now().Add(killWait)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		pids, err := procsBelow(c.dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("supervise: killing cgroup %s: %w", c.dir, err)
		}
		if len(pids) == 0 {
			return c.awaitEmpty()
		}
		// A pid read here may end and be reused before the kill: the kernel's cgroup.kill
		// has no such window, and the pool uses it wherever the kernel has it.
		for _, s := range pids {
			if pid, err := strconv.Atoi(s); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("supervise: cgroup %s holds processes %v still, %v after SIGKILL", c.dir, pids, killWait)
		}
		time.Sleep(delay) // the kernel's work, not a goroutine's: nothing to wait on
	}
}

// procsBelow lists the processes of cgroup dir and of the cgroups below it.
func procsBelow(dir string) ([]string, error) {
	var pids []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join(path, "cgroup.procs"))
		pids = append(pids, strings.Fields(string(b))...)
		return err
	})
	return pids, err
}

// awaitEmpty waits until no process of the leaf is left: the killed ones are gone from
// cgroup.procs at once, but the leaf is populated until they have finished exiting.
func (c *Cgroup) awaitEmpty() error {
	deadline := time.Now().Add(killWait)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		b, err := os.ReadFile(c.file("cgroup.events"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("supervise: cgroup %s: %w", c.dir, err)
		}
		if n, ok := eventCount(b, "populated"); !ok || n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("supervise: cgroup %s still populated %v after SIGKILL", c.dir, killWait)
		}
		time.Sleep(delay)
	}
}

// rmdir removes an empty cgroup, and first the cgroups below it, waiting out the
// kernel's EBUSY while its last processes finish exiting; one already gone is no error.
func rmdir(dir string) error {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			if err := rmdir(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	deadline := time.Now().Add(killWait)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		err := os.Remove(dir)
		switch {
		case err == nil || errors.Is(err, fs.ErrNotExist):
			return nil
		case !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline):
			return fmt.Errorf("supervise: removing cgroup: %w", err)
		}
		time.Sleep(delay)
	}
}

// eventCount reads "key n" from a cgroup's flat keyed file (cgroup.events,
// memory.events).
func eventCount(b []byte, key string) (uint64, bool) {
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == key {
			n, err := strconv.ParseUint(f[1], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
