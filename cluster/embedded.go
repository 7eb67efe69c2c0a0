package cluster

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// embedded is a nats-server run in this process: JetStream on, a random loopback port,
// its store in a temporary directory removed when it stops.
type embedded struct {
	srv *server.Server
	dir string
}

func startEmbedded() (*embedded, error) {
	dir, err := os.MkdirTemp("", "dualpool-cluster-")
	if err != nil {
		return nil, fmt.Errorf("cluster: a store for the embedded server: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  dir,
		NoSigs:    true,
		NoLog:     true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: the embedded server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: the embedded server did not start within 10s")
	}
	return &embedded{srv: srv, dir: dir}, nil
}

func (e *embedded) url() string { return e.srv.ClientURL() }

func (e *embedded) stop() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	os.RemoveAll(e.dir)
}
