package procpool

import "time"

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
	used, err := privateMemory(w.pid)
	if err != nil || used == 0 {
		return
	}
	if hard := p.cfg.memHard; hard > 0 && used > hard && w.cur.Load() != nil {
		w.kill(&killInfo{reason: killMemory, used: used})
		return
	}
	if soft := p.cfg.memSoft; soft == 0 || used <= soft {
		return
	}
	p.mu.Lock()
	if w.overSoft || w.retiring {
		p.mu.Unlock()
		return
	}
	w.overSoft = true
	p.cfg.logger.Info("procpool: worker over its soft memory limit; replacing it", "pid", w.pid, "used", used)
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
		w.write(shutdownFrame)
	}
}
