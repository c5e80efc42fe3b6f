package ocsfcheck

import (
	"encoding/json"
	"strings"
	"testing"
)

// good is the reference's strict Detection Finding, with s1collector's
// metadata conventions.
const good = `{
  "activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings",
  "class_uid": 2004, "class_name": "Detection Finding", "type_uid": 200401, "type_name": "Detection Finding: Create",
  "severity_id": 4, "severity": "High", "time": 1756200600000,
  "metadata": {"version": "1.6.0", "product": {"name": "SentinelOne", "vendor_name": "SentinelOne"},
    "profiles": ["host", "security_control", "incident"], "uid": "1234567890123456789-1756200600000"},
  "finding_info": {"uid": "1234567890123456789", "title": "Trojan.GenericKD", "created_time": 1756200590000,
    "analytic": {"type_id": 1, "type": "Rule", "name": "SentinelOne Static AI"}},
  "confidence_id": 3, "confidence": "High", "is_alert": true, "status_id": 1, "status": "New",
  "disposition_id": 3, "disposition": "Quarantined", "verdict_id": 2, "verdict": "True Positive",
  "malware": [{"name": "Trojan.GenericKD", "classification_ids": [18], "classifications": ["Trojan"]}],
  "device": {"uid": "ff81", "hostname": "LAPTOP-JOHN-DEV", "type_id": 3, "type": "Laptop", "ip": "192.168.1.100",
    "os": {"name": "Windows 10 Pro", "type_id": 100, "type": "Windows"}},
  "evidences": [{"file": {"name": "invoice.exe", "type_id": 1, "type": "Regular File",
    "hashes": [{"algorithm_id": 2, "algorithm": "SHA-1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}}],
  "unmapped": {"anything": {"goes": [1, "x"]}}
}`

func TestGoodEventPasses(t *testing.T) {
	if err := Check([]byte(good)); err != nil {
		t.Fatal(err)
	}
}

// TestEachFlawIsCaught plants one flaw at a time in the good event; each
// must be reported, naming where.
func TestEachFlawIsCaught(t *testing.T) {
	cases := []struct {
		name, path string
		value      any
		delete     bool
		want       string
	}{
		{"null", "device.domain", nil, false, "device.domain is null"},
		{"null in unmapped", "unmapped.anything.goes", []any{1, nil}, false, "unmapped.anything.goes[1] is null"},
		{"unknown key", "device.agent_status", "online", false, "agent_status"},
		{"profile not declared", "metadata.profiles", []any{"host"}, false, "disposition"},
		{"seconds", "finding_info.created_time", 1756200590, false, "not milliseconds"},
		{"event time in seconds", "time", 1756200600, false, "time 1756200600 is not in milliseconds"},
		{"type_uid", "type_uid", 200402, false, "type_uid 200402"},
		{"caption case", "device.os.type", "windows", false, `device.os.type = "windows"`},
		{"caption missing", "status", nil, true, "status_id is missing its caption"},
		{"class caption", "class_name", "Detection finding", false, "class_name"},
		{"enum value", "status_id", 42, false, "status_id"},
		{"bad ip", "device.ip", "192.168.1.300", false, "device.ip"},
		{"bad hash", "evidences.0.file.hashes.0.value", "not-hex", false, "not a valid file_hash_t"},
		{"required", "finding_info.uid", nil, true, "uid"},
		{"metadata.uid", "metadata.uid", nil, true, "metadata.uid is missing"},
		{"product", "metadata.product.vendor_name", "Acme", false, "metadata.product"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ev map[string]any
			if err := json.Unmarshal([]byte(good), &ev); err != nil {
				t.Fatal(err)
			}
			set(ev, strings.Split(c.path, "."), c.value, c.delete)
			b, _ := json.Marshal(ev)
			err := Check(b)
			if err == nil {
				t.Fatalf("%s passed", c.name)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
}

func set(v any, path []string, value any, del bool) {
	for i, k := range path {
		last := i == len(path)-1
		switch x := v.(type) {
		case map[string]any:
			if last {
				if del {
					delete(x, k)
				} else {
					x[k] = value
				}
				return
			}
			v = x[k]
		case []any:
			n := 0
			for _, ch := range k {
				n = n*10 + int(ch-'0')
			}
			if last {
				x[n] = value
				return
			}
			v = x[n]
		}
	}
}
