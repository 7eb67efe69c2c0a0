package ipc_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/dualpool/dualpool/ipc"
)

// FuzzDecode feeds arbitrary bytes to the frame reader and every decoder: none may panic
// or allocate past the frame limit. Its seed corpus runs in every go test.
func FuzzDecode(f *testing.F) {
	f.Add(ipc.AppendHello(nil, ipc.Hello{Version: 1, PID: 1, Codec: "binary", Names: []string{"x"}}))
	f.Add(ipc.AppendTask(nil, ipc.Task{ID: 1, Func: "f", Input: []byte{1}}))
	bw := ipc.BeginBatch(nil, 2)
	bw.Add(ipc.Task{ID: 1, Func: "f"})
	bw.Add(ipc.Task{ID: 2, Func: "g", Deadline: 99})
	f.Add(bw.End())
	f.Add(ipc.AppendResult(nil, 3, []byte("r")))
	f.Add(ipc.AppendError(nil, ipc.Error{ID: 4, Kind: ipc.ErrText, Message: "m"}))
	f.Add(ipc.AppendCancel(nil, 5, ipc.ErrCancelled))
	f.Add(ipc.AppendShutdown(nil))
	f.Add([]byte{0, 0, 0, 5, 3, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 1})
	f.Add(ipc.AppendChunk(nil, ipc.Task{ID: 6, Func: "f", Input: []byte{0x12, 1, 2, 2, 4}}, 2))
	cr, start := ipc.BeginChunkResult(nil, 7, []ipc.Error{{ID: 1, Kind: ipc.ErrPanic, Message: "p", Stack: []byte("s")}})
	f.Add(ipc.EndFrame(append(cr, 0x12, 1, 2, 2, 0), start))
	f.Add(ipc.AppendContext(nil, ipc.TaskContext{ID: 8, Count: 2, Fields: []string{"traceparent", "00-01-02-01"}}))
	f.Add(ipc.AppendProfileRequest(nil, ipc.ProfileRequest{ID: 9, Name: "cpu", Duration: 1e9}))
	f.Add(ipc.AppendProfileReply(nil, ipc.ProfileReply{ID: 9, Data: []byte{0x1f, 0x8b}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := ipc.NewReader(bytes.NewReader(data), 1<<16)
		for {
			k, body, err := r.Next()
			if err != nil {
				return
			}
			switch k {
			case ipc.KindHello:
				ipc.DecodeHello(body)
			case ipc.KindTask:
				ipc.DecodeTask(body)
			case ipc.KindBatch:
				ipc.DecodeBatch(body, func(ipc.Task) error { return nil })
			case ipc.KindResult:
				ipc.DecodeResult(body)
			case ipc.KindError:
				ipc.DecodeError(body)
			case ipc.KindCancel:
				ipc.DecodeCancel(body)
			case ipc.KindChunk:
				ipc.DecodeChunk(body)
			case ipc.KindChunkResult:
				ipc.DecodeChunkResult(body)
			case ipc.KindContext:
				ipc.DecodeContext(body)
			case ipc.KindProfile:
				ipc.DecodeProfileRequest(body)
				ipc.DecodeProfileReply(body)
			}
			var v struct{ A int }
			ipc.Binary.Decode(body, &v)
			var n int
			ipc.Binary.Decode(body, &n)
			var s string
			ipc.Binary.Decode(body, &s)
			var ints []int
			ipc.Binary.Decode(body, &ints)
			var strs []string
			ipc.Binary.Decode(body, &strs)
		}
	})
}

// FuzzBinaryRoundTrip: whatever a list or a []byte decodes from, encoding it again and
// decoding gives the same values, nil where it was nil and empty where it was empty, and
// no input makes the decoder panic.
func FuzzBinaryRoundTrip(f *testing.F) {
	for _, v := range [][]int{nil, {}, {0}, {-1, 1 << 40, 7}} {
		b, _ := ipc.Binary.Append(nil, v)
		f.Add(b)
	}
	for _, v := range [][]byte{nil, {}, {0xff}} {
		b, _ := ipc.Binary.Append(nil, v)
		f.Add(b)
	}
	f.Add([]byte{0x12, 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{0x12, 1, 0}) // an empty list, as a nil one was written before the nil tag
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[int](t, data, slices.Equal)
		roundTrip[byte](t, data, bytes.Equal)
	})
}

// roundTrip decodes data as a []T and, if that works, checks that the value survives
// being encoded and decoded again, nil-ness included.
func roundTrip[T any](t *testing.T, data []byte, equal func(a, b []T) bool) {
	t.Helper()
	var first []T
	if ipc.Binary.Decode(data, &first) != nil {
		return
	}
	b, err := ipc.Binary.Append(nil, first)
	if err != nil {
		t.Fatalf("Append(%#v): %v", first, err)
	}
	var second []T
	if err := ipc.Binary.Decode(b, &second); err != nil || !equal(first, second) || (first == nil) != (second == nil) {
		t.Fatalf("round trip of %#v gave %#v, %v", first, second, err)
	}
}
