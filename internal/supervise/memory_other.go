//go:build !linux

package supervise

import "github.com/shirou/gopsutil/v4/process"

// PrivateMemory returns the RSS of a process where gopsutil cannot read its USS: an
// overestimate that counts the pages it shares with other processes.
func PrivateMemory(pid int) (uint64, error) {
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

// ResidentMemory is PrivateMemory where only the RSS can be read.
func ResidentMemory(pid int) (uint64, error) { return PrivateMemory(pid) }
