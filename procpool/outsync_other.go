//go:build !unix

package procpool

// nonblockingReads: elsewhere output is forwarded with plain reads, and a result does not
// wait for it.
const nonblockingReads = false

func readNonblock(uintptr, []byte) (int, bool, error) { return 0, false, nil }

// poller: elsewhere streams are not synced (see nonblockingReads).
type poller struct{}

func (poller) readable(uintptr, uintptr) (bool, bool) { return true, true }
