package transform

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// emulatorAgents lists every agent of an emulated console as raw records.
func emulatorAgents(t testing.TB, emu *emulator.Emulator, query url.Values) []json.RawMessage {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken,
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e9, Burst: 1000}}}, &http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Agents, Query: query}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			out = append(out, json.RawMessage(r.Raw))
		}
	}
	return out
}

// TestStrictOverEmulatedFleet maps thousands of varied agents, some with
// sloppy types, and holds every event to the schema and the extra checks.
func TestStrictOverEmulatedFleet(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 11, Agents: 3000, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	emu.SetFault("agents", emulator.Fault{OddTypes: 0.3})
	for i, raw := range emulatorAgents(t, emu, nil) {
		ev, problems, err := mapRaw(t, ProfileOCSF, raw, collected)
		if err != nil || len(problems) > 0 {
			t.Fatalf("agent %d: %v %v", i, err, problems)
		}
		b, _ := json.Marshal(ev)
		checkOCSF(t, b)
		if t.Failed() {
			t.Fatalf("agent %d:\n%s", i, raw)
		}
	}
}

// TestEventUIDFollowsDeviceState: the same state gives the same
// metadata.uid; a changed agent gets a new one.
func TestEventUIDFollowsDeviceState(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 5, Agents: 200, AgentUpdatesPerMinute: 10, NewAgentsPerHour: 1e-9, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	uids := func() map[string]string {
		m := map[string]string{}
		for _, raw := range emulatorAgents(t, emu, url.Values{"sortBy": {"id"}}) {
			ev, _, err := mapRaw(t, ProfileOCSF, raw, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			e := ev.(ocsf.InventoryInfo)
			m[e.Device.UID] = e.Metadata.UID
		}
		return m
	}
	before, again := uids(), uids()
	for dev, uid := range before {
		if again[dev] != uid {
			t.Fatalf("device %s: uid %s then %s with no change", dev, uid, again[dev])
		}
	}
	emu.Advance(3 * time.Minute)
	after, changed := uids(), 0
	for dev, uid := range before {
		if after[dev] != uid {
			changed++
		}
	}
	if changed < 20 || changed > 30 {
		t.Fatalf("%d devices changed uid after 30 updates", changed)
	}
}

// mapRaw decodes one agent record and maps it.
func mapRaw(t testing.TB, p Profile, raw []byte, collected time.Time) (any, []string, error) {
	t.Helper()
	var a sentinelone.Agent
	if err := sentinelone.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return p.Map(&a, collected)
}
