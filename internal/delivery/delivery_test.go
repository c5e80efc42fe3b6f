package delivery

import (
	"encoding/json"
	"testing"
)

func TestDecorated(t *testing.T) {
	meta := SourceInfo{Name: "prod", Category: "sec/s1", Fields: map[string]string{"env": "prod"}, SiemForward: true}.Meta()
	tests := []struct {
		name     string
		body     string
		unmapped bool
		want     map[string]any
	}{
		{"top level", `{"id":"42","x":1}`, false, map[string]any{"id": "42", "_source": "prod"}},
		{"empty object", `{}`, false, map[string]any{"_sourceCategory": "sec/s1", "_siemProduct": nil}},
		{"ocsf unmapped", `{"class_uid":5001,"unmapped":{"osType":"linux"}}`, true, map[string]any{"class_uid": float64(5001)}},
	}
	for _, tt := range tests {
		out := Event{Body: json.RawMessage(tt.body), Meta: meta, MetaInUnmapped: tt.unmapped}.Decorated()
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: %s is not JSON: %v", tt.name, out, err)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v (%s)", tt.name, k, got[k], v, out)
			}
		}
		if tt.unmapped {
			u := got["unmapped"].(map[string]any)
			if u["osType"] != "linux" || u["_source"] != "prod" || got["_source"] != nil {
				t.Errorf("%s: %s", tt.name, out)
			}
		}
	}
}
