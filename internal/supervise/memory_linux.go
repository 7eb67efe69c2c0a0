package supervise

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// PrivateMemory returns the USS of a process: its private pages, clean and dirty, from
// /proc/pid/smaps_rollup (gopsutil).
func PrivateMemory(pid int) (uint64, error) {
	proc, err := process.NewProcess(int32(pid))
	if err != nil {
		return 0, err
	}
	maps, err := proc.MemoryMaps(true)
	if err != nil || maps == nil || len(*maps) == 0 {
		return 0, err
	}
	m := (*maps)[0]
	return (m.PrivateClean + m.PrivateDirty) << 10, nil // kB
}

// ResidentMemory returns the RSS of a process from /proc/pid/statm: cheap, and an upper
// bound of its private memory.
func ResidentMemory(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0, fmt.Errorf("supervise: /proc/%d/statm: %q", pid, b)
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	return pages * uint64(os.Getpagesize()), err
}
