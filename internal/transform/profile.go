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

// MapAgent decodes one agent record and maps it (raw: returns the record
// as it is when it is JSON). Streams decode with Reader.NextInto and call
// AppendMapped; this is for callers holding one record's bytes.
func (p Profile) MapAgent(raw []byte, collected time.Time) (event any, problems []string, err error) {
	if p == ProfileRaw {
		if !json.Valid(raw) {
			return nil, nil, fmt.Errorf("not valid JSON")
		}
		return json.RawMessage(raw), nil, nil
	}
	var a sentinelone.Agent
	if err := sentinelone.Unmarshal(raw, &a); err != nil {
		return nil, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	return p.Map(&a, collected)
}

// AppendMapped maps a decoded agent and appends the event's JSON to dst,
// byte for byte as encoding/json writes it: with html, as Marshal does (<,
// > and & escaped); without, as an Encoder with SetEscapeHTML(false) does
// (without its newline).
func (p Profile) AppendMapped(dst []byte, a *sentinelone.Agent, collected time.Time, html bool) (line []byte, problems []string, err error) {
	defer RecoverMapping(&err)
	switch p {
	case ProfileOCSF:
		return appendStrict(dst, a, collected, html)
	case ProfileSekoia:
		return appendSekoia(dst, a, html)
	}
	return dst, nil, fmt.Errorf("profile %q does not map agents", p)
}

// Map turns a decoded agent into the profile's event; for raw it is an
// error, as raw keeps the record's own bytes.
func (p Profile) Map(a *sentinelone.Agent, collected time.Time) (event any, problems []string, err error) {
	defer RecoverMapping(&err)
	switch p {
	case ProfileOCSF:
		return Strict(a, collected)
	case ProfileSekoia:
		return Sekoia(a)
	}
	return nil, nil, fmt.Errorf("profile %q does not map agents", p)
}
