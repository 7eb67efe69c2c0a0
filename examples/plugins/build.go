package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
)

// plugins are the plugin binaries the host starts, by the package that builds each.
var plugins = []struct{ name, pkg string }{
	{"goodplugin", "github.com/dualpool/dualpool/examples/plugins/goodplugin"},
	{"thirdparty", "github.com/dualpool/dualpool/examples/plugins/thirdparty"},
}

// pluginDir returns the directory that holds the plugin binaries, and a cleanup for it.
// A -dir given by the user is taken as it is. Without one, binaries next to the host's
// own (go build -o DIR/ ./examples/plugins/...) are used; failing that, as under
// go run, the host builds them into a temporary directory with the go command, which
// its build cache makes quick after the first time. log hears what is built where.
func pluginDir(dir string, log io.Writer) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	if exe, err := os.Executable(); err == nil && hasPlugins(filepath.Dir(exe)) {
		return filepath.Dir(exe), func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "dualpool-plugins-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	if err := buildPlugins(tmp, log); err != nil {
		cleanup()
		return "", nil, err
	}
	return tmp, cleanup, nil
}

// hasPlugins reports whether dir holds every plugin binary.
func hasPlugins(dir string) bool {
	for _, p := range plugins {
		if fi, err := os.Stat(filepath.Join(dir, p.name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// buildPlugins runs go build for every plugin into dir, with -race when the host was
// built with it. When there is no go command, or the build fails, the error says which
// command to run by hand.
func buildPlugins(dir string, log io.Writer) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceBuilt() {
		args = append(args, "-race")
	}
	for _, p := range plugins {
		args = append(args, p.pkg)
	}
	out := filepath.Join(os.TempDir(), "plugins")
	byHand := fmt.Sprintf("from a clone of github.com/dualpool/dualpool, run\n\tgo build -o %s%c ./examples/plugins/... && %s",
		out, filepath.Separator, filepath.Join(out, "plugins"))
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the plugin binaries are not next to this program, and there is no go command to build them: %s", byHand)
	}
	fmt.Fprintf(log, "plugins: building goodplugin and thirdparty into %s\n", dir)
	cmd := exec.Command(goTool, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build of the plugins: %w; %s", err, byHand)
	}
	if !hasPlugins(dir) {
		return errors.New("go build wrote no plugin binaries; " + byHand)
	}
	return nil
}

// raceBuilt reports whether this binary was built with the race detector.
func raceBuilt() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}
