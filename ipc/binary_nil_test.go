package ipc_test

import (
	"reflect"
	"testing"

	"github.com/dualpool/dualpool/ipc"
)

// TestBinaryKeepsNilApartFromEmpty: a nil []byte or list arrives nil and an empty one
// empty, decoded into a zero slice or in place over a full one, as a goroutine pool
// would hand them over; so do slices and maps in a struct (JSON's null and [] or {}),
// decoded into a zero struct (JSON merges an object into a map that is there).
func TestBinaryKeepsNilApartFromEmpty(t *testing.T) {
	type fields struct {
		Bytes []byte
		Ints  []int
		Map   map[string]int
	}
	for _, v := range []any{
		[]byte(nil), []byte{},
		[]int(nil), []int{}, []int64(nil), []int64{}, []int32(nil), []int32{},
		[]uint64(nil), []uint64{}, []uint32(nil), []uint32{}, []float64(nil), []float64{},
		[]string(nil), []string{}, []bool(nil), []bool{},
		fields{}, fields{Bytes: []byte{}, Ints: []int{}, Map: map[string]int{}},
	} {
		b, err := ipc.Binary.Append(nil, v)
		if err != nil {
			t.Fatalf("Append(%#v): %v", v, err)
		}
		typ := reflect.TypeOf(v)
		into := []reflect.Value{reflect.New(typ)}
		if typ.Kind() == reflect.Slice {
			into = append(into, full(typ))
		}
		for _, into := range into {
			if err := ipc.Binary.Decode(b, into.Interface()); err != nil {
				t.Errorf("Decode(%#v) into %#v: %v", v, into.Elem(), err)
				continue
			}
			if got := into.Elem().Interface(); !reflect.DeepEqual(got, v) {
				t.Errorf("round trip of %#v = %#v; want it unchanged, nil or empty alike", v, got)
			}
		}
	}
}

// full returns a pointer to a slice of type typ holding one zero element, with room for
// more.
func full(typ reflect.Type) reflect.Value {
	ptr := reflect.New(typ)
	ptr.Elem().Set(reflect.Append(reflect.MakeSlice(typ, 0, 4), reflect.New(typ.Elem()).Elem()))
	return ptr
}

// TestBinaryNilTag: a nil slice is the tag 0x13 alone; frames from before it, which wrote
// a nil slice as an empty one, still decode, as empty slices; the nil tag decodes into
// no other type.
func TestBinaryNilTag(t *testing.T) {
	for _, v := range []any{[]byte(nil), []int(nil), []string(nil)} {
		if b, _ := ipc.Binary.Append(nil, v); !reflect.DeepEqual(b, []byte{0x13}) {
			t.Errorf("Append(%#v) = %#x; want 0x13", v, b)
		}
	}
	var bs []byte
	if err := ipc.Binary.Decode([]byte{0x0f}, &bs); err != nil || bs == nil || len(bs) != 0 {
		t.Errorf("Decode(an old empty []byte) = %#v, %v; want []byte{}, <nil>", bs, err)
	}
	var ints []int
	if err := ipc.Binary.Decode([]byte{0x12, 0x01, 0x00}, &ints); err != nil || ints == nil || len(ints) != 0 {
		t.Errorf("Decode(an old empty []int list) = %#v, %v; want []int{}, <nil>", ints, err)
	}
	var n int
	if err := ipc.Binary.Decode([]byte{0x13}, &n); err == nil {
		t.Errorf("Decode(nil slice into *int) = nil; want an error")
	}
	if err := ipc.Binary.Decode([]byte{0x13, 0}, &ints); err == nil {
		t.Errorf("Decode(nil slice with a body) = nil; want an error")
	}
}
