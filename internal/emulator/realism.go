package emulator

import (
	"errors"
	"fmt"
	"time"
)

// Realism is what real consoles do that makes complete collection hard.
// Zero values turn each off.
type Realism struct {
	// BulkEvery is how often (emulated time) a bulk console action runs:
	// BulkSize agents are updated at one instant and BulkSize activities
	// logged at that instant — bursts sharing one timestamp that straddle
	// page boundaries. BulkSize defaults to 1500.
	BulkEvery time.Duration
	BulkSize  int
	// LateShare of activities and threats become visible only between
	// LateMin and LateMax (default 1m–4m) after their createdAt, as
	// consoles index with lag; until then no list or count shows them.
	// The same share of unified alert versions is indexed that long after
	// their updatedAt; until then a search shows the previous version.
	LateShare        float64
	LateMin, LateMax time.Duration
	// AgentRemovalsPerHour removes agents from the console: listings and
	// lookups by id stop returning them.
	AgentRemovalsPerHour float64
	// DecommissionsPerHour decommissions agents: a new version with
	// isDecommissioned true; they stay listed, as on real consoles.
	DecommissionsPerHour float64
}

// Active reports whether any of it is on.
func (r Realism) Active() bool {
	return r.BulkEvery > 0 || r.LateShare > 0 || r.AgentRemovalsPerHour > 0 || r.DecommissionsPerHour > 0
}

func (r Realism) withDefaults() Realism {
	if r.BulkEvery > 0 && r.BulkSize == 0 {
		r.BulkSize = 1500
	}
	if r.LateShare > 0 && r.LateMax == 0 {
		r.LateMin, r.LateMax = max(r.LateMin, time.Minute), 4*time.Minute
	}
	return r
}

// Validate reports every setting that cannot work.
func (r Realism) Validate() error {
	var errs []error
	if r.BulkEvery < 0 || r.BulkSize < 0 || r.BulkSize > 1_000_000 {
		errs = append(errs, errors.New("bulk: every must not be negative and size must be within 0–1,000,000"))
	}
	if r.LateShare < 0 || r.LateShare > 1 {
		errs = append(errs, fmt.Errorf("late share: %g is outside 0–1", r.LateShare))
	}
	if r.LateMin < 0 || r.LateMax < 0 || (r.LateMax > 0 && r.LateMin > r.LateMax) {
		errs = append(errs, fmt.Errorf("late: %s–%s is not a range of delays", r.LateMin, r.LateMax))
	}
	if r.AgentRemovalsPerHour < 0 || r.DecommissionsPerHour < 0 {
		errs = append(errs, errors.New("removal and decommission rates must not be negative"))
	}
	return errors.Join(errs...)
}

// visibleAt is when record idx of endpoint, created at createdUs, can be
// listed: later than its creation for the late share of activities and
// threats.
func (w *world) visibleAt(endpoint string, idx int, createdUs int64) int64 {
	r := w.cfg.Realism
	if r.LateShare <= 0 || (endpoint != "activities" && endpoint != "threats") {
		return createdUs
	}
	h := mix(w.cfg.Seed, saltLate, uint64(idx), uint64(len(endpoint)))
	if float64(h%1_000_000) >= r.LateShare*1_000_000 {
		return createdUs
	}
	span := uint64(max(r.LateMax-r.LateMin, 0).Microseconds()) + 1
	return createdUs + r.LateMin.Microseconds() + int64((h>>20)%span)
}

// bulk is a bulk console action at us: n agents updated and n activities
// logged, all at that instant.
func (w *world) bulk(us int64, n int) {
	if live := w.agents.live(); live > 0 {
		start := int(mix(w.cfg.Seed, saltBulk, uint64(us)) % uint64(w.agents.len()))
		for i, done := start, 0; done < min(n, live); i = (i + 1) % w.agents.len() {
			if !w.agents.isGone(i) {
				w.agents.update(i, us)
				done++
			}
		}
	}
	for range n {
		w.acts.create(us)
	}
}

// removeAgent removes the k-th chosen agent (a live one) and returns its id.
func (w *world) removeAgent(k uint64) (string, bool) {
	n := w.agents.len()
	if w.agents.live() == 0 {
		return "", false
	}
	i := int(mix(w.cfg.Seed, saltRemoval, k) % uint64(n))
	for w.agents.isGone(i) {
		i = (i + 1) % n
	}
	w.agents.remove(i)
	id := w.recordIDOf("agents", i)
	w.removed = append(w.removed, id)
	return id, true
}

// decommission gives a live agent a new version that is decommissioned.
func (w *world) decommission(us int64, k uint64) {
	n := w.agents.len()
	if w.agents.live() == 0 {
		return
	}
	i := int(mix(w.cfg.Seed, saltDecommission, k) % uint64(n))
	for w.agents.isGone(i) {
		i = (i + 1) % n
	}
	w.agents.updateFlag(i, us, decommissionedBit)
}
