package pipeline

import (
	"encoding/json"
	"fmt"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// timeField is the field each stream is filtered and sorted on: activities
// by createdAt; agents and threats by updatedAt (for threats the console
// applies it to threatInfo.updatedAt).
func timeField(api sentinelone.Endpoint) string {
	if api == sentinelone.Activities {
		return "createdAt"
	}
	return "updatedAt"
}

// record is what a stream needs to know of one raw record.
type record struct {
	id       string
	time     time.Time
	timeErr  error
	kind     string // activities: the activityType; empty for other streams
	event    any    // the mapped event; nil for raw profiles
	problems []string
}

// mapper reads records of one stream.
type mapper struct {
	api       sentinelone.Endpoint
	profile   transform.Profile // for agents
	collected func() time.Time
}

type eventFields struct {
	ID           sentinelone.String `json:"id"`
	CreatedAt    sentinelone.String `json:"createdAt"`
	UpdatedAt    sentinelone.String `json:"updatedAt"`
	ActivityType sentinelone.Int    `json:"activityType"`
	ThreatInfo   struct {
		UpdatedAt sentinelone.String `json:"updatedAt"`
	} `json:"threatInfo"`
}

// read extracts id and time and maps agents to their profile. An error
// means the record cannot be delivered (not an object, no id).
func (m mapper) read(raw json.RawMessage) (record, error) {
	if m.api == sentinelone.Agents {
		return m.readAgent(raw)
	}
	var f eventFields
	if err := json.Unmarshal(raw, &f); err != nil {
		return record{}, fmt.Errorf("not a JSON object")
	}
	r := record{id: f.ID.Value}
	ts := f.CreatedAt
	switch m.api {
	case sentinelone.Activities:
		r.kind = fmt.Sprint(f.ActivityType.Value)
	case sentinelone.Threats:
		ts = f.ThreatInfo.UpdatedAt
	}
	if r.id == "" {
		return record{}, transform.ErrNoID
	}
	r.time, r.timeErr = sentinelone.ParseTime(ts.Value)
	return r, nil
}

func (m mapper) readAgent(raw json.RawMessage) (record, error) {
	var a sentinelone.Agent
	if err := json.Unmarshal(raw, &a); err != nil {
		return record{}, fmt.Errorf("not a JSON object")
	}
	r := record{id: a.ID.Value}
	r.time, r.timeErr = sentinelone.ParseTime(a.UpdatedAt.Value)
	if m.profile == transform.ProfileRaw {
		if r.id == "" {
			return record{}, transform.ErrNoID
		}
		return r, nil
	}
	ev, problems, err := m.profile.Map(&a, m.collected())
	if err != nil {
		return record{}, err
	}
	r.event, r.problems = ev, problems
	return r, nil
}
