package cluster_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// serverURL is a server for a test whose nodes run in processes of their own: the
// external one of DUALPOOL_NATS_URL, or one started in the test process.
func serverURL(t testing.TB) string {
	t.Helper()
	if u := externalURL(); u != "" {
		return u
	}
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv.ClientURL()
}

// nodeProc is a node in a process of its own: this test binary re-executed.
type nodeProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startNode starts a node of pool name at url with one worker; env is added to its
// environment. It is stopped at the end of the test.
func startNode(t testing.TB, url, name string, env ...string) *nodeProc {
	t.Helper()
	return startNodeTo(t, os.Stderr, url, name, env...)
}

// startNodeTo is startNode with the node's stderr to w.
func startNodeTo(t testing.TB, w io.Writer, url, name string, env ...string) *nodeProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DUALPOOL_CLUSTER_NODE="+url, "DUALPOOL_CLUSTER_POOL="+name, "DUALPOOL_CLUSTER_WORKERS=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, w
	require.NoError(t, cmd.Start())
	n := &nodeProc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			<-n.done
		}
	})
	return n
}

func (n *nodeProc) kill(t testing.TB) {
	t.Helper()
	require.NoError(t, n.cmd.Process.Kill())
	<-n.done
}

// client makes a pool with no workers of its own on url, closed at the test's end.
func client(t testing.TB, url, name string, opts ...cluster.Option) *cluster.Pool {
	t.Helper()
	p, err := cluster.New(append([]cluster.Option{cluster.WithURL(url), cluster.WithName(name)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, p.Shutdown(ctx))
	})
	return p
}

// runs returns the node pids that ran gate task name, one a run.
func runs(t testing.TB, dir, name string) []string {
	b, err := os.ReadFile(filepath.Join(dir, name+".runs"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return strings.Fields(string(b))
}

func TestTwoNodesInProcessesOfTheirOwn(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name)
	a, b := startNode(t, url, name), startNode(t, url, name)
	ctx := context.Background()
	seen := map[int]bool{}
	for round := 0; len(seen) < 2; round++ {
		require.Less(t, round, 100, "the tasks ran on nodes %v only", seen)
		var futs []*executor.Future[int]
		for range 4 {
			f, err := executor.Submit(ctx, p, nodePID, 50*time.Millisecond)
			require.NoError(t, err)
			futs = append(futs, f)
		}
		for _, f := range futs {
			pid, err := f.Result(ctx)
			require.NoError(t, err)
			seen[pid] = true
		}
	}
	assert.Equal(t, map[int]bool{a.cmd.Process.Pid: true, b.cmd.Process.Pid: true}, seen)
	s := p.Stats()
	require.Len(t, s.PerWorker, 2)
	var total uint64
	for _, w := range s.PerWorker {
		assert.True(t, seen[w.PID], "Stats names node %d", w.PID)
		assert.NotEmpty(t, w.Host)
		total += w.TasksDone
	}
	assert.Equal(t, s.Completed, total)
}

func TestNodeKilledMidTask(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name, cluster.WithAckWait(time.Second))
	nodes := map[int]*nodeProc{}
	for range 2 {
		n := startNode(t, url, name)
		nodes[n.cmd.Process.Pid] = n
	}
	dir := t.TempDir()
	f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "t"})
	require.NoError(t, err)
	waitFile(t, dir, "t.started")
	first, err := strconv.Atoi(runs(t, dir, "t")[0])
	require.NoError(t, err)
	release(t, dir, "t")
	nodes[first].kill(t)
	pid, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, first, pid, "the task completed on the killed node")
	assert.Len(t, runs(t, dir, "t"), 2)
}

func TestNodeKilledAndNoneLeft(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name, cluster.WithAckWait(200*time.Millisecond), cluster.WithMaxAttempts(1))
	n := startNode(t, url, name)
	dir := t.TempDir()
	f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "t"})
	require.NoError(t, err)
	waitFile(t, dir, "t.started")
	n.kill(t)
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, executor.ErrWorkerLost)
	assert.Contains(t, err.Error(), "1 node(s)")
}

func TestLongTaskUnderShortAckWaitRunsOnce(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name, cluster.WithAckWait(200*time.Millisecond))
	startNode(t, url, name)
	startNode(t, url, name)
	dir := t.TempDir()
	f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "long"})
	require.NoError(t, err)
	waitFile(t, dir, "long.started")
	time.Sleep(time.Second) // the subject: five AckWaits go by while the task runs
	release(t, dir, "long")
	_, err = f.Result(context.Background())
	require.NoError(t, err)
	assert.Len(t, runs(t, dir, "long"), 1, "a long task was run again")
}

func TestDeadlineReachesTheNode(t *testing.T) {
	p := newPool(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	left, err := submitWait(ctx, p, deadlineLeft, 0)
	require.NoError(t, err)
	assert.True(t, left > 50*time.Minute && left <= time.Hour, "the task's ctx had %v left; want about an hour", left)
}

func TestCancelledQueuedTaskNeverRuns(t *testing.T) {
	p := newPool(t, cluster.WithLocalWorkers(1))
	dir := t.TempDir()
	busy, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "busy"})
	require.NoError(t, err)
	waitFile(t, dir, "busy.started")
	queued, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "queued"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	viaCtx, err := executor.Submit(ctx, p, gate, GateArgs{dir, "ctx"})
	require.NoError(t, err)
	assert.True(t, queued.Cancel(), "Cancel of a queued task")
	cancel()
	_, err = viaCtx.Result(context.Background())
	assert.ErrorIs(t, err, executor.ErrCancelled)
	release(t, dir, "busy")
	release(t, dir, "queued")
	release(t, dir, "ctx")
	_, err = busy.Result(context.Background())
	require.NoError(t, err)
	v, err := submitWait(context.Background(), p, workloads.Square, 3) // after the cancelled ones in the queue
	require.NoError(t, err)
	assert.Equal(t, 9, v)
	assert.Nil(t, runs(t, dir, "queued"), "a cancelled queued task ran")
	assert.Nil(t, runs(t, dir, "ctx"), "a queued task whose ctx ended ran")
}

func TestHungTaskIsKilled(t *testing.T) {
	p := newPool(t, cluster.WithPoolOptions(procpool.WithKillGrace(100*time.Millisecond)))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	f, err := executor.Submit(ctx, p, workloads.Hang, 0)
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	var ke *executor.KilledError
	require.ErrorAs(t, err, &ke)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestVersionRefusal(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	var clientLog, nodeLog proctest.Buffer
	p := client(t, url, name, cluster.WithLogger(slog.New(slog.NewTextHandler(&clientLog, nil))))
	n := startNodeTo(t, &nodeLog, url, name, "CLUSTER_TEST_OTHER_CODE=1")
	_, err := submitWait(context.Background(), p, workloads.Square, 2)
	var ve *cluster.VersionError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, cluster.ErrVersionMismatch)
	assert.NotEqual(t, ve.Want, ve.Got)
	assert.Contains(t, clientLog.String(), "a node refused a task")
	n.cmd.Process.Signal(syscall.SIGTERM)
	<-n.done
	assert.Contains(t, nodeLog.String(), "refused a task of a client that runs other code")
}

func TestCloseLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p, err := cluster.New(cluster.WithLocalWorkers(2))
	require.NoError(t, err)
	v, err := submitWait(context.Background(), p, workloads.Square, 6)
	require.NoError(t, err)
	assert.Equal(t, 36, v)
	entries, _ := os.ReadDir(tmp)
	assert.NotEmpty(t, entries, "the embedded server's store")
	require.NoError(t, p.Close())
	entries, _ = os.ReadDir(tmp)
	assert.Empty(t, entries, "left in the temporary directory")
	proctest.RequireNoChildren(t)
}

func TestCancelReachesARunningTask(t *testing.T) {
	p := newPool(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	f, err := executor.Submit(ctx, p, gate, GateArgs{dir, "run"})
	require.NoError(t, err)
	waitFile(t, dir, "run.started")
	cancel()
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, context.Canceled, "the task's ctx on the node was cancelled: gate returns its error")
	assert.NotErrorIs(t, err, executor.ErrCancelled, "it had started")
	assert.Len(t, runs(t, dir, "run"), 1)
}

func TestADeadClientsQueuedTasksAreDroppedUnrun(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	startNode(t, url, name) // one worker: the orphan waits behind busy
	dir := t.TempDir()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), "CLUSTER_TEST_CLIENT="+url+" "+name+" "+dir)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	require.NoError(t, c.Start())
	waitFile(t, dir, "submitted")
	require.NoError(t, c.Process.Kill())
	c.Wait()
	release(t, dir, "busy")
	release(t, dir, "orphan")
	release(t, dir, "after")
	p := client(t, url, name)
	_, err := submitWait(context.Background(), p, gate, GateArgs{dir, "after"}) // queued after the orphan
	require.NoError(t, err)
	assert.Len(t, runs(t, dir, "busy"), 1)
	assert.Nil(t, runs(t, dir, "orphan"), "a task of a dead client ran")
}

func TestAStoppingNodeDrainsThenGivesItsTaskBack(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name)
	dir := t.TempDir()

	// Drained: the running task finishes before Serve returns.
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- cluster.Serve(ctx, url, cluster.WithName(name)) }() // NumCPU workers
	f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "drained"})
	require.NoError(t, err)
	waitFile(t, dir, "drained.started")
	stop()
	release(t, dir, "drained")
	require.NoError(t, <-served)
	_, err = f.Result(context.Background())
	require.NoError(t, err)

	// Past the drain timeout: the task is killed there and runs on the next node.
	ctx, stop = context.WithCancel(context.Background())
	go func() {
		served <- cluster.Serve(ctx, url, cluster.WithName(name), cluster.WithLocalWorkers(1), cluster.WithDrainTimeout(100*time.Millisecond))
	}()
	f, err = executor.Submit(context.Background(), p, gate, GateArgs{dir, "killed"})
	require.NoError(t, err)
	waitFile(t, dir, "killed.started")
	stop()
	require.NoError(t, <-served)
	release(t, dir, "killed")
	startNode(t, url, name)
	_, err = f.Result(context.Background())
	require.NoError(t, err, "the task of a node that stopped ran on the next one")
	assert.Len(t, runs(t, dir, "killed"), 2)
}

func TestASlowNodeDoesNotHoardWork(t *testing.T) {
	url, name := serverURL(t), poolName(t)
	p := client(t, url, name)
	startNode(t, url, name)
	startNode(t, url, name)
	dir := t.TempDir()
	slow, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "slow"})
	require.NoError(t, err)
	waitFile(t, dir, "slow.started")
	busy, err := strconv.Atoi(runs(t, dir, "slow")[0])
	require.NoError(t, err)
	for range 6 { // each waits for the free node, never behind the busy one
		pid, err := submitWait(context.Background(), p, nodePID, time.Duration(0))
		require.NoError(t, err)
		assert.NotEqual(t, busy, pid, "a task waited on the busy node")
	}
	release(t, dir, "slow")
	_, err = slow.Result(context.Background())
	require.NoError(t, err)
}
