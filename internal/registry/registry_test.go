package registry_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/internal/registry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRegistry(t *testing.T) {
	var r registry.Registry[int]
	_, ok := r.Get("a")
	assert.False(t, ok, "the zero Registry is empty")
	assert.True(t, r.Add("b", 2))
	assert.True(t, r.Add("a", 1))
	assert.False(t, r.Add("a", 9), "a name is taken once")
	v, ok := r.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 1, v, "the first value stays")
	assert.Equal(t, []string{"a", "b"}, r.Names(), "sorted")
}
