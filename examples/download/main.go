// Command download is the guide's download_file example in Go: a threadpool fetches
// several URLs at once and saves them in a directory. It starts its own HTTP server on
// 127.0.0.1, so it needs no network, and some URLs fail on purpose — one is missing (404),
// one never answers (a timeout) — to show that each failure is reported for its URL while
// the other downloads go on.
//
//	go run ./examples/download -timeout 2s
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// Request is one download: what to fetch, where to save it, how long to wait for it.
type Request struct {
	URL     string
	Dir     string
	Timeout time.Duration
}

// download is the guide's download_file(url): it saves the body under the URL's last
// path element in r.Dir and returns that name. A status other than 200 OK, or no answer
// within r.Timeout, is an error.
var download = executor.Register("download.file", func(ctx context.Context, r Request) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("no answer within %v: %w", r.Timeout, context.DeadlineExceeded)
		}
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("server answered %s", resp.Status)
	}
	name := path.Base(req.URL.Path)
	f, err := os.Create(filepath.Join(r.Dir, name))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return name, f.Close()
})

func main() {
	workers := flag.Int("workers", 3, "how many downloads run at once")
	timeout := flag.Duration("timeout", time.Second, "how long each download may take")
	dir := flag.String("dir", "", "where to save the files (default: a temporary directory, removed at exit)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *workers, *timeout, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "download:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, workers int, timeout time.Duration, dir string) error {
	srv := httptest.NewServer(files())
	defer srv.Close()
	fmt.Println("Serving test files at", srv.URL)
	if dir == "" {
		tmp, err := os.MkdirTemp("", "download")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	fmt.Println("Saving to", dir)

	var requests []Request
	for _, p := range []string{"/files/file1.zip", "/files/missing.txt", "/files/file2.pdf", "/slow/file4.iso", "/files/file3.png"} {
		requests = append(requests, Request{URL: srv.URL + p, Dir: dir, Timeout: timeout})
	}

	ex, err := threadpool.New(threadpool.WithMaxWorkers(workers))
	if err != nil {
		return err
	}
	defer ex.Close()

	// Map yields in the order of the URLs; a failure is one item's error, and the loop
	// goes on to the next.
	var downloaded []string
	i := 0
	for name, err := range executor.Map(ctx, ex, download, slices.Values(requests)) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			fmt.Printf("Failed to download %s: %v\n", requests[i].URL, err)
		} else {
			fmt.Printf("Successfully downloaded %s\n", name)
			downloaded = append(downloaded, name)
		}
		i++
	}
	fmt.Println("\nDownloaded files:", downloaded)
	return ex.Close()
}

// files serves three files under /files/, a 404 for any other name there, and under
// /slow/ an answer that never comes.
func files() http.Handler {
	sizes := map[string]int{"file1.zip": 2048, "file2.pdf": 4096, "file3.png": 1024}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		size, ok := sizes[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(content(name, size))
	})
	mux.HandleFunc("GET /slow/{name}", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the client gives up first
	})
	return mux
}

// content is the body the server sends for a file: its name over and over, size bytes.
func content(name string, size int) []byte {
	return bytes.Repeat([]byte(name), size/len(name)+1)[:size]
}
