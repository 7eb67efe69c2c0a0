package main

import (
	"context"

	"github.com/alitto/pond/v2"
	"github.com/dualpool/dualpool/threadpool"
	"github.com/panjf2000/ants/v2"
	"golang.org/x/sync/errgroup"
)

// The goroutine side: dualpool's threadpool and the peers a Go user would pick instead,
// each used the way its README shows.

type threadPool struct{ p *threadpool.Pool }

func threadpoolBackend() *backend {
	return &backend{name: "threadpool", about: "dualpool's goroutine pool: Submit + Future.Result",
		start: func(n int) (pool, error) {
			p, err := threadpool.New(threadpool.WithMaxWorkers(n))
			return threadPool{p}, err
		}}
}

func (t threadPool) submit(j job) func() (any, error) { return submitExecutor(t.p, j) }
func (t threadPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresExecutor(t.p, nums, chunk)
}
func (threadPool) pids() []int    { return nil }
func (t threadPool) close() error { return t.p.Close() }

type result struct {
	v   any
	err error
}

// waitChan waits for the one result a peer's task sends on ch.
func waitChan(ch <-chan result) func() (any, error) {
	return func() (any, error) { r := <-ch; return r.v, r.err }
}

type antsPool struct{ p *ants.Pool }

func antsBackend() *backend {
	return &backend{name: "ants", about: "panjf2000/ants v2, a goroutine pool; results through a channel",
		start: func(n int) (pool, error) {
			p, err := ants.NewPool(n)
			return antsPool{p}, err
		}}
}

func (a antsPool) submit(j job) func() (any, error) {
	ch := make(chan result, 1)
	err := a.p.Submit(func() {
		v, err := runJob(context.Background(), j)
		ch <- result{v, err}
	})
	if err != nil {
		return func() (any, error) { return nil, err }
	}
	// ants recovers a panic and logs it: the task's result never comes, and a caller
	// that wants to know must add its own recover. The bench shows that as it is.
	return waitChan(ch)
}

func (a antsPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresBySubmit(nums, chunk, func(c []int) func() ([]int, error) {
		ch := make(chan []int, 1)
		if err := a.p.Submit(func() { ch <- squareChunk(c) }); err != nil {
			return func() ([]int, error) { return nil, err }
		}
		return func() ([]int, error) { return <-ch, nil }
	})
}
func (antsPool) pids() []int    { return nil }
func (a antsPool) close() error { a.p.Release(); return nil }

type pondPool struct{ p pond.ResultPool[any] }

func pondBackend() *backend {
	return &backend{name: "pond", about: "alitto/pond v2, a goroutine pool with result tasks (Submit + Wait)",
		start: func(n int) (pool, error) { return pondPool{pond.NewResultPool[any](n)}, nil }}
}

func (p pondPool) submit(j job) func() (any, error) {
	t := p.p.SubmitErr(func() (any, error) { return runJob(context.Background(), j) })
	return t.Wait
}

func (p pondPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresBySubmit(nums, chunk, func(c []int) func() ([]int, error) {
		var out []int
		t := p.p.Submit(func() any { out = squareChunk(c); return nil })
		return func() ([]int, error) { _, err := t.Wait(); return out, err }
	})
}
func (pondPool) pids() []int    { return nil }
func (p pondPool) close() error { p.p.StopAndWait(); return nil }

type errgroupPool struct{ g *errgroup.Group }

func errgroupBackend() *backend {
	return &backend{name: "errgroup", about: "golang.org/x/sync/errgroup with SetLimit(n); results through a channel",
		start: func(n int) (pool, error) {
			g := new(errgroup.Group)
			g.SetLimit(n)
			return errgroupPool{g}, nil
		}}
}

func (e errgroupPool) submit(j job) func() (any, error) {
	ch := make(chan result, 1)
	e.g.Go(func() error {
		v, err := runJob(context.Background(), j)
		ch <- result{v, err}
		return nil
	})
	return waitChan(ch)
}

func (e errgroupPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresBySubmit(nums, chunk, func(c []int) func() ([]int, error) {
		ch := make(chan []int, 1)
		e.g.Go(func() error { ch <- squareChunk(c); return nil })
		return func() ([]int, error) { return <-ch, nil }
	})
}
func (errgroupPool) pids() []int    { return nil }
func (e errgroupPool) close() error { return e.g.Wait() }
