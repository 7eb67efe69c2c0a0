package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// pluginPkg is go-plugin's KV example plugin over gRPC, a package of the go-plugin module.
const pluginPkg = "github.com/hashicorp/go-plugin/examples/grpc/plugin-go-grpc"

// buildPlugin builds the plugin into dir with the go command and returns its path; its
// build cache makes this quick after the first time.
func buildPlugin(dir string) (string, error) {
	bin := filepath.Join(dir, "kv-plugin")
	fmt.Fprintf(os.Stderr, "supervise: building %s into %s\n", pluginPkg, dir)
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command to build the plugin with: build %s and give it with -plugin", pluginPkg)
	}
	cmd := exec.Command(goTool, "build", "-o", bin, pluginPkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w", pluginPkg, err)
	}
	return bin, nil
}
