package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/ipc"
)

// ErrVersionMismatch is matched by the error of a task that a node refused because it
// runs other code than the client: another protocol version, another codec, or other
// registered functions (names or types). See [VersionError].
var ErrVersionMismatch = errors.New("cluster: node runs other code than this program")

// VersionError is the error of a task refused by a node that runs other code than the
// client; both sides log it. Deploy the same build on the client and its nodes.
type VersionError struct {
	Node string // the node's host and pid
	Want string // the client's protocol, codec and registry hash
	Got  string // the node's
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("cluster: node %s refused the task: it runs %q, this program %q (protocol, codec, registry hash): deploy the same build on both",
		e.Node, e.Got, e.Want)
}

// Is matches ErrVersionMismatch.
func (e *VersionError) Is(target error) bool { return target == ErrVersionMismatch }

// The chain names under which a node sends the errors of package executor that its
// process pool makes, with their fields in JSON, so that the client rebuilds them.
const (
	nameWorkerExit  = "dualpool/cluster.WorkerExitError"
	nameKilled      = "dualpool/cluster.KilledError"
	nameMemoryLimit = "dualpool/cluster.MemoryLimitError"
)

// exitJSON is a WorkerExitError on the wire: its signal as a number.
type exitJSON struct {
	PID, ExitCode, Signal int
	Stderr                []byte
	Err                   string
}

type killedJSON struct {
	PID      int
	Grace    time.Duration
	Deadline bool
}

// wireError is a task's error on a node as it goes to the client: as the worker sent it,
// and with the worker's death, its kill or its memory limit in a form the client rebuilds.
func wireError(id uint64, err error, codec ipc.Codec) ipc.Error {
	e := wire.Error(id, err, codec)
	var exit *executor.WorkerExitError
	var killed *executor.KilledError
	var mem *executor.MemoryLimitError
	var name string
	var v any
	switch {
	case errors.As(err, &exit):
		x := exitJSON{PID: exit.PID, ExitCode: exit.ExitCode, Stderr: exit.Stderr}
		if s, ok := exit.Signal.(syscall.Signal); ok {
			x.Signal = int(s)
		}
		if exit.Err != nil {
			x.Err = exit.Err.Error()
		}
		name, v = nameWorkerExit, x
	case errors.As(err, &killed):
		name, v = nameKilled, killedJSON{PID: killed.PID, Grace: killed.Grace, Deadline: errors.Is(killed.Cause, context.DeadlineExceeded)}
	case errors.As(err, &mem):
		name, v = nameMemoryLimit, mem
	default:
		return e
	}
	b, _ := json.Marshal(v)
	e.Chain = append([]ipc.ChainError{{Name: name, Value: b}}, e.Chain...)
	return e
}

// rebuildError is the client's side of wireError.
func rebuildError(e ipc.Error, codec ipc.Codec) error {
	if len(e.Chain) > 0 {
		if err := rebuildExecutorError(e.Chain[0]); err != nil {
			return err
		}
	}
	return wire.Rebuild(e, codec, "cluster: node: ")
}

func rebuildExecutorError(c ipc.ChainError) error {
	switch c.Name {
	case nameWorkerExit:
		var x exitJSON
		if json.Unmarshal(c.Value, &x) != nil {
			return nil
		}
		err := &executor.WorkerExitError{PID: x.PID, ExitCode: x.ExitCode, Stderr: x.Stderr}
		if x.Signal != 0 {
			err.Signal = syscall.Signal(x.Signal)
		}
		if x.Err != "" {
			err.Err = errors.New(x.Err)
		}
		return err
	case nameKilled:
		var x killedJSON
		if json.Unmarshal(c.Value, &x) != nil {
			return nil
		}
		cause := context.Canceled
		if x.Deadline {
			cause = context.DeadlineExceeded
		}
		return &executor.KilledError{PID: x.PID, Grace: x.Grace, Cause: cause}
	case nameMemoryLimit:
		var x executor.MemoryLimitError
		if json.Unmarshal(c.Value, &x) != nil {
			return nil
		}
		return &x
	}
	return nil
}

// codecFailure is the wire form of a task that a node could not start: its function is
// not registered there, or its argument did not decode.
func codecFailure(id uint64, err error, codec ipc.Codec) ipc.Error {
	e := wire.Error(id, err, codec)
	if e.Kind == ipc.ErrText {
		e.Kind = ipc.ErrCodec
	}
	return e
}
