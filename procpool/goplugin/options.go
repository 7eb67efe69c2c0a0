package goplugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/dualpool/dualpool/procpool"
)

// Handshake is the go-plugin handshake of dualpool's plugins unless [WithHandshake]
// sets another: the magic cookie that tells a plugin binary a host started it, and the
// version of the protocol between them.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "DUALPOOL_PLUGIN",
	MagicCookieValue: "6b1f1a3e-dualpool-frames",
}

// Option configures a [Transport] (and, for [WithHandshake], [ServeIfWorker]) or a
// [Supervisor].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	handshake plugin.HandshakeConfig
	checksum  []byte // SHA-256; nil: not checked
	autoMTLS  bool
	logger    *slog.Logger
	pool      []procpool.Option
	errs      []error

	// Supervise's own (WithReinit, WithPing).
	reinit       any // func(context.Context, T) error
	pingInterval time.Duration
	pingTimeout  time.Duration
}

func newConfig(opts []Option) (*config, error) {
	c := &config{handshake: Handshake, logger: slog.New(slog.DiscardHandler), pingTimeout: defaultPingTimeout}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, fmt.Errorf("goplugin: %w", err)
	}
	return c, nil
}

// WithHandshake sets the go-plugin handshake: the host and its plugins must agree on the
// cookie, and the plugin must serve the host's protocol version. The default is
// [Handshake].
func WithHandshake(h plugin.HandshakeConfig) Option {
	return optionFunc(func(c *config) {
		if h.MagicCookieKey == "" || h.MagicCookieValue == "" {
			c.errs = append(c.errs, errors.New("WithHandshake: empty magic cookie key or value"))
		}
		c.handshake = h
	})
}

// WithChecksum makes every start of the plugin check that its binary's SHA-256 is sum
// (32 bytes), go-plugin's SecureConfig: a binary that differs is never run, and the pool
// does not start (or, for a restart, counts a failed start) with a *[ChecksumError].
func WithChecksum(sum []byte) Option {
	return optionFunc(func(c *config) {
		if len(sum) != 32 {
			c.errs = append(c.errs, fmt.Errorf("WithChecksum: a SHA-256 sum has 32 bytes, not %d", len(sum)))
		}
		c.checksum = append([]byte(nil), sum...)
	})
}

// WithAutoMTLS makes go-plugin secure each plugin's gRPC connection with mutual TLS on
// certificates made for that start alone (go-plugin's AutoMTLS). It costs start-up time
// (see the package doc), not per-task time worth measuring.
func WithAutoMTLS() Option {
	return optionFunc(func(c *config) { c.autoMTLS = true })
}

// WithLogger sets the slog logger that receives go-plugin's logs and the plugins' hclog
// output ([Logger]). [New] also gives it to the pool ([procpool.WithLogger]). The default
// discards.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.errs = append(c.errs, errors.New("WithLogger(nil)"))
		}
		c.logger = l
	})
}

// WithPoolOptions passes options to the pool that [New] makes (workers, limits, kill
// grace, output writers...).
func WithPoolOptions(opts ...procpool.Option) Option {
	return optionFunc(func(c *config) { c.pool = append(c.pool[:len(c.pool):len(c.pool)], opts...) })
}

// defaultPingTimeout bounds the ping that follows a call's failure when [WithPing] sets
// no timeout.
const defaultPingTimeout = 2 * time.Second

// WithReinit makes a [Supervisor] run reinit on every fresh instance of its plugin, the
// first and every restart, before any call: a host re-configures a restarted plugin here.
// Its error or panic fails that start, as a plugin that cannot start does (the first
// start fails [Supervise]; later ones count towards the crash-loop limit), and so does a
// reinit still running after [procpool.WithStartTimeout]: its ctx then ends and the
// instance is killed. T must be the Supervisor's T. [New] ignores it.
func WithReinit[T any](reinit func(ctx context.Context, t T) error) Option {
	return optionFunc(func(c *config) {
		if reinit == nil {
			c.errs = append(c.errs, errors.New("WithReinit(nil)"))
		}
		c.reinit = reinit
	})
}

// WithPing makes a [Supervisor] ping each idle instance of its plugin every interval
// (go-plugin's ClientProtocol.Ping), and before a call an instance that has not answered
// for longer than interval, and kill one that does not answer within timeout: a hung or
// dead plugin is restarted, and the call waits for another instance instead of landing
// on it. Whatever the option, an instance is also pinged after every call that failed,
// so that a call to a dead plugin fails as the crash it is; timeout bounds that ping too
// (default 2s). [New] ignores it.
func WithPing(interval, timeout time.Duration) Option {
	return optionFunc(func(c *config) {
		if interval <= 0 || timeout <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithPing(%v, %v): want positive durations", interval, timeout))
		}
		c.pingInterval, c.pingTimeout = interval, timeout
	})
}
