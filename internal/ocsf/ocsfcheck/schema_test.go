package ocsfcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// reference is where the shared reference material keeps JSON Schemas
// exported by the OCSF tooling from the same compiled schema.
const reference = "../../../../shared/reference/ocsf-1.6.0"

// extensionDifferences are where the embedded schema, compiled with the
// platform extensions, differs from the reference exports, compiled without
// them: the Windows extension adds the registry observables (28, 29, 43,
// 46) and rewrites evidences' at_least_one (registry objects and services
// in, resources out). No event s1collector emits touches either.
var extensionDifferences = map[string]bool{
	"/$defs/observable/properties/type_id/enum": true,
	"/$defs/evidences/anyOf":                    true,
}

// TestGeneratorMatchesTheOfficialExport proves the generator follows the
// export's rules: for the classes and profiles the reference holds, the
// generated schema is the exported one, key for key, but for the platform
// extensions' changes.
func TestGeneratorMatchesTheOfficialExport(t *testing.T) {
	cases := []struct {
		file, class string
		profiles    []string
	}{
		{"detection_finding.noprofiles.schema.json", "detection_finding", nil},
		{"detection_finding.host-security_control-incident.schema.json", "detection_finding", []string{"host", "security_control", "incident"}},
		{"inventory_info.noprofiles.schema.json", "inventory_info", nil},
		{"inventory_info.datetime.schema.json", "inventory_info", []string{"datetime"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(reference, c.file))
			if os.IsNotExist(err) {
				t.Skip("shared reference material not beside the repository")
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := JSONSchema(c.class, c.profiles)
			if err != nil {
				t.Fatal(err)
			}
			var w, g any
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			for _, d := range differences("", w, g) {
				if !extensionDifferences[d.path] {
					t.Errorf("generated schema differs from %s at %s: %s", c.file, d.path, d.what)
				}
			}
		})
	}
}

type difference struct{ path, what string }

// differences lists the paths where want and got differ.
func differences(path string, want, got any) []difference {
	w, wok := want.(map[string]any)
	g, gok := got.(map[string]any)
	if !wok || !gok {
		if reflect.DeepEqual(want, got) {
			return nil
		}
		b1, _ := json.Marshal(want)
		b2, _ := json.Marshal(got)
		return []difference{{path, "want " + string(b1) + ", got " + string(b2)}}
	}
	var out []difference
	for k, v := range w {
		if gv, ok := g[k]; ok {
			out = append(out, differences(path+"/"+k, v, gv)...)
		} else {
			out = append(out, difference{path + "/" + k, "missing"})
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			out = append(out, difference{path + "/" + k, "not in the export"})
		}
	}
	return out
}
