package main

import (
	"fmt"
	"testing"
)

// The runner's figures as go test benchmarks, every backend and peer in one run, so that
// `go test -C benchmarks -bench . -benchmem` gives ns/op and allocations side by side:
//
//	go test -C benchmarks -run '^$' -bench . -benchmem

// BenchmarkRoundTrip is one no-op submitted and waited for, one at a time: the one-task
// latency row.
func BenchmarkRoundTrip(b *testing.B) {
	for _, be := range goBackends() {
		b.Run(be.name, func(b *testing.B) {
			p := startWarm(b, be, cpus)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := p.submit(job{Kind: jobNoop, N: int64(i)})(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInFlight is many no-ops submitted before any is waited for: the per-task
// overhead row.
func BenchmarkInFlight(b *testing.B) {
	for _, be := range goBackends() {
		b.Run(be.name, func(b *testing.B) {
			p := startWarm(b, be, cpus)
			b.ReportAllocs()
			b.ResetTimer()
			if err := submitAll(p, job{Kind: jobNoop}, b.N); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkMapSquare is map(square) per item, with chunk 1 and 256.
func BenchmarkMapSquare(b *testing.B) {
	for _, be := range goBackends() {
		for _, chunk := range []int{1, 256} {
			b.Run(fmt.Sprintf("%s/chunk=%d", be.name, chunk), func(b *testing.B) {
				p := startWarm(b, be, cpus)
				nums := make([]int, b.N)
				for i := range nums {
					nums[i] = i
				}
				b.ReportAllocs()
				b.ResetTimer()
				out, err := p.squares(nums, chunk)
				if err == errUnsupported {
					b.Skip("not supported")
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := checkSquares(nums, out); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

func startWarm(b *testing.B, be *backend, n int) pool {
	b.Helper()
	p, err := be.start(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.close() })
	if err := warm(p, n); err != nil {
		b.Fatal(err)
	}
	return p
}
