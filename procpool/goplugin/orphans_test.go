package goplugin_test

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/internal/proctest"
)

// TestNoOrphans: when the host dies, even by SIGKILL, its plugin processes die with it
// (go-plugin alone leaves them running: hashicorp/go-plugin#210).
func TestNoOrphans(t *testing.T) { killHostOfTwoPlugins(t, envHost+"="+pluginBin) }

// killHostOfTwoPlugins starts this test binary as a host with env, which prints the pids
// of its two plugin processes and then "ready"; SIGKILLs it; and checks that the plugins
// die with it.
func killHostOfTwoPlugins(t *testing.T, env string) {
	t.Helper()
	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), env)
	out, err := host.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, host.Start())
	var pids []int
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		pid, err := strconv.Atoi(sc.Text())
		require.NoError(t, err, "host printed %q", sc.Text())
		pids = append(pids, pid)
	}
	require.Len(t, pids, 2)
	for _, pid := range pids {
		require.True(t, proctest.Alive(pid), "plugin %d before the host dies", pid)
	}
	require.NoError(t, host.Process.Kill())
	host.Wait()
	proctest.Eventually(t, 10*time.Second, func() bool { return !proctest.Alive(pids[0]) && !proctest.Alive(pids[1]) },
		"the plugins die with their host")
}
