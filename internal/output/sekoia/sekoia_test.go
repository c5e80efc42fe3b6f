package sekoia

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

var quiet = slog.New(slog.DiscardHandler)

func assetIDs(t *testing.T, r outputtest.Request) []string {
	if !outputtest.IsPush(r) {
		return nil
	}
	var body struct {
		Version int `json:"version"`
		Items   []struct {
			Device struct {
				UID string `json:"uid"`
			} `json:"device"`
			Source any `json:"_source"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Version != 1 {
		t.Fatalf("body: %v %s", err, r.Body[:min(len(r.Body), 200)])
	}
	var ids []string
	for _, it := range body.Items {
		if it.Source != nil {
			t.Fatal("asset items must be the bare events, without collector metadata")
		}
		ids = append(ids, it.Device.UID)
	}
	return ids
}

func TestAssetsScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, err := NewAssets("assets", AssetsConfig{BaseURL: url + "/", ConnectorUUID: "c0ffee", APIKey: "k3y", BatchSize: 400}, http.DefaultClient, quiet)
			if err != nil {
				t.Fatal(err)
			}
			o.pollFirst = time.Millisecond
			return o
		},
		Setup: func(p *outputtest.Peer) {
			api := &outputtest.AssetAPI{Task: func(_ string, poll int) (string, string) {
				return []string{"PENDING", "RUNNING", "FINISHED"}[min(poll, 3)-1], ""
			}}
			api.Serve(p)
		},
		IDs: func(t *testing.T, r outputtest.Request) []string {
			if r.Header.Get("Authorization") != "Bearer k3y" {
				t.Fatalf("request %s %v", r.Path, r.Header)
			}
			if outputtest.IsPush(r) && r.Path != "/api/v2/asset-management/asset-connector/c0ffee" {
				t.Fatalf("request %s %v", r.Path, r.Header)
			}
			ids := assetIDs(t, r)
			if len(ids) > 400 {
				t.Fatalf("%d items in one request, batch_size is 400", len(ids))
			}
			return ids
		},
	})
}

func intakeIDs(t *testing.T, r outputtest.Request) []string {
	var body struct {
		IntakeKey string   `json:"intake_key"`
		JSONs     []string `json:"jsons"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.IntakeKey != "intake-k" || r.Path != "/batch" {
		t.Fatalf("request %s: %v", r.Path, err)
	}
	if len(r.Body) > MaxRequestBytes {
		t.Fatalf("request of %d bytes, over 10 MiB", len(r.Body))
	}
	var ids []string
	for _, s := range body.JSONs {
		var ev struct{ ID string }
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			t.Fatalf("jsons element is not an event serialised as a string: %v", err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

func TestIntakeScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, err := NewIntake("intake", IntakeConfig{URL: url, IntakeKey: "intake-k"}, http.DefaultClient, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			return o
		},
		IDs: intakeIDs,
	})
}

// TestIntakeLimits: requests stay within 10 MiB; an event over 250,000
// characters is skipped and reported, never sent, never silent.
func TestIntakeLimits(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	var logs bytes.Buffer
	o, _ := NewIntake("intake", IntakeConfig{URL: peer.URL, IntakeKey: "intake-k"}, http.DefaultClient, slog.New(slog.NewTextHandler(&logs, nil)))
	b := outputtest.Batch("threats", 0, 60, 200_000) // 60 × ~200 KB = 12 MB
	b.Events = append(b.Events, outputtest.Batch("threats", 60, 1, 300_000).Events...)
	b.Skipped = &delivery.Skips{}
	if err := outputtest.Deliver(t.Context(), o, b); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range peer.Accepted() {
		ids = append(ids, intakeIDs(t, r)...)
	}
	if len(peer.Accepted()) < 2 || len(ids) != 60 || b.Skipped.Len() != 1 {
		t.Fatalf("%d requests, %d events, %d skipped", len(peer.Accepted()), len(ids), b.Skipped.Len())
	}
	if !strings.Contains(logs.String(), "event too long for the Sekoia.io intake") || !strings.Contains(logs.String(), "id=60") {
		t.Fatalf("skip not reported: %s", logs.String())
	}
}

func TestChecksSendNothing(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	a, _ := NewAssets("a", AssetsConfig{BaseURL: peer.URL, ConnectorUUID: "u", APIKey: "k"}, http.DefaultClient, quiet)
	in, _ := NewIntake("i", IntakeConfig{URL: peer.URL, IntakeKey: "k"}, http.DefaultClient, slog.New(slog.DiscardHandler))
	for _, o := range []delivery.Output{a, in} {
		if err := o.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range peer.All() {
		if bytes.Contains(r.Body, []byte(`"id"`)) {
			t.Fatalf("check sent an event: %s", r.Body)
		}
	}
}

// TestRefusalsNameTheSetting: a key or connector the platform refuses
// fails test and deliveries for good, naming the setting to fix.
func TestRefusalsNameTheSetting(t *testing.T) {
	tests := []struct {
		intake bool
		status int
		want   string
	}{
		{false, 401, `HTTP 401: {"message":"peer answered 401"} — the API key was refused: check sekoia_assets.api_key of output "a"`},
		{false, 403, `may not push to this asset connector (its role lacks the permission): give it the asset connector permission, or change sekoia_assets.api_key of output "a"`},
		{false, 404, `no asset connector u: check sekoia_assets.connector_uuid of output "a"`},
		{true, 401, `the intake refused the key: check sekoia_intake.intake_key of output "i"`},
		{true, 403, `the intake refused the key: check sekoia_intake.intake_key of output "i"`},
	}
	for _, tt := range tests {
		bad := outputtest.NewPeer(t, func(int) int { return tt.status })
		var o delivery.Output
		if tt.intake {
			o, _ = NewIntake("i", IntakeConfig{URL: bad.URL, IntakeKey: "k"}, http.DefaultClient, quiet)
		} else {
			o, _ = NewAssets("a", AssetsConfig{BaseURL: bad.URL, ConnectorUUID: "u", APIKey: "k"}, http.DefaultClient, quiet)
		}
		for what, err := range map[string]error{"check": o.Check(t.Context()), "deliver": o.Deliver(t.Context(), outputtest.Batch("agents", 0, 3, 10))} {
			if !retry.IsPermanent(err) || !strings.Contains(err.Error(), tt.want) || delivery.FixOf(err) == "" {
				t.Errorf("%s answered %d: %v", what, tt.status, err)
			}
		}
	}
}

// TestAssetsSkipRemovalNotices: the asset connector holds devices; a
// removal notice is not one, so it is never sent (a batch of only notices
// sends nothing).
func TestAssetsSkipRemovalNotices(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	(&outputtest.AssetAPI{Task: func(string, int) (string, string) { return "FINISHED", "" }}).Serve(peer)
	o, err := NewAssets("assets", AssetsConfig{BaseURL: peer.URL, ConnectorUUID: "c0ffee", APIKey: "k3y"}, http.DefaultClient, quiet)
	if err != nil {
		t.Fatal(err)
	}
	o.pollFirst = time.Millisecond
	device := func(id string) delivery.Event {
		return delivery.Event{ID: id, Body: []byte(`{"device":{"uid":"` + id + `"}}`)}
	}
	// Shaped like a device, so only its mark keeps it from the connector.
	notice := delivery.Event{ID: "9", Body: []byte(`{"device":{"uid":"9"}}`), Removal: true}
	for _, events := range [][]delivery.Event{{device("1"), notice, device("2")}, {notice}} {
		if err := o.Deliver(t.Context(), delivery.Batch{Source: "s", Stream: "agents", Events: events}); err != nil {
			t.Fatal(err)
		}
	}
	var pushes []outputtest.Request
	for _, r := range peer.All() {
		if outputtest.IsPush(r) {
			pushes = append(pushes, r)
		}
	}
	if len(pushes) != 1 || strings.Join(assetIDs(t, pushes[0]), ",") != "1,2" {
		t.Fatalf("%d pushes; want one with devices 1 and 2", len(pushes))
	}
}

// TestAssetsWithinMaxBytes: pushes stay within max_bytes; a device with a
// huge string is sent with it cut (the inventory keeps the device); a
// device too large even so is skipped and reported; every other device
// is sent once.
func TestAssetsWithinMaxBytes(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	(&outputtest.AssetAPI{}).Serve(peer)
	var logs bytes.Buffer
	const maxBytes = 100 << 10
	o, err := NewAssets("assets", AssetsConfig{BaseURL: peer.URL, ConnectorUUID: "c0ffee", APIKey: "k3y", MaxBytes: maxBytes},
		http.DefaultClient, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	o.pollFirst = time.Millisecond
	b := outputtest.Batch("agents", 0, 500, 1000)
	b.Events[3].Body = json.RawMessage(`{"device":{"uid":"3","hostname":"` + strings.Repeat("é", 300_000) + `"}}`)
	many := make([]string, 100)
	for i := range many {
		many[i] = `"` + strings.Repeat("y", 4000) + `"`
	}
	b.Events[4].Body = json.RawMessage(`{"device":{"uid":"4","groups":[` + strings.Join(many, ",") + `]}}`)
	b.Skipped = &delivery.Skips{}
	if err := outputtest.Deliver(t.Context(), o, b); err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, r := range peer.Accepted() {
		if len(r.Body) > maxBytes {
			t.Fatalf("a push of %d bytes, max_bytes is %d", len(r.Body), maxBytes)
		}
		for _, id := range assetIDs(t, r) {
			sent[id]++
		}
	}
	if len(sent) != 499 || sent["3"] != 1 || sent["4"] != 0 || b.Skipped.Len() != 1 {
		t.Fatalf("%d devices sent (3: %d, 4: %d), %d skipped", len(sent), sent["3"], sent["4"], b.Skipped.Len())
	}
	for _, want := range []string{"strings over 4096 characters are cut", "even with its long strings cut: skipped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no warning %q in %s", want, logs.String())
		}
	}
}
