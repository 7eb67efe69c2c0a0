package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPlugins runs the host as go run ./examples/plugins does: built alone into a
// temporary directory, with no plugin binaries beside it, so that it builds them itself.
func TestPlugins(t *testing.T) {
	host := exampletest.Build(t)
	out := exampletest.MustRun(t, host, "-timeout", "1s", "-grace", "200ms")

	// Every outcome in order, each failure by its type; the good plugin's pool is never
	// touched, the third-party one restarts a process per death and serves on.
	want := `--- goodplugin and thirdparty, 2 plugin processes each ---
count("the quick brown fox") = 4
resize(64)     = thumbnail 64x64
resize(13)     *executor.PanicError: thumbnail: unlucky size 13 (the plugin recovered and lives on)
resize(0)      *executor.WorkerExitError: the plugin exited with code 3; its stderr says "thumbnail: size 0: giving up"
resize(999)    *executor.KilledError: still running 200ms after its deadline, killed with its plugin process
resize(8192)   *executor.MemoryLimitError: over 128 MiB, killed with its plugin process
resize(128)    = thumbnail 128x128
count("and the good plugin never noticed") = 6
--- thirdparty: 4 of 6 tasks failed, 3 plugin restarts; goodplugin: 0 restarts ---
`
	if out.Stdout != want {
		t.Errorf("plugins printed:\n%s\nwant:\n%s\nstderr:\n%s", out.Stdout, want, out.Stderr)
	}
	// The plugin's own stderr line, and its hclog lines through the host's slog logger.
	for _, s := range []string{"thumbnail: size 0: giving up\n", "level=INFO msg=resizing logger=plugin.thirdparty"} {
		if !strings.Contains(out.Stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, out.Stderr)
		}
	}
	// The plugins were built into a directory of their own, which is gone with the host,
	// and no plugin process outlives it.
	_, after, ok := strings.Cut(out.Stderr, "plugins: building goodplugin and thirdparty into ")
	dir, _, _ := strings.Cut(after, "\n")
	if !ok || !filepath.IsAbs(dir) {
		t.Fatalf("stderr does not say where the plugins were built:\n%s", out.Stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the plugins' directory %s outlives the host: %v", dir, err)
	}
	exampletest.CheckNoProcessesIn(t, dir)
}
