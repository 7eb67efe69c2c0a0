package goplugin_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

func sha256File(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return sum[:]
}

func TestChecksum(t *testing.T) {
	fds := proctest.OpenFDs(t)
	good := sha256File(t, pluginBin)
	p, err := goplugin.New(pluginBin, goplugin.WithChecksum(good), goplugin.WithPoolOptions(baseOptions()...))
	require.NoError(t, err)
	got, err := submitWait(context.Background(), p, tt.Square, 4)
	require.NoError(t, err)
	require.Equal(t, 16, got)
	require.NoError(t, p.Close())

	bad := sha256File(t, pluginBin)
	bad[0] ^= 0xff
	_, err = goplugin.New(pluginBin, goplugin.WithChecksum(bad), goplugin.WithPoolOptions(baseOptions()...))
	var ce *goplugin.ChecksumError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.Contains(t, err.Error(), pluginBin)
	require.Contains(t, err.Error(), hex.EncodeToString(good))
	require.Contains(t, err.Error(), hex.EncodeToString(bad))
	proctest.RequireNoChildren(t)
	require.Equal(t, fds, proctest.OpenFDs(t))
}

// TestHandshakeFailures: a plugin that cannot complete go-plugin's handshake fails New
// with an error that says why, and leaves nothing running.
func TestHandshakeFailures(t *testing.T) {
	other := goplugin.Handshake
	other.ProtocolVersion = 2
	for _, c := range []struct {
		name string
		opts []goplugin.Option
		want []string
	}{
		{"wrong_cookie", []goplugin.Option{goplugin.WithPoolOptions(procpool.WithEnv("TESTPLUGIN_MODE=wrongcookie"))},
			[]string{"ended (exit status 1) before its handshake", "magic cookie DUALPOOL_PLUGIN", "This binary is a plugin"}},
		{"not_a_plugin", []goplugin.Option{goplugin.WithPoolOptions(procpool.WithEnv("TESTPLUGIN_MODE=plain"))},
			[]string{"ended (exit status 0) before its handshake", "testplugin: a plain program, not a plugin"}},
		{"stdout_first", []goplugin.Option{goplugin.WithPoolOptions(procpool.WithEnv("TESTPLUGIN_MODE=stdout"))},
			[]string{`printed "testplugin: starting up" to stdout before its handshake line`, "#164"}},
		{"never_handshakes", []goplugin.Option{goplugin.WithPoolOptions(procpool.WithEnv("TESTPLUGIN_MODE=hang"), procpool.WithStartTimeout(time.Second))},
			[]string{"did not complete its handshake within 1s and was killed"}},
		{"other_version", []goplugin.Option{goplugin.WithHandshake(other)},
			[]string{"incompatible API version with plugin"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fds := proctest.OpenFDs(t)
			start := time.Now()
			opts := append([]goplugin.Option{goplugin.WithPoolOptions(baseOptions()...)}, c.opts...)
			p, err := goplugin.New(pluginBin, opts...)
			require.Nil(t, p)
			require.ErrorIs(t, err, goplugin.ErrHandshake)
			require.ErrorIs(t, err, executor.ErrPoolBroken)
			for _, w := range c.want {
				require.ErrorContains(t, err, w)
			}
			require.Contains(t, err.Error(), pluginBin)
			require.Less(t, time.Since(start), 20*time.Second)
			proctest.RequireNoChildren(t)
			require.Equal(t, fds, proctest.OpenFDs(t))
		})
	}
}
