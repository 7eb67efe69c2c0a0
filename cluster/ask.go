package cluster

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// asker sends a node's asks to clients and matches their replies on one subscription,
// so that an ask goes out before the task's argument is decoded and its reply is read
// after: the decoding overlaps the round trip.
type asker struct {
	nc      *nats.Conn
	inbox   string
	sub     *nats.Subscription
	mu      sync.Mutex
	next    uint64
	waiting map[string]chan *nats.Msg
}

func newAsker(nc *nats.Conn) (*asker, error) {
	a := &asker{nc: nc, inbox: nc.NewInbox(), waiting: map[string]chan *nats.Msg{}}
	var err error
	a.sub, err = nc.Subscribe(a.inbox+".*", a.onReply)
	return a, err
}

func (a *asker) onReply(m *nats.Msg) {
	token := strings.TrimPrefix(m.Subject, a.inbox+".")
	a.mu.Lock()
	ch := a.waiting[token]
	delete(a.waiting, token)
	a.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

// ask sends data to subject as a request and returns the function that waits for the
// reply: whether the client said go, nats.ErrNoResponders when no client listens there
// any more, nats.ErrTimeout when none answered within timeout.
func (a *asker) ask(subject string, data []byte) (reply func(timeout time.Duration) (bool, error)) {
	a.mu.Lock()
	a.next++
	token := strconv.FormatUint(a.next, 36)
	ch := make(chan *nats.Msg, 1)
	a.waiting[token] = ch
	a.mu.Unlock()
	forget := func() {
		a.mu.Lock()
		delete(a.waiting, token)
		a.mu.Unlock()
	}
	if err := a.nc.PublishRequest(subject, a.inbox+"."+token, data); err != nil {
		forget()
		return func(time.Duration) (bool, error) { return false, err }
	}
	return func(timeout time.Duration) (bool, error) {
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case m := <-ch:
			if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
				return false, nats.ErrNoResponders
			}
			return len(m.Data) == 1 && m.Data[0] == 1, nil
		case <-t.C:
			forget()
			return false, nats.ErrTimeout
		}
	}
}
