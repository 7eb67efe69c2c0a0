// Package cluster is the scale-out backend of dualpool: the same executor.Executor, with
// tasks that run on the nodes of a NATS JetStream server. With no address the server
// starts in this process, with a node of local worker processes; with [WithURL] the
// program joins a server, or a cluster of them, whose nodes run on other machines. The
// registered Funcs, Submit, Map, AsCompleted and Wait do not change.
//
//	p, err := cluster.New()                                   // embedded server + local workers
//	p, err := cluster.New(cluster.WithURL("nats://host:4222")) // join; nodes run elsewhere
//	err := cluster.Serve(ctx, url)                            // this process as a node
//
// # How a task travels
//
// A task is a message on the pool's work-queue stream: an ipc Task frame (a Map chunk's
// calls, one Chunk frame), with its deadline. A node takes one message per free worker,
// so a slow node does not hoard work; before it starts a task it asks the client (a
// request on the client's inbox), so that a task cancelled while queued never runs and
// the tasks of a client that went away are dropped unrun. It runs the task in its local
// procpool and publishes the answer to the client's inbox, then acknowledges the
// message. While the task runs the node tells the server every third of AckWait that it
// is still at work, so a long task is never given to another node for being slow.
//
// # Failures
//
// A task's error, panic, runtime.Goexit or a crash of its worker process is its answer,
// as on a procpool, and is never retried. A node lost while it runs a task (its process
// killed, its machine gone) gives no sign of life: after AckWait the message goes to
// another node, up to [WithMaxAttempts], after which the task fails with
// executor.ErrWorkerLost. So a task may run twice after a node loss; the client keeps
// the first answer, and the Future resolves once. A task whose effects must not happen
// twice takes an idempotency key in its argument and checks it where it writes.
//
// A node that runs other code than the client (other registered functions or types,
// another protocol or codec) refuses its tasks, which fail with a [*VersionError]; both
// sides log it. A task over the server's maximum payload fails with an error that says
// so; a Map chunk over it goes call by call.
//
// # Cost
//
// Each task costs a publish, a delivery, the node's ask of the client, the process
// pool's pipe round trip and an answer: the network hop that BenchmarkRoundTrip
// measures beside a procpool's round trip in the same run. Map with executor.Chunk pays
// it once per chunk.
package cluster
