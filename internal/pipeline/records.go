package pipeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// timeField is the field each stream is filtered and sorted on: activities
// and STAR alerts by createdAt (for STAR alerts the console applies it to
// alertInfo.createdAt, and the client sorts by alertInfoCreatedAt); agents,
// threats and unified alerts by updatedAt (for threats the console applies
// it to threatInfo.updatedAt).
func timeField(api sentinelone.Endpoint) string {
	if api == sentinelone.Activities || api == sentinelone.StarAlerts {
		return "createdAt"
	}
	return "updatedAt"
}

// record is what a stream needs to know of one record, all of it from the
// one decode of its page.
type record struct {
	id      string
	time    time.Time
	timeErr error
	kind    string // activities: the activityType; empty for other streams
	body    []byte // the event: the mapped profile's JSON, or the record as it came
	mapped  bool   // body is a profile's event, not the record as it came
	// problems names fields present with values that could not be read:
	// dropped from a mapped event, kept as they came in a raw one.
	problems []string
}

// odd reports whether the record had something unreadable: it is still
// delivered, and counted.
func (r record) odd() bool { return len(r.problems) > 0 || r.timeErr != nil }

// mapper reads records of one stream.
type mapper struct {
	api       sentinelone.Endpoint
	profile   transform.Profile
	collected func() time.Time
	events    *slab // where mapped events are written; nil: each its own
}

// forWalk returns a mapper that packs its events in a slab of its own: one
// per walk, as walks run concurrently.
func (m mapper) forWalk() mapper {
	m.events = &slab{}
	return m
}

// slab packs mapped events into shared blocks: one allocation per 64 KiB
// of events instead of a growing buffer per event. A block is only ever
// appended to, so an event's bytes stay as they were written; an event
// kept alive keeps its block alive.
type slab struct{ block []byte }

const (
	slabBlock = 64 << 10
	slabRoom  = 4 << 10 // room an event will likely need
)

// write appends what f writes and returns it.
func (s *slab) write(f func(dst []byte) ([]byte, error)) ([]byte, error) {
	if s == nil {
		return f(make([]byte, 0, slabRoom))
	}
	if cap(s.block)-len(s.block) < slabRoom {
		s.block = make([]byte, 0, slabBlock)
	}
	start := len(s.block)
	b, err := f(s.block)
	if err != nil {
		return nil, err
	}
	s.block = b
	return b[start:len(b):len(b)], nil
}

// read takes id and time from the record's model, and maps the record to
// its profile: agents to sekoia or ocsf, every other stream to ocsf only
// (otherwise it goes as the console sent it). An error means the record
// cannot be delivered: it is not an object, has no id, or its mapping
// crashed (transform.ErrMappingCrashed; the stream goes on without it).
func (m mapper) read(rec sentinelone.Record) (r record, err error) {
	defer transform.RecoverMapping(&err)
	r, err = m.readModel(rec)
	if err != nil && len(rec.Errors) > 0 {
		err = fmt.Errorf("%w (%s)", err, strings.Join(rec.Errors, "; "))
	}
	r.problems = append(r.problems, rec.Errors...)
	return r, err
}

// readModel reads a record's model, and maps it.
func (m mapper) readModel(rec sentinelone.Record) (record, error) {
	if rec.Model == nil {
		return record{}, fmt.Errorf("not a JSON object: %s", preview(rec.Raw))
	}
	id, at := rec.Model.Key()
	r := record{id: id.Value, body: rec.Raw}
	r.time, r.timeErr = sentinelone.ParseTime(at.Value)
	if a, ok := rec.Model.(*sentinelone.Agent); ok && m.profile != transform.ProfileRaw {
		return m.mapAgent(r, a)
	}
	if act, ok := rec.Model.(*sentinelone.Activity); ok {
		r.kind = strconv.FormatInt(act.ActivityType.Value, 10)
	}
	if r.id == "" {
		return record{}, noID(m.api)
	}
	if m.profile == transform.ProfileOCSF && m.api != sentinelone.Agents {
		return m.mapEvent(r, rec.Raw)
	}
	for _, name := range rec.Model.OddFields() {
		r.problems = append(r.problems, name+": value of an unexpected type")
	}
	return r, nil
}

// mapEvent maps an activity, threat or alert to strict OCSF.
func (m mapper) mapEvent(r record, raw []byte) (record, error) {
	ev, problems, err := m.profile.MapRecord(transform.Stream(m.api), raw, m.collected())
	if err != nil {
		return record{}, err
	}
	if r.body, err = json.Marshal(ev); err != nil {
		return record{}, fmt.Errorf("encode event: %w", err)
	}
	r.problems, r.mapped = problems, true
	return r, nil
}

// mapped is a record read while its page was decoded (ListRequest.Map),
// so the page keeps it and not the decoded model.
type mapped struct {
	r   record
	err error
}

// each reads a record as its page is decoded.
func (m mapper) each(rec sentinelone.Record) any {
	r, err := m.read(rec)
	return mapped{r, err}
}

// recordOf is the record read while its page was decoded, or reads it now.
func (m mapper) recordOf(rec sentinelone.Record) (record, error) {
	if v, ok := rec.Value.(mapped); ok {
		return v.r, v.err
	}
	return m.read(rec)
}

func (m mapper) mapAgent(r record, a *sentinelone.Agent) (record, error) {
	var problems []string
	body, err := m.events.write(func(dst []byte) (b []byte, err error) {
		b, problems, err = m.profile.AppendMapped(dst, a, m.collected(), true) // as encoding/json.Marshal writes it
		return b, err
	})
	if err != nil {
		return record{}, err
	}
	r.body, r.problems, r.mapped = body, problems, true
	return r, nil
}

func preview(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// lastTime is the time of the page's last record with a readable one
// (zero when none has): pages are sorted by it.
func (m mapper) lastTime(page *sentinelone.Page) time.Time {
	for i := len(page.Records) - 1; i >= 0; i-- {
		if r, err := m.recordOf(page.Records[i]); err == nil && r.timeErr == nil {
			return r.time
		}
	}
	return time.Time{}
}

// noID is the error of a record without id, naming what it is.
func noID(api sentinelone.Endpoint) error {
	switch api {
	case sentinelone.Activities:
		return transform.NoID("activity")
	case sentinelone.Threats:
		return transform.NoID("threat")
	case sentinelone.Alerts, sentinelone.StarAlerts:
		return transform.NoID("alert")
	}
	return transform.ErrNoID
}
