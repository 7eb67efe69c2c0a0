package ipc_test

import (
	"bytes"
	"testing"

	"github.com/dualpool/dualpool/ipc"
)

func TestRecycleFrame(t *testing.T) {
	frame := ipc.AppendRecycle(nil)
	r := ipc.NewReader(bytes.NewReader(frame), 0)
	kind, body, err := r.Next()
	if err != nil || kind != ipc.KindRecycle {
		t.Fatalf("Next() = %v, %v; want recycle, <nil>", kind, err)
	}
	if err := ipc.DecodeRecycle(body); err != nil {
		t.Fatalf("DecodeRecycle(%x) = %v; want <nil>", body, err)
	}
	if err := ipc.DecodeRecycle([]byte{1}); err == nil {
		t.Fatal("DecodeRecycle of a body with a byte = <nil>; want an error")
	}
	if got := ipc.KindRecycle.String(); got != "recycle" {
		t.Fatalf("KindRecycle.String() = %q", got)
	}
}
