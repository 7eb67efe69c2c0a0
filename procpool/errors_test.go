package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// A user's own sentinel and error type, registered as functions are.
var errGone = executor.RegisterError("procpool_test.ErrGone", errors.New("gone"))

type notFound struct{ Key string }

func (e *notFound) Error() string { return "not found: " + e.Key }

func init() { executor.RegisterErrorType[*notFound]("procpool_test.NotFound") }

var failWith = executor.Register("procpool_test.fail_with", func(ctx context.Context, kind string) (int, error) {
	switch kind {
	case "sentinel":
		return 0, errGone
	case "wrapped sentinel":
		return 0, fmt.Errorf("loading: %w", errGone)
	case "type":
		return 0, &notFound{Key: "k"}
	case "wrapped type":
		return 0, fmt.Errorf("lookup: %w", &notFound{Key: "k2"})
	case "joined":
		return 0, errors.Join(errGone, &notFound{Key: "j"})
	case "deadline wrapped":
		return 0, fmt.Errorf("fetch: %w", context.DeadlineExceeded)
	case "unregistered":
		_, err := os.Open("/no/such/file")
		return 0, err
	}
	return 1, nil
})

var errorKinds = []string{"sentinel", "wrapped sentinel", "type", "wrapped type", "joined", "deadline wrapped", "unregistered"}

// TestErrorsCrossTheBoundary: the same Funcs fail with the same errors on the threadpool
// and on the procpool, alone and in a Map chunk: the same text, and the same answers from
// errors.Is and errors.As for the registered ones; an unregistered error arrives as an
// *executor.RemoteError naming its type.
func TestErrorsCrossTheBoundary(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	pp := newPool(t)
	ctx := context.Background()
	viaMap := func(ex executor.Executor) []error {
		var errs []error
		for _, err := range executor.Map(ctx, ex, failWith, slices.Values(errorKinds), executor.Chunk(len(errorKinds))) {
			errs = append(errs, err)
		}
		return errs
	}
	mapped := map[string][]error{"threadpool": viaMap(tp), "procpool": viaMap(pp)}
	for i, kind := range errorKinds {
		t.Run(kind, func(t *testing.T) {
			_, want := submitWait(ctx, tp, failWith, kind)
			_, got := submitWait(ctx, pp, failWith, kind)
			for _, c := range []struct {
				how       string
				want, got error
			}{{"Submit", want, got}, {"Map", mapped["threadpool"][i], mapped["procpool"][i]}} {
				require.Error(t, c.got, c.how)
				assert.Equal(t, c.want.Error(), c.got.Error(), "%s: the same text", c.how)
				assert.Equal(t, errors.Is(c.want, errGone), errors.Is(c.got, errGone), "%s: errors.Is(err, errGone)", c.how)
				assert.Equal(t, errors.Is(c.want, context.DeadlineExceeded), errors.Is(c.got, context.DeadlineExceeded),
					"%s: errors.Is(err, context.DeadlineExceeded)", c.how)
				var wantNF, gotNF *notFound
				require.Equal(t, errors.As(c.want, &wantNF), errors.As(c.got, &gotNF), "%s: errors.As(err, *notFound)", c.how)
				if wantNF != nil {
					assert.Equal(t, wantNF.Key, gotNF.Key, "%s: its fields", c.how)
				}
			}
			if kind == "unregistered" {
				var re *executor.RemoteError
				require.ErrorAs(t, got, &re)
				assert.Equal(t, "*fs.PathError", re.Type)
			}
			if kind == "sentinel" {
				assert.Same(t, errGone, got, "a registered sentinel arrives as itself")
			}
		})
	}
}
