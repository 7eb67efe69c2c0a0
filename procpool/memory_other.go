//go:build !linux

package procpool

import "github.com/shirou/gopsutil/v4/process"

// privateMemory returns the RSS of a process where gopsutil cannot read its USS: an
// overestimate that counts the pages it shares with other processes.
func privateMemory(pid int) (uint64, error) {
	proc, err := process.NewProcess(int32(pid))
	if err != nil {
		return 0, err
	}
	m, err := proc.MemoryInfo()
	if err != nil {
		return 0, err
	}
	return m.RSS, nil
}

// residentMemory is privateMemory where only the RSS can be read.
func residentMemory(pid int) (uint64, error) { return privateMemory(pid) }
