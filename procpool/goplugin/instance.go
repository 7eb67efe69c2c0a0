package goplugin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/dualpool/dualpool/ipc"
)

// instance is one started plugin process of a Supervisor, as its pool sees it: a
// [procpool.Conn] whose other end is in the host. The pool writes the frames of its
// tasks; the instance runs each task's call on its T in a goroutine of its own and
// writes the answer back, which the pool reads. The pool supervises the process as any
// worker's: it kills it, restarts it, reads its memory and reports its exit.
//
// The instance stops answering the moment its process exits: the pool then reads the
// end of the connection, takes the instance out of service, and fails the call in flight
// with the process's exit. A call that failed is answered only after a ping showed the
// plugin alive, so that a dead plugin's "connection is shut down" comes back as the
// crash it is.
type instance[T any] struct {
	s      *supervised[T]
	client *plugin.Client
	proto  plugin.ClientProtocol
	r      *procRunner
	t      T
	codec  ipc.Codec
	out    answers

	in        []byte       // the pool's frames, until whole; Write's only
	busy      atomic.Bool  // a call is running
	lastOK    atomic.Int64 // when the plugin last answered a call or a ping, Unix ns
	condemned atomic.Bool  // being killed: takes no call
	deciding  sync.RWMutex // read-held while a call's health check runs; see run
	stop      chan struct{}
	quitOnce  sync.Once

	mu     sync.Mutex // guards closed and the start of goroutines in wg
	closed bool
	wg     sync.WaitGroup // every goroutine of the instance
}

func newInstance[T any](s *supervised[T], client *plugin.Client, proto plugin.ClientProtocol, r *procRunner, t T, codec ipc.Codec) *instance[T] {
	c := &instance[T]{s: s, client: client, proto: proto, r: r, t: t, codec: codec, stop: make(chan struct{})}
	c.out.ready = make(chan struct{}, 1)
	c.lastOK.Store(time.Now().UnixNano())
	c.out.put(ipc.AppendHello(nil, ipc.Hello{Version: ipc.Version, PID: r.cmd.Process.Pid, Codec: codec.Name(),
		Names: []string{callFunc}}), nil)
	c.wg.Add(1)
	go func() { // out of service the moment the process exits
		defer c.wg.Done()
		select {
		case <-r.exited:
		case <-c.stop:
		}
		c.deciding.Lock() // a call being decided on is marked first
		c.out.end()
		c.deciding.Unlock()
	}()
	if s.cfg.pingInterval > 0 {
		c.wg.Add(1)
		go c.watch(s.cfg.pingInterval, s.cfg.pingTimeout)
	}
	return c
}

func (c *instance[T]) Read(p []byte) (int, error) { return c.out.read(p) }
func (c *instance[T]) Process() *os.Process       { return c.r.cmd.Process }

// Write takes the pool's frames; a call runs in a goroutine of its own, so that Write
// never blocks (the pool writes a Cancel while the call runs).
func (c *instance[T]) Write(p []byte) (int, error) {
	c.in = append(c.in, p...)
	for len(c.in) >= 4 {
		n := 4 + int(binary.BigEndian.Uint32(c.in))
		if len(c.in) < n {
			break
		}
		if err := c.frame(ipc.Kind(c.in[4]), c.in[5:n]); err != nil {
			c.condemn(err) // the pool learns of it from the process's end
			return 0, err
		}
		c.in = c.in[n:]
	}
	if len(c.in) == 0 {
		c.in = c.in[:0:0]
	}
	return len(p), nil
}

func (c *instance[T]) frame(kind ipc.Kind, body []byte) error {
	switch kind {
	case ipc.KindTask:
		t, err := ipc.DecodeTask(body)
		if err != nil {
			return err
		}
		var id uint64
		if err := c.codec.Decode(t.Input, &id); err != nil {
			return fmt.Errorf("goplugin: decoding a call's id: %w", err)
		}
		c.busy.Store(true)
		cl := c.s.calls.get(id)
		c.deciding.RLock() // released once run has decided whether the call runs here
		c.s.running.Add(1) // waited for by the Supervisor, not the instance: see Close
		go func() {
			defer c.s.running.Done()
			c.run(t.ID, cl)
		}()
		return nil
	case ipc.KindCancel: // fn has the caller's ctx, which is already done
		return nil
	case ipc.KindShutdown: // recycled, or the pool is closing: let go-plugin end it
		return c.spawn(c.quit)
	}
	return fmt.Errorf("%w: a supervised plugin takes no %v frame", ipc.ErrCorrupt, kind)
}

// spawn runs f in a goroutine of the instance, unless it is closed.
func (c *instance[T]) spawn(f func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("goplugin: instance closed")
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
	return nil
}

// run runs call cl, the pool's task id, and answers it.
func (c *instance[T]) run(id uint64, cl *call[T]) {
	defer c.busy.Store(false)
	why := c.unhealthy()
	if why != nil && cl != nil {
		// Marked before the answers can end, so that its Do sees the mark when the pool
		// fails the task with the instance's death, and hands the call on.
		cl.state.Store(callNotRun)
	}
	c.deciding.RUnlock()
	if cl == nil { // its Do is gone; it cannot be, as Do waits for its task
		c.out.put(ipc.AppendError(nil, ipc.Error{ID: id, Kind: ipc.ErrText, Message: "goplugin: call not found"}), nil)
		return
	}
	if why != nil {
		c.condemn(why)
		return
	}
	err := protect(func() error { return cl.fn(cl.ctx, c.t) })
	if err != nil {
		if perr := c.ping(c.s.cfg.pingTimeout); perr != nil {
			c.condemn(fmt.Errorf("a call failed (%v) and a ping then failed: %w", err, perr))
			return // the pool fails the call with the process's exit
		}
	}
	c.lastOK.Store(time.Now().UnixNano())
	frame := ipc.AppendResult(nil, id, nil)
	if err != nil {
		frame = ipc.AppendError(nil, ipc.Error{ID: id, Kind: ipc.ErrText, Message: err.Error()})
	}
	c.out.put(frame, func() { cl.err = err; cl.state.Store(callAnswered) })
}

// unhealthy says why a call may not run on the instance, or returns nil: its process has
// exited or is being killed or, with WithPing, it has been idle past the interval since
// it last answered and does not answer a ping now.
func (c *instance[T]) unhealthy() error {
	select {
	case <-c.r.exited:
		return errors.New("exited")
	default:
	}
	if c.condemned.Load() {
		return errors.New("being killed")
	}
	iv := c.s.cfg.pingInterval
	if iv <= 0 || time.Since(time.Unix(0, c.lastOK.Load())) < iv {
		return nil
	}
	if err := c.ping(c.s.cfg.pingTimeout); err != nil {
		return fmt.Errorf("idle past %v, it failed a ping before a call: %w", iv, err)
	}
	c.lastOK.Store(time.Now().UnixNano())
	return nil
}

// ping pings the plugin through go-plugin, giving up after timeout.
func (c *instance[T]) ping(timeout time.Duration) error {
	done := make(chan error, 1)
	if err := c.spawn(func() { done <- c.proto.Ping() }); err != nil {
		return err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("no answer to a ping within %v", timeout)
	}
}

// watch pings the idle plugin every interval and kills it when a ping fails.
func (c *instance[T]) watch(interval, timeout time.Duration) {
	defer c.wg.Done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.r.exited:
			return
		case <-tick.C:
		}
		if c.busy.Load() {
			continue
		}
		if err := c.ping(timeout); err != nil { // a call that landed meanwhile would hang too
			c.condemn(fmt.Errorf("idle, it failed a ping: %w", err))
			return
		}
		c.lastOK.Store(time.Now().UnixNano())
	}
}

// condemn kills the plugin's process group, unless the instance is closed (its pid may
// be another process's by then); the pool sees it exit and restarts it.
func (c *instance[T]) condemn(why error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.r.exited: // reaped: its pid may be another process's
		return
	default:
	}
	if c.closed || c.condemned.Swap(true) {
		return
	}
	c.s.cfg.logger.Info("goplugin: killing plugin instance", "pid", c.r.cmd.Process.Pid, "why", why)
	c.r.killGroup()
}

// quit ends the plugin through go-plugin, which asks it to exit and kills it if it has
// not within 2 seconds, and waits for go-plugin's goroutines.
func (c *instance[T]) quit() { c.quitOnce.Do(c.client.Kill) }

// Wait returns once the process has exited, with its state.
func (c *instance[T]) Wait() *os.ProcessState {
	<-c.r.exited
	return c.r.cmd.ProcessState
}

// Close releases the instance after Wait: what the plugin started, go-plugin's client,
// and the instance's goroutines. A call still running is not waited for here, so that
// a fn slow to return delays neither the failure of its call nor the restart; the
// Supervisor's Close waits for it.
func (c *instance[T]) Close() error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return nil
	}
	close(c.stop)
	c.r.killGroup()
	c.quit()
	c.wg.Wait()
	return nil
}
