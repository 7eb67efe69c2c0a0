package procpool

import "github.com/shirou/gopsutil/v4/process"

// privateMemory returns the USS of a process: its private pages, clean and dirty, from
// /proc/pid/smaps_rollup (gopsutil).
func privateMemory(pid int) (uint64, error) {
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
