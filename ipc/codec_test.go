package ipc_test

import (
	"encoding/json"
	"reflect"
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
