package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/ipc"
)

// The names a pool uses on the server. Tasks are messages on one work-queue stream per
// pool, taken by the nodes through one durable pull consumer; everything else is core
// NATS: answers, asks and signs of life on the client's own inbox, cancels on a node's.
const (
	consumerName = "nodes"
	hdrReply     = "Dualpool-Reply" // the client's inbox
	hdrCheck     = "Dualpool-Check" // protocol, codec and registry of the client
	hdrNode      = "Dualpool-Node"  // "host pid id" of the node that answers
)

// Suffixes of the client's inbox subjects.
const (
	subjAnswer = ".a" // an ipc Result, Failure or ChunkResult frame
	subjAsk    = ".q" // a node asks whether to start a task: uvarint id; reply 1 or 0
	subjAlive  = ".l" // a node still runs a task: uvarint id
	subjRefuse = ".r" // a node refuses a task: uvarint id, then what the node runs
)

func streamName(pool string) string  { return "DUALPOOL_" + pool }
func taskSubject(pool string) string { return "dualpool." + pool + ".tasks" }
func nodeSubject(pool, id string) string {
	return "dualpool." + pool + ".node." + id
}

// checkValue is what a client puts on its tasks and a node must give too: the protocol
// version, the codec and the hash of the registered functions.
func checkValue(codec ipc.Codec) string {
	return "v" + strconv.Itoa(ipc.Version) + " " + codec.Name() + " " + wire.RegistryHash()
}

// setUp creates the pool's stream and consumer, or updates them to cfg when update is
// set (a client's options win; a node takes them as it finds them).
func setUp(ctx context.Context, js jetstream.JetStream, cfg *config, update bool) (jetstream.Stream, jetstream.Consumer, error) {
	if !update {
		if s, err := js.Stream(ctx, streamName(cfg.name)); err == nil {
			if c, err := s.Consumer(ctx, consumerName); err == nil {
				return s, c, nil
			}
		}
	}
	s, err := ensureStream(ctx, js, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: setting up the stream of pool %q: %w", cfg.name, err)
	}
	c, err := s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.ackWait,
		MaxDeliver:    cfg.maxAttempts,
		MaxAckPending: -1,
		MaxWaiting:    4096,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: setting up the consumer of pool %q: %w", cfg.name, err)
	}
	return s, c, nil
}

// ensureStream creates the pool's stream, or updates it when its configuration differs
// from cfg's. A stream already as wanted is left alone: an update request rewrites the
// stream's stored configuration, and nats-server (2.15) does that without a lock against
// a consumer being created at the same moment by another client or node, which the race
// detector reports.
func ensureStream(ctx context.Context, js jetstream.JetStream, cfg *config) (jetstream.Stream, error) {
	storage := jetstream.FileStorage
	if cfg.inMemory {
		storage = jetstream.MemoryStorage
	}
	want := jetstream.StreamConfig{
		Name:       streamName(cfg.name),
		Subjects:   []string{taskSubject(cfg.name)},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    storage,
		Duplicates: 2 * time.Minute,
	}
	s, err := js.Stream(ctx, want.Name)
	switch {
	case err == nil && sameStream(s.CachedInfo().Config, want):
		return s, nil
	case errors.Is(err, jetstream.ErrStreamNotFound):
		s, err = js.CreateStream(ctx, want)
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return s, err
		}
		return ensureStream(ctx, js, cfg) // made meanwhile by another client or node
	case err != nil:
		return nil, err
	}
	return js.UpdateStream(ctx, want)
}

// sameStream reports whether the stream configured as have has what want sets.
func sameStream(have, want jetstream.StreamConfig) bool {
	return slices.Equal(have.Subjects, want.Subjects) && have.Retention == want.Retention &&
		have.Storage == want.Storage && have.Duplicates == want.Duplicates
}

// connect connects to url with the options both sides use, and opts.
func connect(url, name string, opts ...jetstream.JetStreamOpt) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: connecting to %s: %w", url, err)
	}
	js, err := jetstream.New(nc, append([]jetstream.JetStreamOpt{jetstream.WithPublishAsyncMaxPending(1 << 16)}, opts...)...)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("cluster: %w", err)
	}
	return nc, js, nil
}
