package ipc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/ipc"
)

func TestMessagesRoundTrip(t *testing.T) {
	var buf []byte
	buf = ipc.AppendHello(buf, ipc.Hello{Version: ipc.Version, PID: 42, Codec: "binary", Names: []string{"a", "b"}})
	buf = ipc.AppendTask(buf, ipc.Task{ID: 7, Func: "square", Deadline: -5, Input: []byte{1, 2}})
	bw := ipc.BeginBatch(buf, 2)
	bw.Add(ipc.Task{ID: 8, Func: "f", Input: []byte("x")})
	bw.Add(ipc.Task{ID: 9, Func: "g"})
	buf = bw.End()
	buf = ipc.AppendResult(buf, 7, []byte("out"))
	buf = ipc.AppendError(buf, ipc.Error{ID: 8, Kind: ipc.ErrPanic, Message: "boom", Stack: []byte("stack")})
	buf = ipc.AppendCancel(buf, 9, ipc.ErrDeadline)
	buf = ipc.AppendShutdown(buf)

	r := ipc.NewReader(bytes.NewReader(buf), 0)
	next := func(want ipc.Kind) []byte {
		t.Helper()
		k, body, err := r.Next()
		require.NoError(t, err)
		require.Equal(t, want, k)
		return body
	}
	h, err := ipc.DecodeHello(next(ipc.KindHello))
	require.NoError(t, err)
	require.Equal(t, ipc.Hello{Version: ipc.Version, PID: 42, Codec: "binary", Names: []string{"a", "b"}}, h)

	task, err := ipc.DecodeTask(next(ipc.KindTask))
	require.NoError(t, err)
	require.Equal(t, ipc.Task{ID: 7, Func: "square", Deadline: -5, Input: []byte{1, 2}}, task)

	var got []uint64
	require.NoError(t, ipc.DecodeBatch(next(ipc.KindBatch), func(t ipc.Task) error { got = append(got, t.ID); return nil }))
	require.Equal(t, []uint64{8, 9}, got)

	id, out, err := ipc.DecodeResult(next(ipc.KindResult))
	require.NoError(t, err)
	require.Equal(t, uint64(7), id)
	require.Equal(t, "out", string(out))

	e, err := ipc.DecodeError(next(ipc.KindError))
	require.NoError(t, err)
	require.Equal(t, ipc.Error{ID: 8, Kind: ipc.ErrPanic, Message: "boom", Stack: []byte("stack")}, e)

	id, why, err := ipc.DecodeCancel(next(ipc.KindCancel))
	require.NoError(t, err)
	require.Equal(t, uint64(9), id)
	require.Equal(t, ipc.ErrDeadline, why)

	next(ipc.KindShutdown)
	_, _, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
}

func TestReaderLimits(t *testing.T) {
	big := ipc.AppendResult(nil, 1, make([]byte, 1000))
	_, _, err := ipc.NewReader(bytes.NewReader(big), 100).Next()
	require.ErrorIs(t, err, ipc.ErrFrameTooLarge)

	// A length of 4 GiB - 1 is refused before anything is read or allocated.
	huge := []byte{0xff, 0xff, 0xff, 0xff, byte(ipc.KindResult)}
	_, _, err = ipc.NewReader(bytes.NewReader(huge), 0).Next()
	require.ErrorIs(t, err, ipc.ErrFrameTooLarge)

	_, _, err = ipc.NewReader(bytes.NewReader(big[:500]), 0).Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	_, _, err = ipc.NewReader(bytes.NewReader([]byte{0, 0, 0, 0}), 0).Next()
	require.ErrorIs(t, err, ipc.ErrCorrupt)
}

func TestDecodeCorrupt(t *testing.T) {
	for name, fn := range map[string]func() error{
		"hello magic": func() error { _, err := ipc.DecodeHello([]byte{3, 'a', 'b', 'c'}); return err },
		"task short":  func() error { _, err := ipc.DecodeTask([]byte{1}); return err },
		"batch count": func() error {
			return ipc.DecodeBatch([]byte{0xff, 0xff, 0xff, 0x0f}, func(ipc.Task) error { return nil })
		},
		"error kind": func() error { _, err := ipc.DecodeError([]byte{1, 99, 0}); return err },
		"cancel why": func() error { _, _, err := ipc.DecodeCancel([]byte{1, 9}); return err },
	} {
		t.Run(name, func(t *testing.T) {
			if err := fn(); !errors.Is(err, ipc.ErrCorrupt) {
				t.Errorf("err = %v; want ErrCorrupt", err)
			}
		})
	}
}

// TestReaderGrowsAsBytesArrive: a peer that announces a frame just under the limit and
// sends nothing costs the reader its buffer, not the frame it announced.
func TestReaderGrowsAsBytesArrive(t *testing.T) {
	const limit = 256 << 20
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], limit-1)
	data := append(hdr[:], make([]byte, 1000)...) // a kind byte and some body, then the end
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := ipc.NewReader(bytes.NewReader(data), limit).Next()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Next() = %v; want io.ErrUnexpectedEOF", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("Next() of a frame announced at %d bytes, cut after 1000: allocated %d bytes; want a few hundred KiB", limit-1, grew)
	}
}
