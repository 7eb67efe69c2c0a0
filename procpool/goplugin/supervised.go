package goplugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// supervised is the [procpool.Transport] of a Supervisor: each Start is a go-plugin
// client of a new plugin process, run by a procRunner so that the pool owns the process,
// and dispensed as a T; the Conn it returns is an instance, which serves the pool's
// frames in the host.
type supervised[T any] struct {
	config func() *plugin.ClientConfig
	name   string
	cfg    *config
	reinit func(context.Context, T) error
	calls  *callTable[T]

	// running counts the goroutines running calls, on every instance.
	running sync.WaitGroup
}

// checkClientConfig refuses what a Supervisor cannot start, and returns the plugin's path.
func checkClientConfig(cc *plugin.ClientConfig, name string) (string, error) {
	switch {
	case cc == nil:
		return "", errors.New("config returned a nil ClientConfig")
	case cc.Reattach != nil:
		return "", errors.New("the ClientConfig has Reattach: a Supervisor starts its plugin's processes itself")
	case cc.RunnerFunc != nil:
		return "", errors.New("the ClientConfig has a RunnerFunc: a Supervisor runs its plugin's processes itself, from Cmd")
	case cc.Cmd == nil:
		return "", errors.New("the ClientConfig has no Cmd")
	case cc.Cmd.Process != nil:
		return "", errors.New("the ClientConfig's Cmd was already started: config must return a new exec.Cmd every time")
	case cc.Cmd.Err != nil:
		return "", fmt.Errorf("the ClientConfig's Cmd: %w", cc.Cmd.Err)
	}
	found := cc.Plugins[name] != nil
	for _, set := range cc.VersionedPlugins {
		found = found || set[name] != nil
	}
	if !found {
		return "", fmt.Errorf("%w: %q is not in the ClientConfig's Plugins or VersionedPlugins", ErrDispense, name)
	}
	return cc.Cmd.Path, nil
}

// Start implements [procpool.Transport]: a new plugin process, its handshake, the T
// dispensed and reinit run on it.
func (s *supervised[T]) Start(spec *procpool.Spec) (procpool.Conn, error) {
	cc := s.config()
	path, err := checkClientConfig(cc, s.name)
	if err != nil {
		return nil, fmt.Errorf("goplugin: %w", err)
	}
	codec, err := specCodec(spec)
	if err != nil {
		return nil, err
	}
	if err := s.checkSum(cc, path); err != nil {
		return nil, err
	}
	var r *procRunner
	client := plugin.NewClient(s.clientConfig(cc, spec, &r))
	proto, err := client.Client()
	if err != nil {
		return nil, startError(client, r, path, cc.MagicCookieKey, spec.StartTimeout, err)
	}
	abort := func(err error) (procpool.Conn, error) {
		r.killGroup()
		client.Kill()
		return nil, err
	}
	raw, err := proto.Dispense(s.name)
	if err != nil {
		return abort(fmt.Errorf("%w: plugin %s: %w", ErrDispense, path, err))
	}
	t, ok := raw.(T)
	if !ok {
		return abort(fmt.Errorf("%w: plugin %s dispenses %q as a %T, which is not a %v", ErrDispense, path, s.name, raw, reflect.TypeFor[T]()))
	}
	if s.reinit != nil {
		if err := s.runReinit(t, r, spec.StartTimeout); err != nil {
			return abort(fmt.Errorf("goplugin: plugin %s (pid %d): reinit: %w", path, r.cmd.Process.Pid, err))
		}
	}
	return newInstance(s, client, proto, r, t, codec), nil
}

// clientConfig is cc as go-plugin gets it: the process run by a procRunner of the pool's,
// from cc's Cmd; the checksum checked already; the pool's start timeout and logger unless
// cc has its own.
func (s *supervised[T]) clientConfig(cc *plugin.ClientConfig, spec *procpool.Spec, rp **procRunner) *plugin.ClientConfig {
	c := *cc
	cmd := cc.Cmd
	c.Cmd, c.SecureConfig = nil, nil
	c.VersionedPlugins = maps.Clone(cc.VersionedPlugins) // go-plugin adds to it
	c.RunnerFunc = func(_ hclog.Logger, pc *exec.Cmd, _ string) (runner.Runner, error) {
		// pc is go-plugin's: its Env has the cookie, the host's environment unless
		// SkipHostEnv, and the socket directory.
		x := &exec.Cmd{Path: cmd.Path, Args: cmd.Args, Dir: cmd.Dir, ExtraFiles: cmd.ExtraFiles,
			Env: append(slices.Clip(cmd.Env), pc.Env...)}
		*rp = &procRunner{cmd: x, spec: spec}
		return *rp, nil
	}
	c.AutoMTLS = c.AutoMTLS || s.cfg.autoMTLS
	if c.StartTimeout == 0 {
		c.StartTimeout = spec.StartTimeout
	}
	if c.Logger == nil {
		c.Logger = newSlogLogger(s.cfg.logger, "plugin")
	}
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	return &c
}

// checkSum checks the binary against WithChecksum's sum and cc's SecureConfig, which
// go-plugin cannot check itself when the process is started by a runner.
func (s *supervised[T]) checkSum(cc *plugin.ClientConfig, path string) error {
	if sc := cc.SecureConfig; sc != nil {
		ok, err := sc.Check(path)
		if err != nil {
			return fmt.Errorf("goplugin: checking plugin %s: %w", path, err)
		}
		if !ok {
			return fmt.Errorf("goplugin: plugin %s: %w", path, plugin.ErrChecksumsDoNotMatch)
		}
	}
	if s.cfg.checksum == nil {
		return nil
	}
	got, err := fileSum(path)
	if err != nil {
		return fmt.Errorf("goplugin: checking plugin %s: %w", path, err)
	}
	if !bytes.Equal(got, s.cfg.checksum) {
		return &ChecksumError{Path: path, Got: got, Want: s.cfg.checksum}
	}
	return nil
}

func fileSum(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// runReinit runs the reinit hook on a fresh instance within timeout; a hook still
// running then has its ctx cancelled and its plugin killed, which ends its calls.
func (s *supervised[T]) runReinit(t T, r *procRunner, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- protect(func() error { return s.reinit(ctx, t) }) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		r.killGroup()
		<-done
	}
	if ctx.Err() != nil { // what it did after its ctx ended does not count
		return fmt.Errorf("did not return within %v (procpool.WithStartTimeout)", timeout)
	}
	return err
}

// protect calls f, recovering a panic into an *executor.PanicError.
func protect(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &executor.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

// specCodec is the codec the pool encodes arguments with, from the worker environment
// that package ipc describes.
func specCodec(spec *procpool.Spec) (ipc.Codec, error) {
	const key = "DUALPOOL_CODEC="
	for _, kv := range spec.WorkerEnv {
		if name, ok := strings.CutPrefix(kv, key); ok {
			c, found := ipc.LookupCodec(name)
			if !found {
				return nil, fmt.Errorf("goplugin: codec %q is not registered", name)
			}
			return c, nil
		}
	}
	return ipc.Binary, nil
}
