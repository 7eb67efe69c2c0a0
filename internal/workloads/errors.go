package workloads

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/dualpool/dualpool/executor"
)

// ErrGone and NotFound are a program's own sentinel and error type, registered as its
// functions are, so that they keep errors.Is and errors.As across a process boundary.
var ErrGone = executor.RegisterError("workloads.ErrGone", errors.New("gone"))

// NotFound is an error type with a field.
type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

func init() { executor.RegisterErrorType[*NotFound]("workloads.NotFound") }

// ErrorKinds are the errors FailWith returns, by name.
var ErrorKinds = []string{"sentinel", "wrapped sentinel", "type", "wrapped type", "joined", "deadline wrapped", "unregistered",
	"panic with a wrapped sentinel", "panic with a type"}

// FailWith fails with the error of the kind it is given (see ErrorKinds), or panics
// with it.
var FailWith = executor.Register("workloads.fail_with", func(_ context.Context, kind string) (int, error) {
	switch kind {
	case "sentinel":
		return 0, ErrGone
	case "wrapped sentinel":
		return 0, fmt.Errorf("loading: %w", ErrGone)
	case "type":
		return 0, &NotFound{Key: "k"}
	case "wrapped type":
		return 0, fmt.Errorf("lookup: %w", &NotFound{Key: "k2"})
	case "joined":
		return 0, errors.Join(ErrGone, &NotFound{Key: "j"})
	case "deadline wrapped":
		return 0, fmt.Errorf("fetch: %w", context.DeadlineExceeded)
	case "panic with a wrapped sentinel":
		panic(fmt.Errorf("bad state: %w", ErrGone))
	case "panic with a type":
		panic(&NotFound{Key: "p"})
	case "unregistered":
		_, err := os.Open("/no/such/file")
		return 0, err
	}
	return 1, nil
})
