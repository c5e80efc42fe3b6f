package transform

import (
	"encoding/json"
	"testing"
	"time"

	"s1collector/internal/ocsf/ocsfcheck"
)

// TestRemovedEvents: a removal is an Entity Management Delete of a Device
// in strict OCSF — valid against the class's schema generated from the
// official compiled 1.6.0, with a stable metadata.uid — and a small
// documented object in the others.
func TestRemovedEvents(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC)
	for _, p := range Profiles {
		body, err := p.Removed("1400000000000003700", at)
		if err != nil {
			t.Fatal(err)
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		if p != ProfileOCSF {
			if len(ev) != 4 || ev["id"] != "1400000000000003700" || ev["removed"] != true || ev["detectedAt"] != "2026-03-04T05:06:07.891234Z" || ev["message"] != RemovedMessage {
				t.Errorf("%s: %s", p, body)
			}
			continue
		}
		if err := ocsfcheck.Check(body); err != nil {
			t.Errorf("the removal event is not strict OCSF 1.6.0: %v\n%s", err, body)
		}
		entity := ev["entity"].(map[string]any)
		device := entity["device"].(map[string]any)
		md := ev["metadata"].(map[string]any)
		checks := map[string][2]any{
			"class_uid": {ev["class_uid"], 3004.0}, "class_name": {ev["class_name"], "Entity Management"},
			"category_uid": {ev["category_uid"], 3.0}, "category_name": {ev["category_name"], "Identity & Access Management"},
			"activity_id": {ev["activity_id"], 4.0}, "activity_name": {ev["activity_name"], "Delete"},
			"type_uid": {ev["type_uid"], 300404.0}, "type_name": {ev["type_name"], "Entity Management: Delete"},
			"severity_id": {ev["severity_id"], 1.0}, "time": {ev["time"], float64(at.UnixMilli())},
			"entity.type_id": {entity["type_id"], 1.0}, "entity.type": {entity["type"], "Device"}, "entity.uid": {entity["uid"], "1400000000000003700"},
			"device.uid": {device["uid"], "1400000000000003700"}, "device.type_id": {device["type_id"], 0.0},
			"metadata.version": {md["version"], "1.6.0"}, "metadata.uid": {md["uid"], "1400000000000003700-removed"},
		}
		for k, c := range checks {
			if c[0] != c[1] {
				t.Errorf("ocsf %s = %v, want %v", k, c[0], c[1])
			}
		}
	}
}
