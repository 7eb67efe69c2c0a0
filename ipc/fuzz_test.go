package ipc_test

import (
	"bytes"
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
			}
			var v struct{ A int }
			ipc.Binary.Decode(body, &v)
			var n int
			ipc.Binary.Decode(body, &n)
			var s string
			ipc.Binary.Decode(body, &s)
		}
	})
}
