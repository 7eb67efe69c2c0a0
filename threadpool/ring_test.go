package threadpool

import (
	"sync"
	"testing"

	"github.com/dualpool/dualpool/backend"
)

// TestRingIsFIFOAndBounded: one producer's items come out in order, a full ring refuses
// without losing anything, and an empty one says so.
func TestRingIsFIFOAndBounded(t *testing.T) {
	r := newRing(4)
	batches := make([][]backend.Task, 6)
	for i := range batches {
		if ok := r.push(item{batch: &batches[i]}); ok != (i < 4) {
			t.Fatalf("push %d = %v; want %v", i, ok, i < 4)
		}
	}
	for lap := range 3 {
		for i := range 4 {
			it, ok := r.pop()
			if !ok || it.batch != &batches[i] {
				t.Fatalf("lap %d: pop %d = %p, %v; want %p", lap, i, it.batch, ok, &batches[i])
			}
			r.push(item{batch: &batches[i]})
		}
	}
	for range 4 {
		r.pop()
	}
	if _, ok := r.pop(); ok {
		t.Fatal("pop of an empty ring reported an item")
	}
}

// TestRingManyProducersAndConsumers: every item pushed by four producers is popped
// exactly once by four consumers, and each producer's items in its order.
func TestRingManyProducersAndConsumers(t *testing.T) {
	const producers, each = 4, 20000
	r := newRing(64)
	items := make([][]backend.Task, producers*each)
	index := make(map[*[]backend.Task]int, len(items))
	for i := range items {
		index[&items[i]] = i
	}
	var seen sync.Map
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				for !r.push(item{batch: &items[p*each+i]}) {
				}
			}
		}()
	}
	got := make(chan int, producers)
	for range producers {
		go func() {
			n := 0
			last := make([]int, producers)
			for i := range last {
				last[i] = -1
			}
			for n < each {
				it, ok := r.pop()
				if !ok {
					continue
				}
				k := index[it.batch]
				if _, dup := seen.LoadOrStore(k, true); dup {
					t.Errorf("item %d popped twice", k)
				}
				if p, i := k/each, k%each; i <= last[p] {
					t.Errorf("producer %d's item %d after its item %d", p, i, last[p])
				} else {
					last[p] = i
				}
				n++
			}
			got <- n
		}()
	}
	wg.Wait()
	total := 0
	for range producers {
		total += <-got
	}
	if total != producers*each {
		t.Fatalf("%d items popped; want %d", total, producers*each)
	}
}
