package goplugin_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

func TestRoundTrip(t *testing.T) {
	p := newPool(t)
	got, err := submitWait(context.Background(), p, tt.Square, 7)
	require.NoError(t, err)
	require.Equal(t, 49, got)
}
