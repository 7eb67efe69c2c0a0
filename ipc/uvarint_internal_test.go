package ipc

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// uvarint must agree with binary.Uvarint on every input: values of every length, cut
// short, non-minimal, overlong, and followed by other bytes.
func TestUvarintIsBinaryUvarint(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(b []byte) {
		t.Helper()
		v, n := uvarint(b)
		wv, wn := binary.Uvarint(b)
		if v != wv || n != wn {
			t.Fatalf("uvarint(% x) = %d, %d; binary.Uvarint = %d, %d", b, v, n, wv, wn)
		}
	}
	for range 200000 {
		x := r.Uint64() >> r.IntN(64)
		b := binary.AppendUvarint(nil, x)
		b = append(b, byte(r.Uint32()), byte(r.Uint32()), 0x80, 0xff, 0x01, 0, 7, 9, 0x80)
		for k := 0; k <= len(b); k++ {
			check(b[:k])
		}
		raw := make([]byte, r.IntN(16))
		for i := range raw {
			raw[i] = byte(r.Uint32())
			if r.IntN(4) > 0 {
				raw[i] |= 0x80
			}
		}
		check(raw)
	}
	check([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}) // 8 bytes, non-minimal
	check([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	check([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}) // 10 bytes
	check([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}) // overflow
}

// appendUvarint must write what binary.AppendUvarint writes, after what is there.
func TestAppendUvarintIsBinaryAppendUvarint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 300000 {
		x := r.Uint64() >> r.IntN(65)
		if i < 64 {
			x = 1<<i - 1
		}
		prefix := []byte{0xaa, 0xbb}
		got := appendUvarint(prefix[:2:2], x)
		want := binary.AppendUvarint([]byte{0xaa, 0xbb}, x)
		if string(got) != string(want) {
			t.Fatalf("appendUvarint(%d) = % x; binary.AppendUvarint = % x", x, got, want)
		}
	}
}
