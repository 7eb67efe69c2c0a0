package goplugin_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// pluginBin is the test plugin (internal/testplugin), built once per test binary; a
// copy of it, pluginBin2, stands for a second plugin binary.
var pluginBin, pluginBin2 string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "goplugin-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	pluginBin = filepath.Join(dir, "testplugin")
	pluginBin2 = filepath.Join(dir, "testplugin2")
	for _, bin := range []string{pluginBin, pluginBin2} {
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./internal/testplugin")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go %v: %v\n%s", args, err, out)
			return 1
		}
	}
	goleak.VerifyTestMain(m) // exits
	return 0
}
