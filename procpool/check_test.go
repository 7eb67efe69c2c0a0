package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

type (
	withSecret struct {
		Name   string
		secret string
	}
	withAny struct {
		Name  string
		Extra any
	}
	withFunc     struct{ F func() }
	nestedPublic struct {
		When  time.Time // marshals itself
		Tags  []string
		Score map[string]float64
		Inner struct{ N int }
	}
)

type (
	// binaryOnly marshals itself for gob only: JSON would see its fields.
	binaryOnly struct{ n int }
	// jsonHalf writes itself for JSON but has no UnmarshalJSON to read itself back.
	jsonHalf  struct{ n int }
	inner     struct{ N int }
	embeds    struct{ inner }
	embedsBad struct{ withSecret }
	dashed    struct {
		Name string
		Note string `json:"-"`
	}
	omits struct {
		Name string   `json:"name,omitempty"` // a string omitted arrives "": the same
		Tags []string `json:"tags,omitempty"`
	}
	omitsZero struct {
		Tags []string `json:"tags,omitzero"`
		//lint:ignore SA5008 "-," names a field "-", which is what is checked here
		Dash string `json:"-,"`
	}
)

func (b binaryOnly) MarshalBinary() ([]byte, error)     { return []byte{byte(b.n)}, nil }
func (b *binaryOnly) UnmarshalBinary(data []byte) error { b.n = int(data[0]); return nil }
func (j jsonHalf) MarshalJSON() ([]byte, error)         { return fmt.Appendf(nil, "%d", j.n), nil }

var (
	takesBinaryOnly = executor.Register("procpool_test.binary_only", func(context.Context, binaryOnly) (int, error) { return 0, nil })
	takesJSONHalf   = executor.Register("procpool_test.json_half", func(context.Context, jsonHalf) (int, error) { return 0, nil })
	takesEmbeds     = executor.Register("procpool_test.embeds", func(_ context.Context, e embeds) (embeds, error) {
		e.N++
		return e, nil
	})
	takesEmbedsBad = executor.Register("procpool_test.embeds_bad", func(context.Context, embedsBad) (int, error) { return 0, nil })
	takesDashed    = executor.Register("procpool_test.dashed", func(context.Context, dashed) (int, error) { return 0, nil })
	takesOmits     = executor.Register("procpool_test.omits", func(context.Context, omits) (int, error) { return 0, nil })
	takesOmitsZero = executor.Register("procpool_test.omits_zero", func(context.Context, omitsZero) (int, error) { return 0, nil })
)

var (
	takesSecret = executor.Register("procpool_test.secret", func(context.Context, withSecret) (int, error) { return 0, nil })
	takesAny    = executor.Register("procpool_test.any", func(context.Context, int) (withAny, error) { return withAny{}, nil })
	takesFunc   = executor.Register("procpool_test.func", func(context.Context, withFunc) (int, error) { return 0, nil })
	takesPtr    = executor.Register("procpool_test.ptr", func(context.Context, *nestedPublic) (int, error) { return 0, nil })
	takesPublic = executor.Register("procpool_test.public", func(context.Context, nestedPublic) (nestedPublic, error) {
		return nestedPublic{}, nil
	})
)

// TestCheck: the types a codec would change silently are refused, with the type, the
// field and the fix named; what crosses unchanged passes.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string // "" : no error
	}{
		{"unexported field", procpool.Check(takesSecret), []string{"procpool_test.withSecret has unexported field secret", "export it"}},
		{"any field in the result", procpool.Check(takesAny), []string{"its result", "Extra", "interface", "ipc.Gob"}},
		{"func field", procpool.Check(takesFunc), []string{".F is a func"}},
		{"pointer argument", procpool.Check(takesPtr), []string{"takes a pointer", "return what changed"}},
		{"chan argument", procpool.Check(chanTask), []string{"chan"}},
		{"exported, nested, time", procpool.Check(takesPublic), nil},
		{"any with gob", procpool.Check(takesAny, ipc.Gob), nil},
		{"unexported with gob", procpool.Check(takesSecret, ipc.Gob), []string{"unexported field secret", "GobEncode and GobDecode"}},
		{"unexported, the fix for JSON", procpool.Check(takesSecret), []string{"MarshalJSON and UnmarshalJSON"}},
		{"MarshalBinary, which JSON does not use", procpool.Check(takesBinaryOnly), []string{"binaryOnly has unexported field n"}},
		{"MarshalBinary with gob", procpool.Check(takesBinaryOnly, ipc.Gob), nil},
		{"MarshalJSON without UnmarshalJSON", procpool.Check(takesJSONHalf), []string{"jsonHalf has unexported field n"}},
		{"an embedded struct, promoted by JSON", procpool.Check(takesEmbeds), nil},
		{"an embedded struct with gob", procpool.Check(takesEmbeds, ipc.Gob), []string{"unexported field inner"}},
		{"an embedded struct's unexported field", procpool.Check(takesEmbedsBad), []string{"withSecret has unexported field secret"}},
		{`a field tagged json:"-"`, procpool.Check(takesDashed), []string{`field Note tagged json:"-"`, "drop the tag"}},
		{`json:"-" with gob`, procpool.Check(takesDashed, ipc.Gob), nil},
		{"omitempty on a slice", procpool.Check(takesOmits), []string{"field Tags tagged omitempty", "empty slice arrive nil", "omitzero"}},
		{`omitzero, and a field named "-"`, procpool.Check(takesOmitsZero), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				assert.NoError(t, tc.err)
				return
			}
			require.ErrorIs(t, tc.err, procpool.ErrNotPortable)
			for _, w := range tc.want {
				assert.ErrorContains(t, tc.err, w)
			}
		})
	}
}

// TestSubmitRefusesWhatWouldNotCross: Submit and Map return the check's error before
// anything is sent.
func TestSubmitRefusesWhatWouldNotCross(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	_, err := executor.Submit(ctx, p, takesSecret, withSecret{Name: "n", secret: "s"})
	require.ErrorIs(t, err, procpool.ErrNotPortable)
	for _, err := range executor.Map(ctx, p, takesSecret, func(yield func(withSecret) bool) { yield(withSecret{}) }) {
		require.ErrorIs(t, err, procpool.ErrNotPortable)
	}
	assert.Zero(t, p.Stats().Submitted, "nothing was taken")
	v, err := submitWait(ctx, p, takesPublic, nestedPublic{Tags: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, nestedPublic{}, v)
	e, err := submitWait(ctx, p, takesEmbeds, embeds{inner{N: 41}})
	require.NoError(t, err)
	assert.Equal(t, embeds{inner{N: 42}}, e, "an embedded struct's fields cross, promoted")
}

type (
	// opError wraps another error in an interface field, which JSON cannot decode.
	opError struct {
		Op  string
		Err error
	}
	// codeError has an unexported field, which would arrive zero.
	codeError struct{ code int }
)

func (e *opError) Error() string  { return e.Op + ": " + e.Err.Error() }
func (e *opError) Unwrap() error  { return e.Err }
func (e codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

func init() {
	executor.RegisterErrorType[*opError]("procpool_test.opError")
	executor.RegisterErrorType[codeError]("procpool_test.codeError")
}

var failOp = executor.Register("procpool_test.fail_op", func(context.Context, string) (int, error) {
	return 0, &opError{Op: "open", Err: errors.New("denied")}
})

// TestCheckErrors: the registered error types that would not cross unchanged are named,
// each with its field and the fix; what CheckErrors warns of is real: such an error
// loses errors.As across a process.
func TestCheckErrors(t *testing.T) {
	err := procpool.CheckErrors()
	require.ErrorIs(t, err, procpool.ErrNotPortable)
	for _, w := range []string{
		`error type *procpool_test.opError, registered as "procpool_test.opError": type *procpool_test.opError at .Err is an interface (error), which JSON cannot decode into`,
		`error type procpool_test.codeError, registered as "procpool_test.codeError": type procpool_test.codeError has unexported field code`,
	} {
		assert.ErrorContains(t, err, w)
	}
	assert.NotContains(t, err.Error(), "workloads.NotFound", "an error type of exported, concrete fields crosses")
	gobErr := procpool.CheckErrors(ipc.Gob)
	assert.ErrorContains(t, gobErr, "codeError has unexported field code")
	assert.NotContains(t, gobErr.Error(), "opError", "gob carries an interface field")

	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	var oe *opError
	_, err = submitWait(ctx, tp, failOp, "")
	assert.True(t, errors.As(err, &oe), "on a goroutine pool: %v", err)
	_, err = submitWait(ctx, p, failOp, "")
	assert.EqualError(t, err, "open: denied", "the text crosses")
	assert.False(t, errors.As(err, &oe), "across a process the type is lost, as CheckErrors said: %#v", err)
}
