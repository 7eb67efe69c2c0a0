package main

import (
	"fmt"
	"os"
	"os/exec"
)

// The runner re-executes itself for its process-side peers; the environment variable
// roleEnv tells the child which part to play.
const roleEnv = "DUALPOOL_BENCH_ROLE"

const (
	rolePipe   = "pipe"   // raw pipe ping-pong server (rawpipe.go)
	rolePlugin = "plugin" // go-plugin server (goplugin.go)
	roleCrash  = "crash"  // one crash-isolation scenario (crash.go)
)

// serveRole plays the child role named in the environment, if any, and exits. It
// returns at once in the runner itself.
func serveRole() {
	role := os.Getenv(roleEnv)
	if role == "" {
		return
	}
	// Children of this child (a crash scenario's plugins) get their own role.
	_ = os.Unsetenv(roleEnv)
	var err error
	switch role {
	case rolePipe:
		err = servePipe(os.Stdin, os.Stdout)
	case rolePlugin:
		servePlugin()
	case roleCrash:
		err = crashChild(os.Args[1:])
	default:
		err = fmt.Errorf("unknown %s=%q", roleEnv, role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dualpool-bench:", role+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// selfCommand returns a command that runs this binary in role, with args.
func selfCommand(role string, args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), roleEnv+"="+role)
	cmd.Stderr = os.Stderr
	return cmd, nil
}
