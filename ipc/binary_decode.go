package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// decodeBasic decodes the body of a basic value into ptr, whose tag was checked.
func decodeBasic(b []byte, ptr any) error {
	switch p := ptr.(type) {
	case *string:
		*p = string(b)
		return nil
	case *[]byte:
		*p = append(make([]byte, 0, len(b)), b...) // empty, not nil: nil has a tag of its own
		return nil
	case *struct{}:
		return wantLen(b, 0, ptr)
	case *bool:
		if err := wantLen(b, 1, ptr); err != nil || b[0] > 1 {
			return fmt.Errorf("ipc: binary codec: bad bool")
		}
		*p = b[0] == 1
		return nil
	case *float32:
		if err := wantLen(b, 4, ptr); err != nil {
			return err
		}
		*p = math.Float32frombits(binary.LittleEndian.Uint32(b))
		return nil
	case *float64:
		if err := wantLen(b, 8, ptr); err != nil {
			return err
		}
		*p = math.Float64frombits(binary.LittleEndian.Uint64(b))
		return nil
	}
	if ok, err := signed(b, ptr); ok {
		return err
	}
	return unsigned(b, ptr)
}

// decodeNil decodes tagNil's (empty) body: a nil []byte or a nil list.
func decodeNil(b []byte, ptr any) error {
	if err := wantLen(b, 0, ptr); err != nil {
		return err
	}
	switch p := ptr.(type) {
	case *[]byte:
		*p = nil
	case *[]int:
		*p = nil
	case *[]int64:
		*p = nil
	case *[]int32:
		*p = nil
	case *[]uint64:
		*p = nil
	case *[]uint32:
		*p = nil
	case *[]float64:
		*p = nil
	case *[]string:
		*p = nil
	case *[]bool:
		*p = nil
	default:
		return fmt.Errorf("ipc: binary codec: a nil slice cannot decode into %T", ptr)
	}
	return nil
}

func wantLen(b []byte, n int, ptr any) error {
	if len(b) != n {
		return fmt.Errorf("ipc: binary codec: %d bytes for %T; want %d", len(b), ptr, n)
	}
	return nil
}

// signed decodes a varint into a signed integer pointer; ok is false for other pointers.
func signed(b []byte, ptr any) (ok bool, err error) {
	v, n := binary.Varint(b)
	if n <= 0 || n != len(b) {
		err = fmt.Errorf("ipc: binary codec: bad varint for %T", ptr)
	}
	overflow := func(fits bool) error {
		if err == nil && !fits {
			err = fmt.Errorf("ipc: binary codec: %d overflows %T", v, ptr)
		}
		return err
	}
	switch p := ptr.(type) {
	case *int:
		*p = int(v)
		return true, overflow(int64(int(v)) == v)
	case *int8:
		*p = int8(v)
		return true, overflow(int64(int8(v)) == v)
	case *int16:
		*p = int16(v)
		return true, overflow(int64(int16(v)) == v)
	case *int32:
		*p = int32(v)
		return true, overflow(int64(int32(v)) == v)
	case *int64:
		*p = v
		return true, err
	case *time.Duration:
		*p = time.Duration(v)
		return true, err
	}
	return false, nil
}

// unsigned decodes a uvarint into an unsigned integer pointer.
func unsigned(b []byte, ptr any) error {
	v, n := binary.Uvarint(b)
	var err error
	if n <= 0 || n != len(b) {
		err = fmt.Errorf("ipc: binary codec: bad uvarint for %T", ptr)
	}
	fits := true
	switch p := ptr.(type) {
	case *uint:
		*p, fits = uint(v), uint64(uint(v)) == v
	case *uint8:
		*p, fits = uint8(v), uint64(uint8(v)) == v
	case *uint16:
		*p, fits = uint16(v), uint64(uint16(v)) == v
	case *uint32:
		*p, fits = uint32(v), uint64(uint32(v)) == v
	case *uint64:
		*p = v
	default:
		return fmt.Errorf("ipc: binary codec: cannot decode into %T", ptr)
	}
	if err == nil && !fits {
		err = fmt.Errorf("ipc: binary codec: %d overflows %T", v, ptr)
	}
	return err
}
