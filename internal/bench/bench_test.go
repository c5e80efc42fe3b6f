package bench

import (
	"strings"
	"testing"
)

// TestRunMeasuresEveryWay: each row of the benchmark lists the whole fleet
// and reports what a person reads in the table.
func TestRunMeasuresEveryWay(t *testing.T) {
	res, err := Run(t.Context(), Config{Agents: 5000, Profile: "ocsf", Concurrency: 4, Output: "file", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d rows", len(res))
	}
	for _, r := range res {
		if r.Records != 5000 || r.Pages < 5 || r.Wall <= 0 || r.RecordsPerSec <= 0 || r.CPU <= 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if res[0].Pages != 5 {
		t.Errorf("one cursor over 5,000 agents took %d pages", res[0].Pages)
	}
}

func TestConfigErrors(t *testing.T) {
	err := Config{Agents: 0, Profile: "csv", Concurrency: 0, Output: "s3"}.Validate()
	for _, want := range []string{"agents: 0", `profile "csv"`, "concurrency: 0", `output: "s3"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
