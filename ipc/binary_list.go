package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// tagList marks a slice of a basic type: the element's tag, a uvarint count, and the
// elements without their tags (a varint or uvarint each for integers, 8 bytes little
// endian for a float64, a uvarint length and the bytes for a string, 1 byte for a bool).
// A Map chunk's arguments and results travel so, encoded in one call. A nil slice is
// tagNil alone.

// appendList appends v if it is a supported slice, or a pointer to one.
func appendList(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case []int:
		return appendSigned(dst, tagInt, x), true
	case *[]int:
		return appendSigned(dst, tagInt, *x), true
	case []int64:
		return appendSigned(dst, tagInt64, x), true
	case *[]int64:
		return appendSigned(dst, tagInt64, *x), true
	case []int32:
		return appendSigned(dst, tagInt32, x), true
	case *[]int32:
		return appendSigned(dst, tagInt32, *x), true
	case []uint64:
		return appendUnsigned(dst, tagUint64, x), true
	case *[]uint64:
		return appendUnsigned(dst, tagUint64, *x), true
	case []uint32:
		return appendUnsigned(dst, tagUint32, x), true
	case *[]uint32:
		return appendUnsigned(dst, tagUint32, *x), true
	case []float64:
		return appendFloats(dst, x), true
	case *[]float64:
		return appendFloats(dst, *x), true
	case []string:
		return appendStrings(dst, x), true
	case *[]string:
		return appendStrings(dst, *x), true
	case []bool:
		return appendBools(dst, x), true
	case *[]bool:
		return appendBools(dst, *x), true
	}
	return dst, false
}

func listHeader(dst []byte, tag byte, n int) []byte {
	return binary.AppendUvarint(append(dst, tagList, tag), uint64(n))
}

func appendSigned[T ~int | ~int32 | ~int64](dst []byte, tag byte, xs []T) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tag, len(xs))
	size := 8 // appendUvarint may write 8 bytes where it keeps fewer
	for _, x := range xs {
		size += uvarintLen(zigzag(int64(x)))
	}
	dst = slices.Grow(dst, size)
	for _, x := range xs {
		dst = appendUvarint(dst, zigzag(int64(x)))
	}
	return dst
}

func appendUnsigned[T ~uint32 | ~uint64](dst []byte, tag byte, xs []T) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tag, len(xs))
	size := 8
	for _, x := range xs {
		size += uvarintLen(uint64(x))
	}
	dst = slices.Grow(dst, size)
	for _, x := range xs {
		dst = appendUvarint(dst, uint64(x))
	}
	return dst
}

func appendFloats(dst []byte, xs []float64) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tagFloat64, len(xs))
	for _, x := range xs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(x))
	}
	return dst
}

func appendStrings(dst []byte, xs []string) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tagString, len(xs))
	for _, x := range xs {
		dst = appendString(dst, x)
	}
	return dst
}

func appendBools(dst []byte, xs []bool) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tagBool, len(xs))
	for _, x := range xs {
		b := byte(0)
		if x {
			b = 1
		}
		dst = append(dst, b)
	}
	return dst
}

// listTag returns the element tag of the slice type ptr points to, or 0.
func listTag(ptr any) byte {
	switch ptr.(type) {
	case *[]int:
		return tagInt
	case *[]int64:
		return tagInt64
	case *[]int32:
		return tagInt32
	case *[]uint64:
		return tagUint64
	case *[]uint32:
		return tagUint32
	case *[]float64:
		return tagFloat64
	case *[]string:
		return tagString
	case *[]bool:
		return tagBool
	}
	return 0
}

// decodeList decodes the body of a list (after tagList) into ptr, reusing the slice's
// storage. A list of none decodes as an empty slice, never nil.
func decodeList(b []byte, ptr any) error {
	d := decoder{b: b}
	if tag := d.byte("element tag"); d.err == nil && tag != listTag(ptr) {
		return fmt.Errorf("ipc: binary codec: list of %#x cannot decode into %T", tag, ptr)
	}
	n := d.count("list length", 1)
	switch p := ptr.(type) {
	case *[]int:
		*p = decodeSigned(&d, empty(*p), n, math.MinInt, math.MaxInt)
	case *[]int64:
		*p = decodeSigned(&d, empty(*p), n, math.MinInt64, math.MaxInt64)
	case *[]int32:
		*p = decodeSigned(&d, empty(*p), n, math.MinInt32, math.MaxInt32)
	case *[]uint64:
		*p = decodeUnsigned(&d, empty(*p), n, math.MaxUint64)
	case *[]uint32:
		*p = decodeUnsigned(&d, empty(*p), n, math.MaxUint32)
	case *[]float64:
		s := empty(*p)
		for range n {
			if len(d.b) < 8 {
				d.fail("float64")
				break
			}
			s = append(s, math.Float64frombits(binary.LittleEndian.Uint64(d.b)))
			d.b = d.b[8:]
		}
		*p = s
	case *[]string:
		s := empty(*p)
		for range n {
			s = append(s, d.string("string"))
		}
		*p = s
	case *[]bool:
		s := empty(*p)
		for range n {
			v := d.byte("bool")
			if v > 1 {
				d.fail("bool")
			}
			s = append(s, v == 1)
		}
		*p = s
	}
	if err := d.end("list"); err != nil {
		return fmt.Errorf("ipc: binary codec: %T: %w", ptr, err)
	}
	return nil
}

// empty returns s emptied, keeping its storage: an empty slice, never nil.
func empty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s[:0]
}

// decodeSigned appends n varints to s, each within [lo, hi]. It keeps its place in a
// local slice rather than in d, since a list is the one loop that runs per element.
func decodeSigned[T ~int | ~int32 | ~int64](d *decoder, s []T, n int, lo, hi int64) []T {
	s = slices.Grow(s, n) // n ≤ the bytes left: d.count checked it
	b := d.b
	for range n {
		u, k := uvarint(b)
		v := int64(u >> 1) // zigzag, as binary.Varint
		if u&1 != 0 {
			v = ^v
		}
		switch {
		case k <= 0:
			d.fail("varint")
			return s
		case v < lo || v > hi:
			d.fail("value: overflow")
			return s
		}
		b = b[k:]
		s = append(s, T(v))
	}
	d.b = b
	return s
}

func decodeUnsigned[T ~uint32 | ~uint64](d *decoder, s []T, n int, hi uint64) []T {
	s = slices.Grow(s, n)
	b := d.b
	for range n {
		v, k := uvarint(b)
		switch {
		case k <= 0:
			d.fail("uvarint")
			return s
		case v > hi:
			d.fail("value: overflow")
			return s
		}
		b = b[k:]
		s = append(s, T(v))
	}
	d.b = b
	return s
}

// uvarint is binary.Uvarint, faster for a varint of up to 8 bytes with 8 bytes to read:
// it finds the last byte and gathers the 7-bit groups from one 64-bit load, where
// binary.Uvarint takes a byte at a time. A list's elements are decoded with it.
func uvarint(b []byte) (uint64, int) {
	if len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		if stop := ^w & 0x8080808080808080; stop != 0 { // the bytes without a continuation bit
			n := bits.TrailingZeros64(stop)/8 + 1
			w &= 1<<(8*n) - 1 // n = 8 keeps all: the shift gives 0
			return w&0x7f | w>>1&(0x7f<<7) | w>>2&(0x7f<<14) | w>>3&(0x7f<<21) |
				w>>4&(0x7f<<28) | w>>5&(0x7f<<35) | w>>6&(0x7f<<42) | w>>7&(0x7f<<49), n
		}
	}
	return binary.Uvarint(b)
}

// appendUvarint is binary.AppendUvarint, faster for a value under 2⁵⁶ (8 bytes or
// fewer): it spreads the 7-bit groups and their continuation bits over one 64-bit word,
// writes the word and keeps the bytes the value needs.
func appendUvarint(dst []byte, x uint64) []byte {
	if x >= 1<<56 {
		return binary.AppendUvarint(dst, x)
	}
	n := uvarintLen(x) // 1 to 8
	w := x&0x7f | x<<1&(0x7f<<8) | x<<2&(0x7f<<16) | x<<3&(0x7f<<24) |
		x<<4&(0x7f<<32) | x<<5&(0x7f<<40) | x<<6&(0x7f<<48) | x<<7&(0x7f<<56)
	w |= 0x8080808080808080 & (1<<(8*(n-1)) - 1) // every byte but the last goes on
	l := len(dst)
	if cap(dst)-l < 8 {
		dst = slices.Grow(dst, 8)
	}
	binary.LittleEndian.PutUint64(dst[l:l+8], w) // one store, where appending 8 bytes is eight
	return dst[:l+n]
}

// uvarintLen returns the bytes that the uvarint of x takes, 1 to 10.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// zigzag maps a signed value to an unsigned one as binary.AppendVarint does: small
// magnitudes, of either sign, to small values.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }
