package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/sentinelone"
)

// Profile names how agents are delivered.
type Profile string

// The agent profiles.
const (
	ProfileSekoia Profile = "sekoia" // the Sekoia.io asset connector's OCSF shape (default)
	ProfileOCSF   Profile = "ocsf"   // strict OCSF 1.6.0
	ProfileRaw    Profile = "raw"    // the console's JSON unchanged
)

// Profiles lists the profiles in the order help text shows them.
var Profiles = []Profile{ProfileSekoia, ProfileOCSF, ProfileRaw}

// ParseProfile reads a profile name.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("profile %q is not one of %s", s, joinProfiles())
}

func joinProfiles() string {
	names := make([]string, len(Profiles))
	for i, p := range Profiles {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// MapAgent turns one raw agent record into the profile's event. problems
// names fields that were present but unreadable (dropped from the event);
// an error means the record is skipped. collected is the ocsf event time.
func (p Profile) MapAgent(raw json.RawMessage, collected time.Time) (event any, problems []string, err error) {
	if p == ProfileRaw {
		if !json.Valid(raw) {
			return nil, nil, fmt.Errorf("not valid JSON")
		}
		return raw, nil, nil
	}
	var a sentinelone.Agent
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	return p.Map(&a, collected)
}

// Map turns a decoded agent into the profile's event; for raw it is an
// error, as raw keeps the record's own bytes.
func (p Profile) Map(a *sentinelone.Agent, collected time.Time) (event any, problems []string, err error) {
	switch p {
	case ProfileOCSF:
		return Strict(a, collected)
	case ProfileSekoia:
		return Sekoia(a)
	}
	return nil, nil, fmt.Errorf("profile %q does not map agents", p)
}

func preview(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// AgentID returns a record's id for messages, or "".
func AgentID(raw json.RawMessage) string {
	var v struct {
		ID sentinelone.String `json:"id"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.ID.Value
}
