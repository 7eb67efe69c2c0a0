package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// Serve runs this process as a node of the pool named by [WithName] on the server at
// url, until ctx ends: it takes tasks from the pool's queue as its worker processes
// ([WithLocalWorkers], runtime.NumCPU() by default) become free, runs them in a local
// procpool, and publishes their answers to their clients. When ctx ends it takes no
// more tasks, lets the running ones finish for up to [WithDrainTimeout], and returns.
// The program must call [ServeIfWorker] first thing in main, since the node's workers
// are the program re-executed. Serve returns an error only when the node cannot start.
func Serve(ctx context.Context, url string, opts ...Option) error {
	cfg, err := newConfig(append([]Option{WithURL(url), WithLocalWorkers(0)}, opts...))
	if err != nil {
		return err
	}
	if cfg.localWorkers == 0 {
		cfg.localWorkers = defaultWorkers()
	}
	n, err := startNode(url, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	n.stop()
	return nil
}

// node takes tasks from a pool's queue and runs them in its process pool.
type node struct {
	cfg     config
	id      string
	ident   string // "host pid id", on its answers
	check   string
	ackWait time.Duration
	nc      *nats.Conn
	cons    jetstream.Consumer
	pool    *procpool.Pool
	ctx     context.Context // ends when the node stops taking tasks
	quit    context.CancelFunc
	wg      sync.WaitGroup
	sub     *nats.Subscription
	ask     *asker
	killing atomic.Bool // past the drain timeout: the tasks still running are killed

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc // by the client's inbox and task id
}

func startNode(url string, cfg config) (*node, error) {
	n := &node{cfg: cfg, id: nuid.Next(), check: checkValue(cfg.codec), running: map[string]context.CancelCauseFunc{}}
	n.ident = hostname() + " " + strconv.Itoa(os.Getpid()) + " " + n.id
	var err error
	var js jetstream.JetStream
	if n.nc, js, err = connect(url, "dualpool node "+cfg.name); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, n.cons, err = setUp(ctx, js, &cfg, false); err != nil {
		n.nc.Close()
		return nil, err
	}
	n.ackWait = n.cons.CachedInfo().Config.AckWait
	popts := append([]procpool.Option{procpool.WithWorkers(cfg.localWorkers), procpool.WithCodec(cfg.codec),
		procpool.WithLogger(cfg.logger)}, cfg.poolOpts...)
	if n.pool, err = procpool.New(popts...); err != nil {
		n.nc.Close()
		return nil, fmt.Errorf("cluster: the node's process pool: %w", err)
	}
	if n.ask, err = newAsker(n.nc); err != nil {
		n.pool.Close()
		n.nc.Close()
		return nil, fmt.Errorf("cluster: subscribing to the node's inbox: %w", err)
	}
	if n.sub, err = n.nc.Subscribe(nodeSubject(cfg.name, n.id), n.onCancel); err != nil {
		n.pool.Close()
		n.nc.Close()
		return nil, fmt.Errorf("cluster: subscribing to the node's subject: %w", err)
	}
	n.ctx, n.quit = context.WithCancel(context.Background())
	for range cfg.localWorkers {
		n.wg.Add(1)
		go n.slot()
	}
	return n, nil
}

// stop takes no more tasks, lets the running ones finish within the drain timeout, then
// stops the process pool (which kills what still runs) and leaves the server.
func (n *node) stop() {
	n.quit()
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(n.cfg.drainTimeout):
		n.cfg.logger.Warn("cluster: node stopping with tasks still running", "timeout", n.cfg.drainTimeout)
	}
	n.killing.Store(true) // what is killed now goes back to the queue, for another node
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n.pool.Shutdown(ctx) // kills what still runs; its slots then return
	<-done
	n.sub.Unsubscribe()
	n.ask.sub.Unsubscribe()
	n.nc.Close()
}

// slot takes one task at a time, and asks the server for the next only when the one it
// runs is answered: the node never holds more tasks than it has workers free.
func (n *node) slot() {
	defer n.wg.Done()
	for n.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
		batch, err := n.cons.Fetch(1, jetstream.FetchContext(ctx))
		if err != nil {
			cancel()
			n.cfg.logger.Debug("cluster: fetching a task", "err", err)
			select {
			case <-n.ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		for msg := range batch.Messages() {
			n.handle(msg)
		}
		cancel()
	}
}

// handle runs the task of msg: it checks that the client runs the same code, asks the
// client whether to start, runs the task, publishes its answer and acknowledges msg.
func (n *node) handle(msg jetstream.Msg) {
	h := msg.Headers()
	reply, data := h.Get(hdrReply), msg.Data()
	t, count, err := decodeTaskFrame(data)
	if err != nil || reply == "" {
		n.cfg.logger.Error("cluster: a message that is not a task", "err", err)
		msg.Term()
		return
	}
	if got := h.Get(hdrCheck); got != n.check {
		n.cfg.logger.Error("cluster: refused a task of a client that runs other code", "client", got, "node", n.check, "func", t.Func)
		n.publish(reply+subjRefuse, binary.AppendUvarint(nil, t.ID), []byte(n.check))
		msg.Term()
		return
	}
	answer := n.ask.ask(reply+subjAsk, append(binary.AppendUvarint(nil, t.ID), n.id...))
	j := n.prepare(reply, t, count) // while the ask travels
	defer j.release()
	switch run, err := answer(max(n.ackWait/3, time.Second)); {
	case errors.Is(err, nats.ErrTimeout):
		msg.NakWithDelay(time.Second) // the client is slow to answer: later, maybe elsewhere
		return
	case err != nil || !run:
		msg.Term() // cancelled, answered already, or its client is gone
		return
	}
	frame, ok := n.run(msg, j)
	if !ok { // the node is stopping: another node takes the task
		msg.Nak()
		return
	}
	n.publish(reply+subjAnswer, n.fit(t.ID, frame), nil)
	msg.Ack()
}

// fit returns answer, or a Failure saying that it is over the server's maximum payload.
func (n *node) fit(id uint64, answer []byte) []byte {
	if limit := n.nc.MaxPayload(); int64(len(answer)+len(n.ident)+msgOverhead) > limit {
		err := fmt.Errorf("cluster: the answer of %d bytes is over the server's maximum payload of %d bytes", len(answer), limit)
		return ipc.AppendFailure(nil, wireError(id, err, n.cfg.codec))
	}
	return answer
}

func decodeTaskFrame(data []byte) (t ipc.Task, count int, err error) {
	if len(data) < 5 {
		return t, 0, errors.New("short frame")
	}
	switch body := data[5:]; ipc.Kind(data[4]) {
	case ipc.KindTask:
		t, err = ipc.DecodeTask(body)
	case ipc.KindChunk:
		t, count, err = ipc.DecodeChunk(body)
	default:
		err = fmt.Errorf("a %v frame", ipc.Kind(data[4]))
	}
	return t, count, err
}

// publish publishes data and more to subject with the node's identity in a header.
func (n *node) publish(subject string, data, more []byte) {
	m := &nats.Msg{Subject: subject, Data: append(data, more...), Header: nats.Header{hdrNode: []string{n.ident}}}
	if err := n.nc.PublishMsg(m); err != nil {
		n.cfg.logger.Error("cluster: publishing to a client", "err", err)
	}
}

// onCancel cancels the ctx of a task that runs here, as its client asks.
func (n *node) onCancel(m *nats.Msg) {
	key, why, ok := parseCancel(m.Data)
	if !ok {
		return
	}
	n.mu.Lock()
	cancel := n.running[key]
	n.mu.Unlock()
	if cancel != nil && why == ipc.ErrCancelled { // a deadline ends the ctx here by itself
		cancel(context.Canceled)
	}
}

// cancelMessage asks a node to cancel task id of the client at inbox.
func cancelMessage(inbox string, id uint64, why ipc.Reason) []byte {
	return append([]byte{byte(why)}, inbox+"."+strconv.FormatUint(id, 10)...)
}

func parseCancel(b []byte) (key string, why ipc.Reason, ok bool) {
	if len(b) < 2 {
		return "", 0, false
	}
	return string(b[1:]), ipc.Reason(b[0]), true
}
