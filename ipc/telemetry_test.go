package ipc_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/ipc"
)

// next reads the one frame of b.
func next(t *testing.T, b []byte) (ipc.Kind, []byte) {
	t.Helper()
	k, body, err := ipc.NewReader(bytes.NewReader(b), 0).Next()
	require.NoError(t, err)
	return k, body
}

func TestContextFrame(t *testing.T) {
	want := ipc.TaskContext{ID: 7, Count: 3, Fields: []string{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "baggage", ""}}
	k, body := next(t, ipc.AppendContext(nil, want))
	assert.Equal(t, ipc.KindContext, k)
	assert.Equal(t, "context", k.String())
	got, err := ipc.DecodeContext(body)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	for _, bad := range [][]byte{nil, body[:len(body)-1], append(append([]byte(nil), body...), 0)} {
		_, err := ipc.DecodeContext(bad)
		assert.ErrorIs(t, err, ipc.ErrCorrupt, "DecodeContext(%x)", bad)
	}
}

func TestProfileFrames(t *testing.T) {
	req := ipc.ProfileRequest{ID: 3, Name: "cpu", Duration: 250 * time.Millisecond}
	k, body := next(t, ipc.AppendProfileRequest(nil, req))
	assert.Equal(t, ipc.KindProfile, k)
	assert.Equal(t, "profile", k.String())
	got, err := ipc.DecodeProfileRequest(body)
	require.NoError(t, err)
	assert.Equal(t, req, got)
	_, err = ipc.DecodeProfileRequest(body[:len(body)-1])
	assert.ErrorIs(t, err, ipc.ErrCorrupt)
	_, err = ipc.DecodeProfileRequest(ipc.AppendProfileRequest(nil, ipc.ProfileRequest{ID: 1, Name: "cpu", Duration: -1})[5:])
	assert.ErrorIs(t, err, ipc.ErrCorrupt, "a negative duration")

	for _, rep := range []ipc.ProfileReply{{ID: 3, Data: []byte{0x1f, 0x8b, 1, 2}}, {ID: 4, Err: `no profile "nope"`, Data: []byte{}}} {
		k, body = next(t, ipc.AppendProfileReply(nil, rep))
		assert.Equal(t, ipc.KindProfile, k)
		gotRep, err := ipc.DecodeProfileReply(body)
		require.NoError(t, err)
		assert.Equal(t, rep, gotRep)
	}
	_, err = ipc.DecodeProfileReply([]byte{0x80})
	assert.True(t, errors.Is(err, ipc.ErrCorrupt), "DecodeProfileReply(bad id) = %v", err)
}
