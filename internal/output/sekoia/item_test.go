package sekoia

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"s1collector/internal/output/outputtest"
)

var fallback = time.Unix(1767225600, 0)

// TestItemsFollowTheContract maps every golden device of the sekoia
// profile (the transform's corpus: seed and real consoles, odd and missing
// fields): each item validates against the SDK's schema with no null, and
// keeps every value the profile had, but for the two the contract rewrites.
func TestItemsFollowTheContract(t *testing.T) {
	files, _ := filepath.Glob("../../transform/testdata/*/sekoia.json")
	if len(files) < 20 {
		t.Fatalf("%d golden devices", len(files))
	}
	valid := outputtest.AssetItems(t)
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			profile, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, fromID, err := item(profile, fallback)
			if err != nil {
				t.Fatal(err)
			}
			valid(t, got)
			in, out := decode(t, profile), decode(t, got)
			rewritten := map[string]bool{".device.type": true, ".device.os.type": true}
			if fromID {
				rewritten[".device.hostname"] = true
			}
			for path, v := range leaves(in, "") {
				if w, ok := leaves(out, "")[path]; !rewritten[path] && (!ok || !reflect.DeepEqual(v, w)) {
					t.Errorf("%s: %v in the profile, %v in the item", path, v, w)
				}
			}
			dev := out["device"].(map[string]any)
			if fromID != (in["device"].(map[string]any)["hostname"] == nil) || dev["hostname"] == nil {
				t.Errorf("hostname %v (from the id: %v)", dev["hostname"], fromID)
			}
		})
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// leaves are the non-null values of v by path; lists are leaves.
func leaves(v any, path string) map[string]any {
	out := map[string]any{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			for p, y := range leaves(x, path+"."+k) {
				out[p] = y
			}
		}
		return out
	}
	if l, ok := v.([]any); ok && len(l) > 0 {
		if _, nested := l[0].(map[string]any); nested {
			for i, x := range l {
				for p, y := range leaves(x, fmt.Sprintf("%s[%d]", path, i)) {
					out[p] = y
				}
			}
			return out
		}
	}
	if v != nil {
		out[path] = v
	}
	return out
}

func TestItemRules(t *testing.T) {
	tests := []struct {
		device   string
		typeID   int
		typ, os  string
		osTypeID int
		extra    map[string]any // enrichment data keys
	}{
		{`{"uid":"1","hostname":"h","machine_type":"server","os":{"type":"Linux"},"is_firewall_enabled":true,"user_name":"alice"}`, 1, "Server", "linux", 200,
			map[string]any{"Firewall_status": "Enabled", "Users": []any{"alice"}}},
		{`{"uid":"1","hostname":"h","machine_type":"laptop","os":{"type":"AppleOS"},"is_firewall_enabled":false}`, 2, "Desktop", "macos", 300,
			map[string]any{"Firewall_status": "Disabled"}},
		{`{"uid":"1","hostname":"h","machine_type":"desktop","os":{"type":"Windows"}}`, 2, "Desktop", "windows", 100, nil},
		{`{"uid":"1","hostname":"h","machine_type":"kubernetes pod","os":{"type":"Other"}}`, 6, "Virtual", "other", 99, nil},
		{`{"uid":"1","hostname":"h","machine_type":"ecs task","os":{"type":"Unknown"}}`, 6, "Virtual", "unknown", 0, nil},
		{`{"uid":"1","hostname":"h","machine_type":"storage","os":{"type":"Linux"}}`, 99, "Other", "linux", 200, nil},
		{`{"uid":"1","hostname":"h","machine_type":"unknown","os":{"type":"Linux"}}`, 0, "Unknown", "linux", 200, nil},
		{`{"uid":"1","hostname":"h","machine_type":null,"type":"computer","os":{"type":"Linux"}}`, 2, "Desktop", "linux", 200, nil},
	}
	for _, tt := range tests {
		body := `{"time":null,"metadata":{"product":{"name":"SentinelOne"},"version":"1.6.0"},"device":` + tt.device +
			`,"enrichments":[{"name":"device_security","value":"sentinelone_device","data":{"threat_level":null}}]}`
		got, _, err := item([]byte(body), fallback)
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, got)
		dev := m["device"].(map[string]any)
		os := dev["os"].(map[string]any)
		if dev["type_id"] != json.Number(fmt.Sprint(tt.typeID)) || dev["type"] != tt.typ || os["type"] != tt.os || os["type_id"] != json.Number(fmt.Sprint(tt.osTypeID)) {
			t.Errorf("%s: %s", tt.device, got)
		}
		data := m["enrichments"].([]any)[0].(map[string]any)["data"].(map[string]any)
		for k, v := range tt.extra {
			if !reflect.DeepEqual(data[k], v) {
				t.Errorf("%s: enrichment %s = %v", tt.device, k, data[k])
			}
		}
		if m["time"] != json.Number(fmt.Sprint(fallback.Unix())) || m["metadata"].(map[string]any)["product"].(map[string]any)["vendor_name"] != "SentinelOne" {
			t.Errorf("%s: %s", tt.device, got)
		}
	}
	for _, bad := range []string{`[]`, `{"device":{}}`, `{"device":{"uid":""}}`, `nul`} {
		if _, _, err := item([]byte(bad), fallback); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
