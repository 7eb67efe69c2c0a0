package ipc_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

type point struct {
	X, Y int
	Name string
}

func TestCodecsRoundTrip(t *testing.T) {
	values := []any{0, -1, 1 << 40, int8(-3), int16(300), int32(-7), int64(1 << 62), uint(9), uint8(255),
		uint16(65535), uint32(1 << 31), uint64(1 << 63), float32(1.5), 3.25, true, false, "héllo", "",
		[]byte{0, 1, 2}, 3 * time.Second, struct{}{}, point{1, 2, "p"}, []int{1, 2, 3}, map[string]int{"a": 1}}
	for _, c := range []ipc.Codec{ipc.Binary, ipc.Gob} {
		for _, v := range values {
			if c == ipc.Gob && reflect.TypeOf(v) == reflect.TypeOf(struct{}{}) {
				continue // gob refuses types without exported fields
			}
			b, err := c.Append([]byte("prefix"), v)
			if err != nil {
				t.Errorf("%s.Append(%#v) error %v", c.Name(), v, err)
				continue
			}
			ptr := reflect.New(reflect.TypeOf(v))
			if err := c.Decode(b[len("prefix"):], ptr.Interface()); err != nil {
				t.Errorf("%s.Decode(%#v) error %v", c.Name(), v, err)
				continue
			}
			if got := ptr.Elem().Interface(); !reflect.DeepEqual(got, v) {
				t.Errorf("%s round trip of %#v = %#v", c.Name(), v, got)
			}
		}
	}
}

func TestBinaryCodecErrors(t *testing.T) {
	b, _ := ipc.Binary.Append(nil, "text")
	var n int
	if err := ipc.Binary.Decode(b, &n); err == nil {
		t.Errorf("Decode(string into *int) = nil; want an error")
	}
	b, _ = ipc.Binary.Append(nil, 300)
	var small int8
	if err := ipc.Binary.Decode(b, &small); err == nil {
		t.Errorf("Decode(300 into *int8) = nil; want an error")
	}
	if _, err := ipc.Binary.Append(nil, make(chan int)); err == nil {
		t.Errorf("Append(chan) = nil error; want an error")
	}
	if c, ok := ipc.LookupCodec("json"); !ok || c.Name() != "json" {
		t.Errorf("LookupCodec(json) = %v, %v", c, ok)
	}
}

func BenchmarkCodec(b *testing.B) {
	for _, bc := range []struct {
		name string
		v    any
		new  func() any
	}{
		{"int", 12345, func() any { return new(int) }},
		{"string64", string(make([]byte, 64)), func() any { return new(string) }},
		{"bytes4K", make([]byte, 4096), func() any { return new([]byte) }},
		{"struct", point{1, 2, "p"}, func() any { return new(point) }},
	} {
		for _, c := range []ipc.Codec{ipc.Binary, ipc.Gob} {
			b.Run(bc.name+"/"+c.Name(), func(b *testing.B) {
				b.ReportAllocs()
				var buf []byte
				ptr := bc.new()
				for b.Loop() {
					buf, _ = c.Append(buf[:0], bc.v)
					if err := c.Decode(buf, ptr); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(bc.name+"/json-baseline", func(b *testing.B) {
			b.ReportAllocs()
			ptr := bc.new()
			for b.Loop() {
				buf, _ := json.Marshal(bc.v)
				json.Unmarshal(buf, ptr)
			}
		})
	}
}

func TestBinaryLists(t *testing.T) {
	round := func(v, ptr any) {
		t.Helper()
		b, err := ipc.Binary.Append(nil, v)
		if err != nil {
			t.Fatalf("Append(%v): %v", v, err)
		}
		if b[0] != 0x12 {
			t.Fatalf("Append(%T) tag %#x; want the list tag 0x12", v, b[0])
		}
		if err := ipc.Binary.Decode(b, ptr); err != nil {
			t.Fatalf("Decode(%T): %v", ptr, err)
		}
	}
	ints := []int{0, -1, 1 << 40, 7}
	var gotInts []int
	round(ints, &gotInts)
	if !slices.Equal(ints, gotInts) {
		t.Errorf("[]int: got %v; want %v", gotInts, ints)
	}
	strs := []string{"", "a", "ünïcode"}
	var gotStrs []string
	round(&strs, &gotStrs) // a pointer encodes as its value
	if !slices.Equal(strs, gotStrs) {
		t.Errorf("[]string: got %q; want %q", gotStrs, strs)
	}
	floats := []float64{0.5, -2, 1e300}
	var gotFloats []float64
	round(floats, &gotFloats)
	if !slices.Equal(floats, gotFloats) {
		t.Errorf("[]float64: got %v; want %v", gotFloats, floats)
	}
	bools := []bool{true, false, true}
	var gotBools []bool
	round(bools, &gotBools)
	if !slices.Equal(bools, gotBools) {
		t.Errorf("[]bool: got %v; want %v", gotBools, bools)
	}
	big := []int64{1 << 40}
	var small []int32
	b, _ := ipc.Binary.Append(nil, big)
	if err := ipc.Binary.Decode(b, &small); err == nil {
		t.Errorf("Decode([]int64 into *[]int32) = nil; want an error")
	}
	var overflow []int32
	b, _ = ipc.Binary.Append(nil, []int32{1})
	b = append(b[:len(b)-1], 0x80, 0x80, 0x80, 0x80, 0x10) // 1<<32: over int32
	b[2] = 1
	if err := ipc.Binary.Decode(b, &overflow); err == nil {
		t.Errorf("Decode(an int32 list with 1<<32) = nil; want an error")
	}
	var short []float64
	b, _ = ipc.Binary.Append(nil, []float64{1, 2})
	if err := ipc.Binary.Decode(b[:len(b)-3], &short); err == nil {
		t.Errorf("Decode(a cut float list) = nil; want an error")
	}
}

func TestJSONRefusesInvalidUTF8(t *testing.T) {
	type named struct {
		Name string
		Tags []string
	}
	for _, c := range []ipc.Codec{ipc.JSON, ipc.Binary} {
		_, err := c.Append(nil, named{Name: "ok", Tags: []string{"fine", "bad\xff"}})
		if err == nil || !strings.Contains(err.Error(), ".Tags[1]") {
			t.Errorf("%s.Append(a struct with a non-UTF-8 string) = %v; want an error naming .Tags[1]", c.Name(), err)
		}
		if _, err := c.Append(nil, named{Name: "a real \ufffd is fine"}); err != nil {
			t.Errorf("%s.Append(a valid U+FFFD) = %v; want no error", c.Name(), err)
		}
	}
	b, err := ipc.Binary.Append(nil, "bad\xff") // a plain string travels as its bytes
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := ipc.Binary.Decode(b, &s); err != nil || s != "bad\xff" {
		t.Errorf("binary round trip of a non-UTF-8 string = %q, %v; want it unchanged", s, err)
	}
}
