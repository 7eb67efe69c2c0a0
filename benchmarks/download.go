package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Downloads: the guide's I/O-bound example, against a server this runner starts on
// 127.0.0.1 (nothing leaves the machine). Each request waits the injected latency; every
// FailEvery-th file answers 500, so each run has a few failures to report, as the
// guide's download_file does. Files are written into a temp dir.

type fileServer struct {
	srv  *http.Server
	url  string
	body []byte
}

func (r *runner) startServer() error {
	if r.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fsrv := &fileServer{url: "http://" + ln.Addr().String(), body: make([]byte, r.cfg.FileSize)}
	for i := range fsrv.body {
		fsrv.body[i] = byte(i * 7)
	}
	latency, failEvery := r.cfg.Latency, r.cfg.FailEvery
	mux := http.NewServeMux()
	mux.HandleFunc("GET /file/{i}", func(w http.ResponseWriter, req *http.Request) {
		i, err := strconv.Atoi(req.PathValue("i"))
		if err != nil {
			http.Error(w, "bad file number", http.StatusBadRequest)
			return
		}
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			return
		}
		if i%failEvery == failEvery-1 {
			http.Error(w, "injected failure", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(fsrv.body)))
		_, _ = w.Write(fsrv.body)
	})
	fsrv.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = fsrv.srv.Serve(ln) }()
	r.srv = fsrv
	return nil
}

func (r *runner) stopServer() {
	if r.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.srv.srv.Shutdown(ctx)
	}
}

// expectedFailures is how many of n files the server fails.
func (r *runner) expectedFailures(n int) int { return n / r.cfg.FailEvery }

func (r *runner) download(b *backend) error {
	if !b.supports(jobFetch) {
		return nil
	}
	for _, w := range r.cfg.IOWorkers {
		f := &figure{Workload: "download", Metric: "throughput", Backend: b.name, Params: fmt.Sprintf("workers=%d", w), Unit: "files/s"}
		for range r.perCall {
			dir, err := os.MkdirTemp(r.tmp, fmt.Sprintf("%s-%d-", b.name, w))
			if err != nil {
				return err
			}
			el, err := r.downloadOnce(b, w, dir)
			if err != nil {
				return err
			}
			f.Samples = append(f.Samples, float64(r.cfg.Files)/el.Seconds())
			_ = os.RemoveAll(dir)
		}
		f.Text = fmt.Sprintf("%d files of %d KiB, %v latency, %d failed as injected",
			r.cfg.Files, r.cfg.FileSize>>10, r.cfg.Latency, r.expectedFailures(r.cfg.Files))
		r.res.add(f)
	}
	return nil
}

// downloadOnce fetches every file with a pool of w workers and checks the outcome.
func (r *runner) downloadOnce(b *backend, w int, dir string) (time.Duration, error) {
	p, err := b.start(w)
	if err != nil {
		return 0, err
	}
	defer p.close()
	if err := warm(p, w); err != nil {
		return 0, err
	}
	start := time.Now()
	waits := make([]func() (any, error), r.cfg.Files)
	for i := range waits {
		waits[i] = p.submit(job{Kind: jobFetch, URL: fmt.Sprintf("%s/file/%d", r.srv.url, i), Path: filepath.Join(dir, fmt.Sprintf("file%d", i))})
	}
	failed := 0
	for i, wait := range waits {
		n, err := wait()
		switch {
		case err != nil:
			failed++
		case n != int64(r.cfg.FileSize):
			return 0, fmt.Errorf("file %d: %d bytes; want %d", i, n, r.cfg.FileSize)
		}
	}
	el := time.Since(start)
	if want := r.expectedFailures(r.cfg.Files); failed != want {
		return 0, fmt.Errorf("%d downloads failed; want the %d injected failures", failed, want)
	}
	return el, nil
}
