//go:build unix

package procpool

import "syscall"

// nonblockingReads: output pipes are read with read(2) on their non-blocking descriptors.
const nonblockingReads = true

// readNonblock reads once from the non-blocking fd; again means it holds nothing now.
func readNonblock(fd uintptr, buf []byte) (n int, again bool, err error) {
	for {
		n, err = syscall.Read(int(fd), buf)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, true, nil
		}
		return n, false, err
	}
}
