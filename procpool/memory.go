package procpool

import (
	"time"

	"github.com/dualpool/dualpool/internal/supervise"
)

// monitor samples the workers' private memory every memInterval and enforces
// WithMemoryLimit: over hard with a task running, the worker is killed; over soft, it is
// replaced once its task is done (at once if idle).
func (p *Pool) monitor() {
	defer p.wg.Done()
	tick := time.NewTicker(p.cfg.memInterval)
	defer tick.Stop()
	for {
		select {
		case <-p.stopMonitor:
			return
		case <-tick.C:
		}
		p.mu.Lock()
		var live []*worker
		for w := range p.workers {
			if w.ready && !w.retiring {
				live = append(live, w)
			}
		}
		p.mu.Unlock()
		for _, w := range live {
			p.checkMemory(w)
		}
	}
}

func (p *Pool) checkMemory(w *worker) {
	used, err := supervise.PrivateMemory(w.pid)
	if err != nil || used == 0 {
		return
	}
	hard, soft := p.cfg.memHard, p.cfg.memSoft
	overHard := hard > 0 && used > hard
	if overHard && w.cur.Load() != nil {
		w.kill(&killInfo{reason: killMemory, used: used})
		return
	}
	// Over the soft limit, or over the hard one between tasks (a spike left it there):
	// replace the worker before it takes another task, which would pay for it.
	if !overHard && (soft == 0 || used <= soft) {
		return
	}
	p.mu.Lock()
	if w.overSoft || w.retiring {
		p.mu.Unlock()
		return
	}
	w.overSoft = true
	limit := "soft"
	if overHard {
		limit = "hard"
	}
	p.cfg.logger.Info("procpool: worker over its "+limit+" memory limit; replacing it", "pid", w.pid, "used", used)
	idle := false
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			idle = true
			p.retireLocked(w)
			break
		}
	}
	p.mu.Unlock()
	if idle {
		w.tellExit()
	}
}

// overHardBetweenTasks reports whether w, between two tasks, is over the hard memory
// limit (a spike left it there): it is then replaced before its next task, which would
// otherwise be killed for it. The check reads the RSS (cheap, an upper bound) and the
// private memory only when the RSS is over the limit.
func (p *Pool) overHardBetweenTasks(w *worker) bool {
	hard := p.cfg.memHard
	if hard == 0 {
		return false
	}
	if rss, err := supervise.ResidentMemory(w.pid); err != nil || rss <= hard {
		return false
	}
	used, err := supervise.PrivateMemory(w.pid)
	if err != nil || used <= hard {
		return false
	}
	p.cfg.logger.Info("procpool: worker over its hard memory limit between tasks; replacing it", "pid", w.pid, "used", used)
	return true
}
