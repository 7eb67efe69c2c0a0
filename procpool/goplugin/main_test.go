package goplugin_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// pluginBin is the test plugin (internal/testplugin), built once per test binary; a
// copy of it, pluginBin2, stands for a second plugin binary.
var pluginBin, pluginBin2 string

// go-plugin's own example plugins, unmodified, built once per test binary: the KV store
// over gRPC and over net/rpc, and the net/rpc Greeter.
var kvGRPCBin, kvNetRPCBin, greeterBin string

// examplePlugins are the packages of go-plugin's example plugins, at the version in go.mod.
var examplePlugins = map[*string]string{
	&kvGRPCBin:   "github.com/hashicorp/go-plugin/examples/grpc/plugin-go-grpc",
	&kvNetRPCBin: "github.com/hashicorp/go-plugin/examples/grpc/plugin-go-netrpc",
	&greeterBin:  "github.com/hashicorp/go-plugin/examples/basic/plugin",
}

// envHost makes the test binary a host that starts a pool of the plugin it names, prints
// the plugins' pids and waits to be killed; see TestNoOrphans.
const envHost = "GOPLUGIN_TEST_HOST"

func TestMain(m *testing.M) {
	if bin := os.Getenv(envHost); bin != "" {
		os.Exit(hostMain(bin))
	}
	if bin := os.Getenv(envSuperviseHost); bin != "" {
		os.Exit(superviseHostMain(bin))
	}
	os.Exit(run(m))
}

func hostMain(bin string) int {
	p, err := goplugin.New(bin, goplugin.WithPoolOptions(procpool.WithWorkers(2), procpool.WithEnv("GORACE=atexit_sleep_ms=0")))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	for p.Stats().Workers < 2 {
		time.Sleep(10 * time.Millisecond) // a helper process: polling is fine here
	}
	for _, w := range p.Stats().PerWorker {
		fmt.Println(w.PID)
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	return 0
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
	for bin, pkg := range examplePlugins {
		*bin = filepath.Join(dir, filepath.Base(pkg))
		if out, err := exec.Command("go", "build", "-o", *bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	// goleak.VerifyTestMain's check, without its os.Exit, so that dir is removed.
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	return code
}
