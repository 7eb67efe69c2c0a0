// Package goplugin runs a [procpool.Pool] of plugin processes launched through
// hashicorp/go-plugin: a host keeps several processes of one plugin binary, and every
// promise of package procpool holds for them. It does so for two kinds of plugins:
// plugins written for dualpool, which run registered tasks ([New]: Submit, Map, chunks),
// and the plugins that already exist, each with its own gRPC or net/rpc interface, which
// it supervises ([Supervise]). A plugin's crash fails only the task it
// was running and its process is restarted (up to the pool's crash-loop limit); a task
// whose ctx ends is cancelled in the plugin and killed with its process after the grace
// period; processes are recycled after a number of tasks or over a memory limit; Stats
// report each process; and on Linux the plugins die with the host, even when it is
// killed. go-plugin alone runs one process per client and does none of this.
//
// go-plugin does what it is known for: the magic-cookie handshake, the negotiation of
// the protocol version ([WithHandshake]), AutoMTLS ([WithAutoMTLS]) and the gRPC
// protocol, so a plugin may be written in any language that serves gRPC. The binary's
// SHA-256 is checked before every start ([WithChecksum]; go-plugin's SecureConfig cannot
// be used with a runner the pool owns, so this package checks the same sum itself).
//
// # Plugins
//
// A plugin is a Go program that registers its tasks with executor.Register and calls
// [ServeIfWorker] first thing in main. The same binary also serves procpool's own pipe
// transport ([procpool.WithCommand]), so a plugin can be tested without go-plugin. Over
// go-plugin, dualpool's frames (package ipc) travel on one bidirectional gRPC stream of
// google.protobuf.BytesValue messages (service dualpool.Frames, method Stream). The
// boundary is procpool's (see its doc): arguments and results are copied by the pool's
// codec, a Func whose types would not cross unchanged is refused with
// procpool.ErrNotPortable before anything is sent, and registered errors keep errors.Is
// and errors.As; the same calls are tested on both transports and on a goroutine pool.
//
// A plugin's stdout and stderr reach the pool's writers ([procpool.WithStdout],
// [procpool.WithStderr]) line by line, as from a pipe worker, and the tail of its stderr
// reaches the [executor.WorkerExitError] of a crash. Lines that a plugin logs with hclog
// in JSON (see [Logger]) go instead to the host's slog logger ([WithLogger]), with their
// level and fields, as do go-plugin's own logs.
//
// # Supervising existing plugins
//
// [Supervise] keeps instances of any go-plugin plugin, unchanged, and runs calls on the
// interface it dispenses: [Supervisor.Do] runs a fn with a free instance's T, [Call]
// returns fn's result too. The Supervisor is a procpool.Pool whose transport starts one
// go-plugin client per worker from the host's own ClientConfig, and whose worker side
// runs in the host: a call is a task whose frame carries the call's id, run with the
// dispensed T of the instance the pool gave it to. So deadlines and the kill grace, crash
// reports, the restart rule, recycling, memory limits, Stats and parent death are the
// pool's own. On top of the pool: [WithReinit] re-configures every fresh instance, and a
// failed go-plugin Ping ([WithPing], and after every failed call) takes an instance out
// of service.
//
// # Failures at start
//
// A plugin that cannot start fails [New] (or counts as a failed start for a restart)
// with an error that says why, and leaves nothing running: a *[ChecksumError] naming the
// binary and both sums, or an error matching [ErrHandshake] for a binary that is not a
// plugin of this host (no cookie, another cookie, another protocol version), one that
// prints to stdout before its handshake line (go-plugin issues #164 and #233), and one
// that does not complete its handshake within [procpool.WithStartTimeout].
//
// # Costs
//
// From the package benchmarks on a 2-core machine, beside procpool's pipes with the same
// plugin binary in the same run (go test -bench . ./procpool/goplugin): a one-task round
// trip 140–180 µs against the pipes' 14–17 µs, as much with AutoMTLS; Map per item on 2
// workers about 58 µs with Chunk(1) (pipes 13 µs) and 1.2 µs with Chunk(64) (pipes
// 0.4 µs); a pool of one process from New to its first result and Close about 9 ms
// (pipes 5 ms), 40 ms with AutoMTLS, most of it making the two certificates. Send small
// tasks in chunks.
//
// A supervised call (BenchmarkSupervisedCall) costs what the bare go-plugin call costs
// (BenchmarkBareCall, same plugin, same run) plus the Supervisor's own share, which
// BenchmarkSupervisedNothing measures alone: go test -run '^$' -bench
// 'BareCall|Supervised' ./procpool/goplugin.
//
// # What it does not do
//
// For dualpool's own plugins it does not use go-plugin's net/rpc protocol, its broker,
// reattachment to running plugins, or gRPC stdio forwarding (a plugin's output goes
// through its own stdout and stderr instead). A Supervisor cannot reattach either: it
// starts its instances itself. It keeps procpool's limits: one task, chunk or call in
// flight per process, no Windows.
package goplugin
