package emulator

import (
	"math"
	"time"
)

// world is the console's data: three tables and the event streams that make
// them change as emulated time passes. Events are applied lazily: before a
// request is answered, everything due up to "now" is materialised.
type world struct {
	cfg     Config
	startUs int64
	agents  *table
	acts    *table
	threats *table

	agentUpdates, agentCreates  stream
	actCreates                  stream
	threatCreates, threatUpdate stream
	bulks, removals, decoms     stream

	actHistory, threatHistory func(int) int64
	nowUs                     int64    // the time of the last advance
	removed                   []string // ids of removed agents, in order
	manualRemovals            uint64
	stoppedUs                 int64 // no change happens after this time
}

// stream is a sequence of events at a fixed rate from start; n have happened.
type stream struct {
	perUs float64
	n     int64
	pairs bool // events come two at a time, sharing a timestamp
}

// due returns the time of the next event, or MaxInt64 when the rate is 0.
func (s *stream) due(startUs int64) int64 {
	if s.perUs <= 0 {
		return math.MaxInt64
	}
	k := s.n + 1
	if s.pairs {
		k = (s.n/2 + 1) * 2
	}
	return startUs + int64(float64(k)/s.perUs)
}

func perUs(n float64, per time.Duration) float64 { return n / float64(per.Microseconds()) }

func newWorld(cfg Config) *world {
	w := &world{cfg: cfg, startUs: micros(cfg.Start)}
	w.agents = newTable(cfg.Agents, w.agentCreated, w.agentBaseUpdated)
	w.actHistory = w.historyCreated(cfg.HistoryActivities, true)
	w.threatHistory = w.historyCreated(cfg.HistoryThreats, false)
	w.acts = newTable(cfg.HistoryActivities, w.actHistory, w.activityBaseUpdated)
	w.threats = newTable(cfg.HistoryThreats, w.threatHistory, w.threatBaseUpdated)
	w.agentUpdates = stream{perUs: perUs(cfg.AgentUpdatesPerMinute, time.Minute)}
	w.agentCreates = stream{perUs: perUs(cfg.NewAgentsPerHour, time.Hour)}
	w.actCreates = stream{perUs: perUs(cfg.ActivitiesPerMinute, time.Minute), pairs: true}
	w.threatCreates = stream{perUs: perUs(cfg.ThreatsPerHour, time.Hour)}
	w.threatUpdate = stream{perUs: perUs(cfg.ThreatUpdatesPerHour, time.Hour)}
	r := cfg.Realism
	if r.BulkEvery > 0 {
		w.bulks = stream{perUs: 1 / float64(r.BulkEvery.Microseconds())}
	}
	w.removals = stream{perUs: perUs(r.AgentRemovalsPerHour, time.Hour)}
	w.decoms = stream{perUs: perUs(r.DecommissionsPerHour, time.Hour)}
	w.nowUs = w.startUs
	w.stoppedUs = math.MaxInt64
	return w
}

// event is one kind of change, due at its stream's pace.
type event struct {
	s     *stream
	apply func(us int64)
}

// advanceTo applies every event due at or before nowUs, in time order, so
// each table's change log stays sorted by time.
func (w *world) advanceTo(nowUs int64) {
	w.nowUs = max(w.nowUs, nowUs)
	w.advance(nowUs, []event{
		{&w.agentCreates, func(us int64) { w.agents.create(us) }},
		{&w.actCreates, func(us int64) { w.acts.create(us) }},
		{&w.threatCreates, func(us int64) { w.threats.create(us) }},
		{&w.agentUpdates, w.updater(w.agents, &w.agentUpdates, saltAgentUpdate)},
		{&w.threatUpdate, w.updater(w.threats, &w.threatUpdate, saltThreatUpdate)},
		{&w.bulks, func(us int64) { w.bulk(us, w.cfg.Realism.BulkSize) }},
		{&w.removals, func(int64) { w.removeAgent(uint64(w.removals.n)) }},
		{&w.decoms, func(us int64) { w.decommission(us, uint64(w.decoms.n)) }},
	})
}

func (w *world) advance(nowUs int64, events []event) {
	for {
		next, at := -1, int64(math.MaxInt64)
		for i, e := range events {
			if d := e.s.due(w.startUs); d < at {
				next, at = i, d
			}
		}
		if next < 0 || at > min(nowUs, w.stoppedUs) {
			return
		}
		events[next].apply(at)
		events[next].s.n++
	}
}

// updater changes a random live record of t.
func (w *world) updater(t *table, s *stream, salt uint64) func(int64) {
	return func(us int64) {
		if t.live() == 0 {
			return
		}
		i := int(mix(w.cfg.Seed, salt, uint64(s.n)) % uint64(t.len()))
		if !t.isGone(i) {
			t.update(i, us)
		}
	}
}

// agentCreated spreads the start fleet's createdAt over three years before
// Start, in index order.
func (w *world) agentCreated(i int) int64 {
	span := int64(3*365*24*time.Hour/time.Microsecond) - int64(time.Hour/time.Microsecond)
	step := span / int64(max(w.cfg.Agents, 1))
	return w.startUs - span - int64(time.Hour/time.Microsecond) + int64(i)*step + int64(mix(w.cfg.Seed, saltAgentCreated, uint64(i))%uint64(max(step, 1)))
}

// agentBaseUpdated is a start agent's updatedAt: between its creation and
// one minute before Start.
func (w *world) agentBaseUpdated(i int) int64 {
	c := w.agentCreated(i)
	room := w.startUs - int64(time.Minute/time.Microsecond) - c
	return c + int64(mix(w.cfg.Seed, saltAgentUpdated, uint64(i))%uint64(max(room, 1)))
}

// historyCreated spreads n records over History before Start; with pairs,
// two consecutive records share a timestamp (as real consoles often do).
func (w *world) historyCreated(n int, pairs bool) func(int) int64 {
	span := w.cfg.History.Microseconds()
	return func(i int) int64 {
		k := i
		if pairs {
			k = i - i%2
		}
		return w.startUs - span + int64(float64(k)*float64(span)/float64(max(n, 1)))
	}
}

func (w *world) activityBaseUpdated(i int) int64 {
	return w.actHistory(i) - int64(mix(w.cfg.Seed, saltActivity, uint64(i))%5000)
}

func (w *world) threatBaseUpdated(i int) int64 {
	c := w.threatHistory(i)
	room := w.startUs - c - 1
	return c + int64(mix(w.cfg.Seed, saltThreat, uint64(i))%uint64(max(room, 1)))
}

// mix is a fast deterministic hash (SplitMix64 finaliser) of its inputs.
func mix(vals ...uint64) uint64 {
	var h uint64 = 0x9E3779B97F4A7C15
	for _, v := range vals {
		h ^= v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h ^= h >> 30
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 27
		h *= 0x94D049BB133111EB
		h ^= h >> 31
	}
	return h
}

const (
	saltAgentCreated uint64 = iota + 1
	saltAgentUpdated
	saltAgentUpdate
	saltAgentDoc
	saltActivity
	saltThreat
	saltThreatUpdate
	saltFault
	saltLate
	saltBulk
	saltRemoval
	saltDecommission
)
