// Package emulator is a SentinelOne Management API v2.1 console for tests,
// demos and benchmarks: real envelopes, error bodies, cursor pagination and
// filters over a deterministic synthetic fleet whose agents change and whose
// activities and threats appear as emulated time passes, with per-token rate
// limits, expiring tokens, missing permissions and injected faults.
package emulator

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/time/rate"
)

// Emulator is one emulated console. It is safe for concurrent use.
type Emulator struct {
	cfg   Config
	clock *clock

	mu       sync.Mutex
	world    *world
	faults   map[string]Fault
	rng      *rand.Rand
	limiters map[string]*rate.Limiter
	requests map[string]int64
	injected map[string]int64

	alerts    *alertStore // unified and STAR alerts, under mu
	gqlSchema *ast.Schema
}

// New builds the console. Building a fleet of 1,000,000 agents takes about a
// second and 25 MB.
func New(cfg Config) (*Emulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	e := &Emulator{
		cfg:      cfg,
		clock:    newClock(cfg.Start, cfg.Speed),
		world:    newWorld(cfg),
		faults:   map[string]Fault{},
		rng:      rand.New(rand.NewPCG(cfg.Seed, saltFault)),
		limiters: map[string]*rate.Limiter{},
		requests: map[string]int64{},
		injected: map[string]int64{},
	}
	for ep, f := range cfg.Faults {
		e.faults[ep] = f
	}
	e.alerts = newAlertStore(cfg)
	var err error
	if e.gqlSchema, err = loadAlertsSchema(cfg.GraphQLRejects); err != nil {
		return nil, fmt.Errorf("unified alerts schema: %w", err)
	}
	return e, nil
}

// Now is the emulated time.
func (e *Emulator) Now() time.Time { return e.clock.now() }

// Advance moves emulated time forward: agents change, activities and threats
// appear as the configured rates say.
func (e *Emulator) Advance(d time.Duration) { e.clock.advance(d) }

// SetSpeed changes how fast emulated time runs from now on (0 freezes it).
func (e *Emulator) SetSpeed(speed float64) { e.clock.setSpeed(speed) }

// SetFault replaces the faults of an endpoint ("agents", "agents/count",
// "activities", "threats", "*"); a family ("agents") covers its
// sub-endpoints unless they have their own; a zero Fault clears them.
func (e *Emulator) SetFault(endpoint string, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[endpoint] = f
}

// Requests returns how many requests an endpoint ("agents", "system/info",
// …) has received, rejected ones included.
func (e *Emulator) Requests(endpoint string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests[endpoint]
}

// Injected returns how many faults of each kind ("throttle", "5xx",
// "truncate", "malformed", "rate-limit", "repeat-cursor") were injected.
func (e *Emulator) Injected() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.injected)
}

func (e *Emulator) inject(kind string) {
	e.mu.Lock()
	e.injected[kind]++
	e.mu.Unlock()
}

// Counts returns how many agents, activities and threats exist now
// (indexed or not; removed agents excluded).
func (e *Emulator) Counts() (agents, activities, threats int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.advanceTo(micros(e.clock.now()))
	return e.world.agents.live(), e.world.acts.len(), e.world.threats.len()
}

// RemoveAgents removes n agents now, chosen at random among the live ones,
// and returns their ids: lists and lookups by id no longer return them.
func (e *Emulator) RemoveAgents(n int) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.advanceTo(micros(e.clock.now()))
	var ids []string
	for range n {
		e.world.manualRemovals++
		id, ok := e.world.removeAgent(1<<40 + e.world.manualRemovals)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	return ids
}

// StopChanges ends every change from now on: no agent changes, nothing new
// appears; time still runs, so late records keep becoming visible.
func (e *Emulator) StopChanges() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := micros(e.clock.now())
	e.world.advanceTo(now)
	e.world.stoppedUs = now
}

// Removed returns the ids of every agent removed so far, in order.
func (e *Emulator) Removed() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.advanceTo(micros(e.clock.now()))
	return slices.Clone(e.world.removed)
}

// Bulk runs a bulk console action now: n agents updated and n activities
// logged, all sharing the current instant as their time. It returns that
// instant.
func (e *Emulator) Bulk(n int) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := micros(e.clock.now())
	e.world.advanceTo(now)
	e.world.bulk(now, n)
	return fromMicros(now)
}

// Record identifies one version of a record: its id and updatedAt.
type Record struct {
	ID        string
	UpdatedAt time.Time
}

// Snapshot lists every record of an endpoint as the console lists it now
// (removed agents and records not indexed yet left out), for tests that
// check a collector delivered all of them.
func (e *Emulator) Snapshot(endpoint string) []Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.advanceTo(micros(e.clock.now()))
	k := e.world.newWalk(&query{endpoint: endpoint})
	out := make([]Record, 0, k.t.len())
	for i := range k.t.len() {
		if k.match(i) {
			out = append(out, Record{ID: e.world.recordIDOf(endpoint, i), UpdatedAt: fromMicros(k.t.updated[i])})
		}
	}
	return out
}

// limiter returns the token bucket of a token and endpoint family, or nil
// when unlimited.
func (e *Emulator) limiter(token, family string) *rate.Limiter {
	l, ok := e.cfg.RateLimits[family]
	if !ok {
		l, ok = e.cfg.RateLimits["other"]
	}
	if !ok || l.Rate <= 0 {
		return nil
	}
	key := token + "\x00" + family
	lim := e.limiters[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(l.Rate), max(l.Burst, 1))
		e.limiters[key] = lim
	}
	return lim
}
