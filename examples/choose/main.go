// Command choose picks a backend per workload, in code: fetching pages, which mostly
// waits on the network, runs on a threadpool; parsing documents with a parser that may
// crash or hang runs on a procpool, where a crash costs one task and a hang is killed.
// The code that submits the tasks and reports their outcomes is written once, against
// executor.Executor, and serves both.
//
//	go run ./examples/choose
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// Page is a page to fetch: the server and the path. It prints as its path.
type Page struct{ Base, Path string }

func (p Page) String() string { return p.Path }

// fetch returns the size of a page. It waits on the network and honours its ctx: a
// threadpool suits it.
var fetch = executor.Register("choose.fetch", func(ctx context.Context, p Page) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Base+p.Path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("server answered %s", resp.Status)
	}
	return io.Copy(io.Discard, resp.Body)
})

// parse counts the words of a document with a parser we do not trust, standing in for
// cgo or third-party code: it exits the process on an unbalanced quote and loops for ever,
// deaf to its ctx, on a trailing backslash. Only a procpool can contain that.
var parse = executor.Register("choose.parse", func(_ context.Context, doc string) (int, error) {
	if strings.Count(doc, `"`)%2 != 0 {
		fmt.Fprintln(os.Stderr, "parser: unbalanced quote; aborting")
		os.Exit(70)
	}
	for strings.HasSuffix(doc, `\`) {
		time.Sleep(time.Second) // an endless loop that never looks at its ctx
	}
	return len(strings.Fields(doc)), nil
})

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	timeout := flag.Duration("timeout", time.Second, "each task's deadline, from its submission")
	grace := flag.Duration("grace", 200*time.Millisecond, "how long a task may run past its deadline before the procpool kills its worker")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *timeout, *grace); err != nil {
		fmt.Fprintln(os.Stderr, "choose:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, timeout, grace time.Duration) error {
	srv := httptest.NewServer(pages())
	defer srv.Close()

	// I/O: many cheap goroutines, no process boundary to cross.
	ioPool, err := threadpool.New(threadpool.WithMaxWorkers(8))
	if err != nil {
		return err
	}
	defer ioPool.Close()
	var toFetch []Page
	for _, path := range []string{"/pages/a", "/pages/b", "/pages/slow", "/pages/c"} {
		toFetch = append(toFetch, Page{srv.URL, path})
	}
	fmt.Println("--- I/O: fetching pages on a threadpool of 8 workers ---")
	fetched := process(ctx, ioPool, fetch, toFetch, timeout)

	// Crash-prone: each task in a worker process, killed if it outlives its deadline.
	riskyPool, err := procpool.New(procpool.WithWorkers(2), procpool.WithKillGrace(grace))
	if err != nil {
		return err
	}
	defer riskyPool.Close()
	docs := []string{"one two three", `say "hi`, "four five", `loop \`, "six"}
	fmt.Println("--- crash-prone: parsing documents on a procpool of 2 workers ---")
	parsed := process(ctx, riskyPool, parse, docs, timeout)

	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Printf("--- fetched %d of %d pages, parsed %d of %d documents; the program lives on ---\n",
		fetched, len(toFetch), parsed, len(docs))
	return errors.Join(ioPool.Close(), riskyPool.Close())
}

// process runs f on every input on ex, each with its own deadline, and reports the
// outcomes in input order; it returns how many succeeded. It knows nothing of the
// backend: the same code serves the threadpool and the procpool.
func process[In, Out any](ctx context.Context, ex executor.Executor, f executor.Func[In, Out], inputs []In, timeout time.Duration) (ok int) {
	futures := make([]*executor.Future[Out], len(inputs))
	for i, in := range inputs {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		fut, err := executor.Submit(tctx, ex, f, in)
		if err != nil {
			fmt.Printf("%s(%s) not submitted: %v\n", f.Name(), quote(in), err)
			continue
		}
		futures[i] = fut
	}
	for i, fut := range futures {
		if fut == nil {
			continue
		}
		v, err := fut.Result(ctx)
		if err != nil {
			fmt.Printf("%s(%s) failed: %s\n", f.Name(), quote(inputs[i]), describe(err))
			continue
		}
		fmt.Printf("%s(%s) = %v\n", f.Name(), quote(inputs[i]), v)
		ok++
	}
	return ok
}

// quote prints a task's input as a quoted string.
func quote(in any) string { return strconv.Quote(fmt.Sprint(in)) }

// describe names the kind of a task's failure.
func describe(err error) string {
	var (
		exitErr   *executor.WorkerExitError
		killedErr *executor.KilledError
	)
	switch {
	case errors.As(err, &exitErr):
		return fmt.Sprintf("its worker exited with code %d (*executor.WorkerExitError); the pool replaced it", exitErr.ExitCode)
	case errors.As(err, &killedErr):
		return "still running after its deadline, killed with its worker (*executor.KilledError)"
	case errors.Is(err, executor.ErrCancelled):
		return "its deadline passed before a worker was free; it never ran (executor.ErrCancelled)"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded; the task saw its ctx end and returned (context.DeadlineExceeded)"
	}
	return err.Error()
}

// pages serves three small pages under /pages/, and one that never comes.
func pages() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pages/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /pages/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat(r.PathValue("name"), 1000)))
	})
	return mux
}
