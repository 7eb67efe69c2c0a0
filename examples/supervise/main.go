// Command supervise is a host that supervises go-plugin's own KV example plugin, a gRPC
// plugin that knows nothing of dualpool, with goplugin.Supervise: the plugin crashes in
// the middle of a call, then hangs, and each costs that one call. The Supervisor reports
// each failure by its type, restarts the plugin, re-configures it (WithReinit) and serves
// on.
//
//	go run ./examples/supervise
//
// builds the plugin (github.com/hashicorp/go-plugin/examples/grpc/plugin-go-grpc, at the
// version in go.mod) into a temporary directory with the go command first, and removes
// it when it ends; -plugin names a plugin binary built ahead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

func main() {
	bin := flag.String("plugin", "", "the KV plugin binary (default: built into a temporary directory)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "dualpool-supervise-")
	if err == nil {
		if *bin == "" {
			*bin, err = buildPlugin(dir)
		}
		if err == nil {
			err = run(*bin, dir)
		}
		os.RemoveAll(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "supervise:", err)
		os.Exit(1)
	}
}

func run(bin, dir string) error {
	config := func() *plugin.ClientConfig { // go-plugin's host config, called for every start
		cmd := exec.Command(bin)
		cmd.Dir = dir // the plugin keeps its values in files there
		return &plugin.ClientConfig{
			HandshakeConfig:  shared.Handshake,
			Plugins:          shared.PluginMap,
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		}
	}
	var starts atomic.Int32
	reinit := func(ctx context.Context, kv shared.KV) error { // every fresh plugin is configured again
		return kv.Put("greeting", fmt.Appendf(nil, "hello from start %d", starts.Add(1)))
	}
	sup, err := goplugin.Supervise[shared.KV](config, shared.PluginGRPC, goplugin.WithReinit(reinit),
		goplugin.WithPoolOptions(procpool.WithWorkers(1), procpool.WithKillGrace(200*time.Millisecond)))
	if err != nil {
		return err
	}
	defer sup.Close()
	fmt.Println("--- go-plugin's KV example plugin over gRPC, one supervised instance ---")
	ctx := context.Background()
	get := func(ctx context.Context, kv shared.KV) ([]byte, error) { return kv.Get("greeting") }

	v, err := goplugin.Call(ctx, sup, get)
	report("get greeting", v, err, sup)

	pid := instance(sup)
	v, err = goplugin.Call(ctx, sup, func(ctx context.Context, kv shared.KV) ([]byte, error) {
		signal(pid, syscall.SIGKILL) // the plugin crashes in the middle of the call
		return kv.Get("greeting")
	})
	report("get, crashing", v, err, sup)
	v, err = goplugin.Call(ctx, sup, get)
	report("get greeting", v, err, sup)

	signal(instance(sup), syscall.SIGSTOP) // the plugin hangs
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	v, err = goplugin.Call(cctx, sup, get)
	report("get, hung", v, err, sup)
	v, err = goplugin.Call(ctx, sup, get)
	report("get greeting", v, err, sup)

	st := sup.Stats()
	fmt.Printf("--- %d calls: %d ok, %d failed; %d restarts ---\n", st.Submitted, st.Completed, st.Failed, st.PerWorker[0].Restarts)
	return sup.Close()
}

// instance waits for the instance to be ready and returns its plugin's pid.
func instance(sup *goplugin.Supervisor[shared.KV]) int {
	for {
		if st := sup.Stats(); len(st.PerWorker) == 1 {
			return st.PerWorker[0].PID
		}
		time.Sleep(10 * time.Millisecond) // a restart takes a few ms
	}
}

// signal sends sig to the plugin's process and returns once it has taken effect: a
// process running on another CPU stops or dies a moment after kill returns. It reads the
// process's state in Linux's /proc.
func signal(pid int, sig syscall.Signal) {
	syscall.Kill(pid, sig)
	for range 1000 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return // gone
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && strings.ContainsAny(f[0], "TZX") {
			return // stopped or dead
		}
		time.Sleep(time.Millisecond)
	}
}

// report prints a call's outcome, naming a failure by its type.
func report(name string, v []byte, err error, sup *goplugin.Supervisor[shared.KV]) {
	var exitErr *executor.WorkerExitError
	var killedErr *executor.KilledError
	switch {
	case err == nil:
		first, _, _ := strings.Cut(string(v), "\n")
		fmt.Printf("%-14s = %q (restarts so far: %d)\n", name, first, sup.Stats().PerWorker[0].Restarts)
	case errors.As(err, &killedErr):
		fmt.Printf("%-14s *executor.KilledError: still running %v after its deadline, killed with its plugin (matches the deadline: %v)\n",
			name, killedErr.Grace, errors.Is(err, context.DeadlineExceeded))
	case errors.As(err, &exitErr):
		fmt.Printf("%-14s *executor.WorkerExitError: %s\n", name, strings.TrimPrefix(exitErr.Error(), fmt.Sprintf("executor: worker %d ", exitErr.PID)))
	default:
		fmt.Printf("%-14s error: %v\n", name, err)
	}
}
