package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/sentinelone"
)

// Stream names the kind of console record a mapping reads.
type Stream string

// The streams s1collector collects.
const (
	StreamAgents     Stream = "agents"
	StreamActivities Stream = "activities"
	StreamThreats    Stream = "threats"
	StreamAlerts     Stream = "alerts"                 // Unified Alerts (GraphQL nodes)
	StreamStarAlerts Stream = "cloud_detection_alerts" // legacy STAR alerts
)

// Streams lists them in the order help text shows them.
var Streams = []Stream{StreamAgents, StreamActivities, StreamThreats, StreamAlerts, StreamStarAlerts}

// ParseStream reads a stream name.
func ParseStream(v string) (Stream, error) {
	for _, st := range Streams {
		if string(st) == v {
			return st, nil
		}
	}
	names := make([]string, len(Streams))
	for i, st := range Streams {
		names[i] = string(st)
	}
	return "", fmt.Errorf("stream %q is not one of %s", v, strings.Join(names, ", "))
}

// MapRecord turns one raw record of a stream into the profile's event. The
// ocsf profile maps every stream (agents to Device Inventory Info 5001,
// threats and alerts to Detection Finding 2004, activities by type);
// sekoia maps agents and keeps the other streams' JSON as the console
// sent it, as raw does for everything. problems names fields present but
// unreadable (dropped); an error means the record is skipped.
func (p Profile) MapRecord(st Stream, raw json.RawMessage, collected time.Time) (event any, problems []string, err error) {
	defer RecoverMapping(&err)
	if st == StreamAgents {
		return p.MapAgent(raw, collected)
	}
	if p != ProfileOCSF {
		if !json.Valid(raw) {
			return nil, nil, fmt.Errorf("not valid JSON")
		}
		return raw, nil, nil
	}
	switch st {
	case StreamActivities:
		return Activity(raw, collected)
	case StreamThreats:
		return Threat(raw, collected)
	case StreamAlerts:
		return Alert(raw, collected)
	case StreamStarAlerts:
		return StarAlert(raw, collected)
	}
	return nil, nil, fmt.Errorf("no mapping for stream %q", st)
}

// RecordID returns a record's id for messages, or "": alertInfo.alertId
// for legacy alerts, id for the others.
func RecordID(st Stream, raw json.RawMessage) string {
	var v struct {
		ID        sentinelone.String `json:"id"`
		AlertInfo obj[struct {
			AlertID sentinelone.String `json:"alertId"`
		}] `json:"alertInfo"`
	}
	_ = json.Unmarshal(raw, &v)
	if st == StreamStarAlerts {
		return v.AlertInfo.V.AlertID.Value
	}
	return v.ID.Value
}

// isObject reports whether raw is a JSON object (leading space allowed).
func isObject(raw []byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// noIDError is ErrNoID for a record of a stream other than agents, saying
// what cannot be identified.
type noIDError struct{ field, what string }

func (e noIDError) Error() string {
	return e.field + ": missing or empty; the " + e.what + " cannot be identified"
}
func (e noIDError) Is(target error) bool { return target == ErrNoID }

// NoID is ErrNoID for a record of the named kind ("threat", "alert",
// "activity").
func NoID(what string) error { return noIDError{"id", what} }

// streamSignatures are members only one stream's records have, in the
// order they are tried: a record with all of a row's members is of that
// row's stream.
var streamSignatures = []struct {
	stream  Stream
	members []string
}{
	{StreamThreats, []string{"threatInfo"}},
	{StreamStarAlerts, []string{"alertInfo", "ruleInfo"}},
	{StreamActivities, []string{"activityType", "primaryDescription"}},
	{StreamAgents, []string{"computerName", "agentVersion"}},
	{StreamAlerts, []string{"detectionSource"}},
	{StreamAlerts, []string{"analytics", "assets"}},
}

// Misfiled reports another stream a record plainly belongs to (a threat
// fed as alerts), by the members only that stream's records have; "" when
// the record may be st's.
func Misfiled(st Stream, raw []byte) Stream {
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return ""
	}
	for _, sig := range streamSignatures {
		all := true
		for _, m := range sig.members {
			if v, ok := members[m]; !ok || string(v) == "null" {
				all = false
				break
			}
		}
		if all {
			if sig.stream == st {
				return ""
			}
			return sig.stream
		}
	}
	return ""
}
