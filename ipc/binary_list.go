package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
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
	for _, x := range xs {
		dst = binary.AppendVarint(dst, int64(x))
	}
	return dst
}

func appendUnsigned[T ~uint32 | ~uint64](dst []byte, tag byte, xs []T) []byte {
	if xs == nil {
		return append(dst, tagNil)
	}
	dst = listHeader(dst, tag, len(xs))
	for _, x := range xs {
		dst = binary.AppendUvarint(dst, uint64(x))
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
		v, k := binary.Varint(b)
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
		v, k := binary.Uvarint(b)
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
