package ipc

import (
	"encoding/binary"
	"fmt"
)

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decoder reads the fields of a body in order; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrCorrupt, what)
	}
	d.b = nil
}

func (d *decoder) uvarint(what string) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what string) int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte(what string) byte {
	if len(d.b) < 1 {
		d.fail(what)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// bytes returns a length-prefixed field, aliasing the body.
func (d *decoder) bytes(what string) []byte {
	n := d.uvarint(what)
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail(what)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string(what string) string { return string(d.bytes(what)) }

// rest returns the remaining bytes, aliasing the body.
func (d *decoder) rest() []byte {
	v := d.b
	d.b = nil
	return v
}

// count reads an item count and checks that each item could take at least min bytes.
func (d *decoder) count(what string, min int) int {
	n := d.uvarint(what)
	if d.err != nil || n > uint64(len(d.b)/min) {
		d.fail(what)
		return 0
	}
	return int(n)
}

// end checks that the body was used up.
func (d *decoder) end(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail(what + ": trailing bytes")
	}
	return d.err
}
