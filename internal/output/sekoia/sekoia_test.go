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
	skipped := 0
	o.Skipped = func(n int) { skipped += n }
	b := outputtest.Batch("threats", 0, 60, 200_000) // 60 × ~200 KB = 12 MB
	b.Events = append(b.Events, outputtest.Batch("threats", 60, 1, 300_000).Events...)
	if err := outputtest.Deliver(t.Context(), o, b); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range peer.Accepted() {
		ids = append(ids, intakeIDs(t, r)...)
	}
	if len(peer.Accepted()) < 2 || len(ids) != 60 || skipped != 1 {
		t.Fatalf("%d requests, %d events, %d skipped", len(peer.Accepted()), len(ids), skipped)
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
	for status, want := range map[int]string{401: "api_key refused: HTTP 401", 403: "may not push to this asset connector", 404: "no asset connector u: check connector_uuid"} {
		bad := outputtest.NewPeer(t, func(int) int { return status })
		a2, _ := NewAssets("a", AssetsConfig{BaseURL: bad.URL, ConnectorUUID: "u", APIKey: "k"}, http.DefaultClient, quiet)
		if err := a2.Check(t.Context()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("check answered %d: %v", status, err)
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
