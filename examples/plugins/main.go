// Command plugins is a host that runs two plugin binaries through hashicorp/go-plugin,
// each in its own pool of processes: goodplugin, well-behaved, and thirdparty, which
// panics, exits, hangs or leaks memory on some inputs. Each failure costs one task; the
// host reports it by its error type, the plugin process is replaced, and both pools keep
// serving. The binaries are pinned by their SHA-256 and talk over mutual TLS.
//
//	go run ./examples/plugins
//
// builds the two plugins into a temporary directory with the go command first (the host
// does it itself, and removes them when it ends). Built ahead, they are found next to
// the host, or in -dir:
//
//	go build -o /tmp/plugins/ ./examples/plugins/...  # the host and both plugins
//	/tmp/plugins/plugins
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dualpool/dualpool/examples/plugins/thumbnail"
	"github.com/dualpool/dualpool/examples/plugins/wordcount"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

func main() {
	dir := flag.String("dir", "", "the directory of the goodplugin and thirdparty binaries (default: next to this program, or built into a temporary directory)")
	timeout := flag.Duration("timeout", 500*time.Millisecond, "the deadline of each thumbnail task")
	grace := flag.Duration("grace", 200*time.Millisecond, "how long a task may run past its deadline before its plugin is killed")
	flag.Parse()
	pluginsDir, cleanup, err := pluginDir(*dir, os.Stderr)
	if err == nil {
		err = run(pluginsDir, *timeout, *grace)
		cleanup()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugins:", err)
		os.Exit(1)
	}
}

func run(dir string, timeout, grace time.Duration) error {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)) // plugins' hclog lines land here too

	// One pool per plugin binary, each pinned to the binary's checksum.
	words, err := start(filepath.Join(dir, "goodplugin"), logger)
	if err != nil {
		return err
	}
	defer words.Close()
	thumbs, err := start(filepath.Join(dir, "thirdparty"), logger,
		procpool.WithKillGrace(grace), procpool.WithMemoryLimit(0, 128<<20))
	if err != nil {
		return err
	}
	defer thumbs.Close()
	fmt.Println("--- goodplugin and thirdparty, 2 plugin processes each ---")

	count := func(text string) {
		n, err := call(ctx, words, wordcount.Count, text, 0)
		report(fmt.Sprintf("count(%q)", text), n, err)
	}
	count("the quick brown fox")
	failed := 0
	sizes := []int{64, 13, 0, 999, 8192, 128}
	for _, size := range sizes {
		s, err := call(ctx, thumbs, thumbnail.Resize, size, timeout)
		if err != nil {
			failed++
		}
		report(fmt.Sprintf("resize(%d)", size), s, err)
	}
	count("and the good plugin never noticed")

	restarts := func(p *procpool.Pool) (n int) {
		for range 500 { // until the replacements are up
			if s := p.Stats(); s.Workers == 2 {
				for _, w := range s.PerWorker {
					n += w.Restarts
				}
				return n
			}
			time.Sleep(10 * time.Millisecond)
		}
		return -1
	}
	fmt.Printf("--- thirdparty: %d of %d tasks failed, %d plugin restarts; goodplugin: %d restarts ---\n",
		failed, len(sizes), restarts(thumbs), restarts(words))
	return errors.Join(thumbs.Close(), words.Close())
}

// start starts a pool of 2 processes of the plugin at path, pinned to its current
// SHA-256 (a real host would ship the sum with its configuration) and over mutual TLS.
func start(path string, logger *slog.Logger, opts ...procpool.Option) (*procpool.Pool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return goplugin.New(path, goplugin.WithChecksum(sum[:]), goplugin.WithAutoMTLS(), goplugin.WithLogger(logger),
		goplugin.WithPoolOptions(append(opts, procpool.WithWorkers(2))...))
}

// call runs f(in) on p, with a deadline when timeout > 0.
func call[In, Out any](ctx context.Context, p *procpool.Pool, f executor.Func[In, Out], in In, timeout time.Duration) (Out, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	fut, err := executor.Submit(ctx, p, f, in)
	if err != nil {
		return *new(Out), err
	}
	return fut.Result(context.Background())
}

// report prints a task's outcome, naming a failure by its type.
func report(name string, v any, err error) {
	var (
		panicErr  *executor.PanicError
		exitErr   *executor.WorkerExitError
		killedErr *executor.KilledError
		memErr    *executor.MemoryLimitError
	)
	switch {
	case err == nil:
		fmt.Printf("%-14s = %v\n", name, v)
	case errors.As(err, &panicErr):
		fmt.Printf("%-14s *executor.PanicError: %v (the plugin recovered and lives on)\n", name, panicErr.Value)
	case errors.As(err, &killedErr):
		fmt.Printf("%-14s *executor.KilledError: still running %v after its deadline, killed with its plugin process\n", name, killedErr.Grace)
	case errors.As(err, &memErr):
		fmt.Printf("%-14s *executor.MemoryLimitError: over %d MiB, killed with its plugin process\n", name, memErr.Limit>>20)
	case errors.As(err, &exitErr):
		fmt.Printf("%-14s *executor.WorkerExitError: the plugin exited with code %d; its stderr says %q\n",
			name, exitErr.ExitCode, lastLine(exitErr.Stderr))
	default:
		fmt.Printf("%-14s error: %v\n", name, err)
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
