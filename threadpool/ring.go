package threadpool

import "sync/atomic"

// ring is a bounded first-in, first-out queue for many producers and many consumers
// without a lock (Dmitry Vyukov's): each slot carries a sequence number that says whose
// turn it is, a producer claims a slot by moving tail and a consumer by moving head, each
// with one compare-and-swap, and the slot's sequence number hands the item over.
type ring struct {
	_     [64]byte
	head  atomic.Uint64 // consumers', on a cache line of its own
	_     [56]byte
	tail  atomic.Uint64 // producers'
	_     [56]byte
	mask  uint64
	slots []ringSlot
}

type ringSlot struct {
	seq atomic.Uint64 // tail's value when the slot is free to fill, that plus one when full
	it  item
}

// newRing returns an empty ring of n slots, n a power of two.
func newRing(n int) *ring {
	r := &ring{mask: uint64(n - 1), slots: make([]ringSlot, n)}
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
	return r
}

// push adds it at the back and reports false, changing nothing, when the ring is full.
func (r *ring) push(it item) bool {
	for {
		t := r.tail.Load()
		s := &r.slots[t&r.mask]
		switch d := int64(s.seq.Load() - t); {
		case d == 0: // free: claim it
			if r.tail.CompareAndSwap(t, t+1) {
				s.it = it
				s.seq.Store(t + 1)
				return true
			}
		case d < 0: // still holds the item of the lap before: full
			return false
		} // d > 0: another producer took it; look again
	}
}

// pop takes the item at the front and reports false when the ring is empty.
func (r *ring) pop() (item, bool) {
	for {
		h := r.head.Load()
		s := &r.slots[h&r.mask]
		switch d := int64(s.seq.Load() - (h + 1)); {
		case d == 0: // full: claim it
			if r.head.CompareAndSwap(h, h+1) {
				it := s.it
				s.it = item{}
				s.seq.Store(h + r.mask + 1)
				return it, true
			}
		case d < 0: // not filled yet: empty
			return item{}, false
		} // d > 0: another consumer took it; look again
	}
}
