package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/state"
)

// assetsPeer is a recording Sekoia.io asset API whose ingestion tasks end
// as task says.
func assetsPeer(t *testing.T, task func(id string, poll int) (string, string)) (*outputtest.Peer, *outputtest.AssetAPI) {
	peer := outputtest.NewPeer(t, nil)
	api := &outputtest.AssetAPI{Task: task}
	api.Serve(peer)
	return peer, api
}

func assetsWorkdir(t *testing.T, c *console, peer *outputtest.Peer) *workdir {
	return newWorkdir(t, `state: {path: state.db}
log: {format: json}
sources:
  - name: emu
    base_url: `+c.URL+`
    token: `+emulator.DefaultToken+`
    supported_apis: [agents]
    full_sync_concurrency: 1            # a push per page: each waits for its task
    outputs: [assets]
outputs:
  - name: assets
    type: sekoia_assets
    sekoia_assets: {base_url: "`+peer.URL+`", connector_uuid: 0b1c8a64-6e5b-4d2e-9f1a-2f0c5b7d9e11, api_key: k3y}
`)
}

// pushedDevices checks every item of every push against the SDK's schema
// and counts each device.
func pushedDevices(t *testing.T, reqs []outputtest.Request) map[string]int {
	t.Helper()
	valid := outputtest.AssetItems(t)
	seen := map[string]int{}
	for _, r := range reqs {
		if !outputtest.IsPush(r) {
			continue
		}
		var body struct {
			Version int               `json:"version"`
			Items   []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.Version != 1 || r.Header.Get("Authorization") != "Bearer k3y" {
			t.Fatalf("push %s: %v", r.Path, err)
		}
		for _, it := range body.Items {
			valid(t, it)
			var dev struct{ Device struct{ UID string } }
			json.Unmarshal(it, &dev)
			seen[dev.Device.UID]++
		}
	}
	return seen
}

// TestSekoiaAssets: a console's fleet to a recording asset API. Every item
// is valid against the SDK's schema with no null; each push is accepted
// once its ingestion task finished, and the checkpoint then moves; after a
// change of mapping (a checkpoint saved by an older version) every device
// is sent once more, and only then.
func TestSekoiaAssets(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 1200})
	c.SetSpeed(0) // no device changes between runs
	peer, api := assetsPeer(t, func(_ string, poll int) (string, string) {
		return []string{"RUNNING", "FINISHED"}[min(poll, 2)-1], ""
	})
	w := assetsWorkdir(t, c, peer)
	if _, stderr, code := w.run(nil, "test"); code != 0 {
		t.Fatalf("test: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, stderr)
	}
	first := pushedDevices(t, peer.Accepted())
	if len(first) != 1200 {
		t.Fatalf("%d devices pushed, want 1,200", len(first))
	}
	for id, n := range first {
		if n != 1 {
			t.Fatalf("device %s pushed %d times", id, n)
		}
	}
	for id, n := range api.Polls() {
		if n != 2 {
			t.Fatalf("task %s polled %d times: a push counts once its task finished", id, n)
		}
	}
	if out, _, _ := w.run(nil, "state", "show"); strings.Contains(out, "in progress") {
		t.Fatalf("the full listing did not complete:\n%s", out)
	}

	if _, stderr, code := w.run(nil, "once"); code != 0 || total(pushedDevices(t, peer.Accepted())) != 1200 {
		t.Fatalf("a second run with the same mapping pushed again (exit %d)\n%s", code, stderr)
	}

	setMappingVersion(t, filepath.Join(w.dir, "state.db"), "emu/agents", "assets=sekoia_assets/1")
	_, stderr, code := w.run(nil, "once")
	if code != 0 || !strings.Contains(stderr, "the mapping of devices changed") {
		t.Fatalf("after a mapping change: exit %d\n%s", code, stderr)
	}
	for id, n := range pushedDevices(t, peer.Accepted()) {
		if n != 2 {
			t.Fatalf("device %s pushed %d times in all, want once per mapping", id, n)
		}
	}
}

func total(counts map[string]int) (n int) {
	for _, k := range counts {
		n += k
	}
	return n
}

// setMappingVersion rewrites a checkpoint as an older s1collector, which
// mapped devices another way, saved it.
func setMappingVersion(t *testing.T, path, key, version string) {
	t.Helper()
	st, err := state.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cp, err := st.Load(context.Background(), key)
	if err != nil || cp.MappingVersion == "" {
		t.Fatalf("checkpoint %s: %+v %v", key, cp, err)
	}
	cp.MappingVersion = version
	if err := st.Save(context.Background(), key, cp); err != nil {
		t.Fatal(err)
	}
}

// TestSekoiaFailedIngestion: a push whose ingestion task fails holds the
// checkpoint, and the platform's reason shows in once's exit status and
// on the status page as the output's error.
func TestSekoiaFailedIngestion(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 50})
	peer, _ := assetsPeer(t, func(string, int) (string, string) { return "FAILED", "asset schema rejected" })
	w := assetsWorkdir(t, c, peer)
	_, stderr, code := w.run(nil, "once", "--delivery-attempts", "1")
	if code != 1 || !strings.Contains(stderr, "output assets: Sekoia.io ingestion task task-1 ended FAILED: asset schema rejected") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if out, _, _ := w.run(nil, "state", "show"); !strings.Contains(out, "in progress") {
		t.Fatalf("the listing completed though its push failed:\n%s", out)
	}
	url, _ := daemonEnv(t, w, nil, 0)
	deadline := time.Now().Add(time.Minute)
	for {
		_, body := fetch(t, url+"/api/status")
		if strings.Contains(body, "ended FAILED: asset schema rejected") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed ingestion is not on the status page:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
