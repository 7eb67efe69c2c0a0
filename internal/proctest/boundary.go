package proctest

import (
	"context"
	"errors"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

// Named is an executor under test, by the name its failures give.
type Named struct {
	Name string
	Ex   executor.Executor
}

// SameAcrossTheBoundary runs each of workloads.BoundaryCases, through Submit and through a
// Map chunk, on ref, a goroutine pool, and on each of pools, and fails t unless every pool
// gives what ref gives: the same result (SameValue) or the same error (SameError). A case
// that a process cannot carry must instead be refused with an error matching refusal and
// reading as the case says, before the pool takes the task.
func SameAcrossTheBoundary(t *testing.T, ref executor.Executor, refusal error, pools ...Named) {
	t.Helper()
	ctx := context.Background()
	for _, c := range workloads.BoundaryCases() {
		t.Run(c.Name, func(t *testing.T) {
			for _, how := range []struct {
				name string
				run  func(workloads.BoundaryCase, context.Context, executor.Executor) (any, error)
			}{{"Submit", workloads.BoundaryCase.Submit}, {"Map", workloads.BoundaryCase.Map}} {
				want, wantErr := how.run(c, ctx, ref)
				if c.ErrorKind == "" && wantErr != nil {
					t.Fatalf("%s on the goroutine pool: %v", how.name, wantErr)
				}
				for _, pool := range pools {
					where := how.name + " on " + pool.Name
					taken := pool.Ex.Stats().Submitted
					got, err := how.run(c, ctx, pool.Ex)
					switch {
					case c.Refused != "":
						if !errors.Is(err, refusal) || err.Error() != c.Refused {
							t.Errorf("%s: error %v; want %q, matching %v", where, err, c.Refused, refusal)
						}
						if n := pool.Ex.Stats().Submitted; n != taken {
							t.Errorf("%s: %d tasks taken; want none", where, n-taken)
						}
					case c.ErrorKind != "":
						SameError(t, c.ErrorKind, where, wantErr, err)
					case err != nil:
						t.Errorf("%s: %v", where, err)
					default:
						SameValue(t, c.Name, where, want, got)
					}
				}
			}
		})
	}
}
