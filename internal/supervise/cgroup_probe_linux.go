package supervise

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ownCgroup returns the directory of this process's cgroup in the cgroup v2 hierarchy.
func ownCgroup() (string, error) { return ProcessCgroup(os.Getpid()) }

// ProcessCgroup returns the directory of process pid's cgroup v2, as this process sees
// the cgroup file system; it fails with [ErrNoCgroup] where there is none.
func ProcessCgroup(pid int) (string, error) {
	cgroup, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoCgroup, err)
	}
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoCgroup, err)
	}
	return cgroupDir(cgroup, mountinfo)
}

// cgroupDir finds this process's cgroup v2 directory from /proc/self/cgroup (its "0::"
// line: the cgroup's path in the hierarchy) and /proc/self/mountinfo (a cgroup2 mount:
// /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one, whose root
// may be a subtree of the hierarchy, as in a container).
func cgroupDir(cgroup, mountinfo []byte) (string, error) {
	path, found := "", false
	for line := range strings.Lines(string(cgroup)) {
		if p, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "0::"); ok {
			path, found = p, true
			break
		}
	}
	if !found || !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("%w: /proc/self/cgroup has no cgroup v2 line (a cgroup v1 host)", ErrNoCgroup)
	}
	for line := range strings.Lines(string(mountinfo)) {
		mount, fs, ok := strings.Cut(line, " - ")
		if !ok || !strings.HasPrefix(fs, "cgroup2 ") {
			continue
		}
		f := strings.Fields(mount)
		if len(f) < 5 {
			continue
		}
		root, point := unescapeMount(f[3]), unescapeMount(f[4])
		if rel, ok := below(path, root); ok {
			return filepath.Join(point, rel), nil
		}
	}
	return "", fmt.Errorf("%w: no cgroup2 mount holds this process's cgroup %s", ErrNoCgroup, path)
}

// below returns path relative to root, if path is root or below it.
func below(path, root string) (string, bool) {
	switch {
	case root == "/":
		return path, true
	case path == root:
		return "/", true
	case strings.HasPrefix(path, root+"/"):
		return path[len(root):], true
	}
	return "", false
}

// unescapeMount undoes mountinfo's octal escapes of spaces, tabs, newlines and
// backslashes ("\040").
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cloneIntoCgroup reports whether clone3 can start a child straight into a cgroup here
// (CLONE_INTO_CGROUP: Linux 5.7; a seccomp filter, as in some containers, may refuse
// clone3 with ENOSYS or EPERM). It asks the kernel with arguments that it refuses before
// any fork: a struct of the size that carries the cgroup field, that field set, and an
// exit signal out of range. Linux 5.7 and later refuse the signal (EINVAL); older ones,
// which know a shorter struct, refuse the size with its field set (E2BIG).
func cloneIntoCgroup() bool {
	var args struct {
		flags, pidfd, childTID, parentTID, exitSignal, stack, stackSize, tls, setTID, setTIDSize, cgroup uint64
	}
	args.exitSignal = 1 << 8 // past CSIGNAL
	args.cgroup = 1
	_, _, errno := unix.Syscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args), 0)
	return errno == unix.EINVAL
}
