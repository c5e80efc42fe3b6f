package emulator

import (
	"math/rand/v2"
	"time"
)

// alertStore holds the console's unified alerts and legacy STAR alerts.
// Alerts are created and updated as emulated time passes; each version is
// kept, as a console's search index shows the last version it has
// indexed: a share of versions (Realism.LateShare) is indexed LateMin to
// LateMax (1–4 minutes) after its updatedAt, and until then the alert shows its previous
// version, or not at all. Times are whole milliseconds, as the GraphQL API
// writes them.
type alertStore struct {
	cfg     Config
	startMs int64

	created  []int64   // ms, by index
	versions [][]int64 // per alert, each version's updatedAt (ms); version 0 just after creation
	creates  stream
	updates  stream

	star        []int64 // STAR alerts' createdAt (ms), in order
	starCreates stream
}

const saltAlert uint64 = 101

func newAlertStore(cfg Config) *alertStore {
	s := &alertStore{cfg: cfg, startMs: cfg.Start.UnixMilli()}
	span := cfg.History.Milliseconds()
	for i := range cfg.HistoryAlerts {
		// Two by two, alerts share a millisecond, as bursts of detections do.
		c := s.startMs - span + int64(float64(i-i%2)*float64(span)/float64(cfg.HistoryAlerts))
		s.add(c)
		// History alerts have been worked on: a third are in progress, a
		// third resolved.
		for v := range int(mix(cfg.Seed, saltAlert, uint64(i), 1) % 3) {
			if at := c + int64(v+1)*int64(7*time.Minute/time.Millisecond); at < s.startMs {
				s.versions[i] = append(s.versions[i], at)
			}
		}
	}
	for i := range cfg.HistoryStarAlerts {
		s.star = append(s.star, s.startMs-span+int64(float64(i)*float64(span)/float64(cfg.HistoryStarAlerts)))
	}
	perMs := func(n float64) float64 { return n / float64(time.Hour.Milliseconds()) }
	s.creates = stream{perUs: perMs(cfg.AlertsPerHour)}
	s.updates = stream{perUs: perMs(cfg.AlertUpdatesPerHour)}
	s.starCreates = stream{perUs: perMs(cfg.StarAlertsPerHour)}
	return s
}

// add creates an alert. Its first version is stamped 100–900 ms after its
// createdAt, as real consoles stamp it (never equal to it); alerts created
// in the same millisecond share that stamp too.
func (s *alertStore) add(createdMs int64) {
	s.created = append(s.created, createdMs)
	s.versions = append(s.versions, []int64{createdMs + 100 + int64(mix(s.cfg.Seed, saltAlert, uint64(createdMs), 7)%800)})
}

// advanceTo applies every creation and update due at or before nowMs.
func (s *alertStore) advanceTo(nowMs int64) {
	for {
		c, u := s.creates.due(s.startMs), s.updates.due(s.startMs)
		switch {
		case c <= u && c <= nowMs:
			s.add(c)
			s.creates.n++
		case u < c && u <= nowMs:
			if n := len(s.created); n > 0 {
				i := int(mix(s.cfg.Seed, saltAlert, uint64(s.updates.n), 2) % uint64(n))
				if last := s.versions[i][len(s.versions[i])-1]; u > last {
					s.versions[i] = append(s.versions[i], u)
				}
			}
			s.updates.n++
		default:
			for d := s.starCreates.due(s.startMs); d <= nowMs; d = s.starCreates.due(s.startMs) {
				s.star = append(s.star, d)
				s.starCreates.n++
			}
			return
		}
	}
}

// lag is how long after its updatedAt version v of alert i is indexed.
func (s *alertStore) lag(i, v int) int64 {
	late := s.cfg.Realism
	if late.LateShare <= 0 {
		return 0
	}
	r := rand.New(rand.NewPCG(s.cfg.Seed, mix(saltAlert, uint64(i), uint64(v), 3)))
	if r.Float64() >= late.LateShare {
		return 0
	}
	return late.LateMin.Milliseconds() + r.Int64N(max(late.LateMax-late.LateMin, 0).Milliseconds()+1)
}

// visible returns the version of alert i a search shows at nowMs, or -1.
func (s *alertStore) visible(i int, nowMs int64) int {
	for v := len(s.versions[i]) - 1; v >= 0; v-- {
		if at := s.versions[i][v]; at+s.lag(i, v) <= nowMs {
			return v
		}
	}
	return -1
}

// alertVersion is one version of an alert as a search returns it.
type alertVersion struct {
	idx, version     int
	created, updated int64 // ms
}

// visibleAt lists the alerts a search sees at nowMs, each at its last
// indexed version.
func (s *alertStore) visibleAt(nowMs int64) []alertVersion {
	out := make([]alertVersion, 0, len(s.created))
	for i := range s.created {
		if v := s.visible(i, nowMs); v >= 0 {
			out = append(out, alertVersion{idx: i, version: v, created: s.created[i], updated: s.versions[i][v]})
		}
	}
	return out
}

// Alerts lists the unified alerts a search shows now, each at its last
// indexed version: id and updatedAt. A version indexed late appears here
// only once it is indexed.
func (e *Emulator) Alerts() []Record {
	e.mu.Lock()
	now := e.clock.now().UnixMilli()
	e.alerts.advanceTo(now)
	vis := e.alerts.visibleAt(now)
	e.mu.Unlock()
	out := make([]Record, len(vis))
	for i, av := range vis {
		out[i] = Record{ID: alertID(e.cfg.Seed, av.idx), UpdatedAt: time.UnixMilli(av.updated).UTC()}
	}
	return out
}

// AlertVersions counts the versions of unified alerts that exist now,
// indexed or not.
func (e *Emulator) AlertVersions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.alerts.advanceTo(e.clock.now().UnixMilli())
	n := 0
	for _, vs := range e.alerts.versions {
		n += len(vs)
	}
	return n
}

// StarAlerts lists the legacy STAR alerts: alertInfo.alertId and createdAt.
func (e *Emulator) StarAlerts() []Record {
	e.mu.Lock()
	e.alerts.advanceTo(e.clock.now().UnixMilli())
	times := append([]int64(nil), e.alerts.star...)
	e.mu.Unlock()
	out := make([]Record, len(times))
	for i, t := range times {
		out[i] = Record{ID: itoa(1700000000000000000 + uint64(i)), UpdatedAt: time.UnixMilli(t).UTC()}
	}
	return out
}
