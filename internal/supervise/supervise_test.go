package supervise_test

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/internal/supervise"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRecord(t *testing.T) {
	rule := supervise.Intensity{N: 2, Period: time.Minute}
	var r supervise.Record
	now := time.Now()
	var backoffs []time.Duration
	for i := range 3 {
		b, broke := r.Count(rule, now.Add(time.Duration(i)*time.Second))
		backoffs = append(backoffs, b)
		assert.Equal(t, i == 2, broke, "death %d", i+1)
	}
	assert.Equal(t, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}, backoffs)

	r.Clear()
	_, broke := r.Count(rule, now.Add(time.Hour))
	assert.False(t, broke, "a served task clears the record")

	var old supervise.Record
	old.Count(rule, now)
	old.Count(rule, now.Add(time.Second))
	_, broke = old.Count(rule, now.Add(2*time.Minute))
	assert.False(t, broke, "deaths older than the period are forgotten")

	var many supervise.Record
	var b time.Duration
	for i := range 20 {
		b, _ = many.Count(supervise.Intensity{N: 100, Period: time.Hour}, now.Add(time.Duration(i)))
	}
	assert.Equal(t, time.Second, b, "the back-off stops at a second")
}

func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		toldToExit, byPool, busy bool
		answered                 uint64
		want                     bool
	}{
		{"died idle, having served", false, false, false, 7, true},
		{"died on its first task", false, false, true, 0, true},
		{"died on a task, having served others", false, false, true, 7, false},
		{"told to exit", true, false, false, 0, false},
		{"killed by the pool", false, true, true, 0, false},
	} {
		assert.Equal(t, tc.want, supervise.Counts(tc.toldToExit, tc.byPool, tc.busy, tc.answered), tc.name)
	}
}

func TestSpawnerKillGroupAndExitStatus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process groups and Pdeathsig are Linux's")
	}
	s := supervise.NewSpawner()
	defer s.Stop()
	// A shell that starts a grandchild and waits: killing the group kills both.
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	require.NoError(t, s.Start(cmd, nil))
	pgid, err := syscall.Getpgid(cmd.Process.Pid)
	require.NoError(t, err)
	assert.Equal(t, cmd.Process.Pid, pgid, "the child leads a process group of its own")
	time.Sleep(50 * time.Millisecond) // let the shell start its sleep
	supervise.KillGroup(cmd.Process.Pid)
	cmd.Wait()
	code, sig := supervise.ExitStatus(cmd.ProcessState)
	assert.Equal(t, -1, code)
	assert.Equal(t, "SIGKILL", supervise.SignalName(sig))
	assert.Eventually(t, func() bool { return len(alive(pgid)) == 0 }, 5*time.Second, 10*time.Millisecond,
		"no live process left in the group")
}

// alive returns the processes of group pgid that are not zombies, from /proc.
func alive(pgid int) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" && f[0] != "X" {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

func TestMemory(t *testing.T) {
	rss, err := supervise.ResidentMemory(os.Getpid())
	require.NoError(t, err)
	uss, err := supervise.PrivateMemory(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, uss, uint64(0))
	assert.GreaterOrEqual(t, rss, uss, "the RSS bounds the private memory")
}
