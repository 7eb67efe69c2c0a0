package supervise

import "time"

// Intensity is the restart rule, after Erlang/OTP's supervisors: more than N deaths that
// count within Period break the pool.
type Intensity struct {
	N      int
	Period time.Duration
}

// Record is the death record of one worker slot. A death counts ([Counts]) when the
// worker had answered no task, or had none in flight: it died at start, right after its
// hello, idle, or on the first task it was given. Between deaths that count the restarts
// back off, from 10 ms doubling to 1 s. A worker that answers a task clears its slot's
// record ([Record.Clear]), so tasks that crash their workers now and then (the worker had
// served others) never break the pool nor slow its restarts. The zero Record is empty;
// it is not safe for concurrent use.
type Record struct {
	deaths []time.Time // the deaths that count, within the period
}

// Count records a death that counts at now, and returns the back-off before the next
// start and whether the rule is broken.
func (r *Record) Count(rule Intensity, now time.Time) (backoff time.Duration, broke bool) {
	r.deaths = append(r.deaths, now)
	for len(r.deaths) > 0 && now.Sub(r.deaths[0]) > rule.Period {
		r.deaths = r.deaths[1:]
	}
	n := len(r.deaths)
	return min(10*time.Millisecond<<min(n-1, 10), time.Second), n > rule.N
}

// Clear forgets the deaths: the slot's worker has served a task.
func (r *Record) Clear() { r.deaths = nil }

// Counts reports whether a worker's death counts against its slot: it was not told to
// exit nor killed by its pool for a reason of the pool's own (a task past its ctx, its
// memory, a shutdown), and it had answered no task or had none in flight.
func Counts(toldToExit, killedByPool, taskInFlight bool, answered uint64) bool {
	if toldToExit || killedByPool {
		return false
	}
	return !taskInFlight || answered == 0
}
