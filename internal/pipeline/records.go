package pipeline

import (
	"encoding/json"
	"fmt"
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

// record is what a stream needs to know of one raw record.
type record struct {
	id       string
	time     time.Time
	timeErr  error
	siemType string // activityType for activities, id for threats
	event    any    // the mapped event; nil when the record goes as it came
	problems []string
}

// mapper reads records of one stream.
type mapper struct {
	api       sentinelone.Endpoint
	profile   transform.Profile
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
	AlertInfo struct {
		AlertID   sentinelone.String `json:"alertId"`
		CreatedAt sentinelone.String `json:"createdAt"`
	} `json:"alertInfo"`
}

// read extracts id and time, and maps the record to its profile: agents to
// sekoia or ocsf, every other stream to ocsf only (otherwise it goes as the
// console sent it). An error means the record cannot be delivered (not an
// object, no id).
func (m mapper) read(raw json.RawMessage) (record, error) {
	if m.api == sentinelone.Agents {
		return m.readAgent(raw)
	}
	var f eventFields
	if err := json.Unmarshal(raw, &f); err != nil {
		return record{}, fmt.Errorf("not a JSON object")
	}
	r := record{id: f.ID.Value, siemType: f.ID.Value}
	ts := f.CreatedAt
	switch m.api {
	case sentinelone.Activities:
		r.siemType = fmt.Sprint(f.ActivityType.Value)
	case sentinelone.Threats:
		ts = f.ThreatInfo.UpdatedAt
	case sentinelone.Alerts:
		ts = f.UpdatedAt
	case sentinelone.StarAlerts:
		r.id, r.siemType, ts = f.AlertInfo.AlertID.Value, f.AlertInfo.AlertID.Value, f.AlertInfo.CreatedAt
	}
	if r.id == "" {
		return record{}, transform.ErrNoID
	}
	r.time, r.timeErr = sentinelone.ParseTime(ts.Value)
	if m.profile == transform.ProfileOCSF {
		ev, problems, err := m.profile.MapRecord(transform.Stream(m.api), raw, m.collected())
		if err != nil {
			return record{}, err
		}
		r.event, r.problems = ev, problems
	}
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
