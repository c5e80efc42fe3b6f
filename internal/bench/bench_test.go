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
	for i, row := range Rows {
		r := res[i]
		if r.Row != row || r.WallSeconds <= 0 || r.CPUSeconds <= 0 || r.PeakRSSMiB <= 0 || r.CPUMicrosPerRecord <= 0 {
			t.Errorf("row %d: %+v", i, r)
		}
	}
}

// TestRowsSkipTheOthers: --rows runs only what it names, in the usual order.
func TestRowsSkipTheOthers(t *testing.T) {
	res, err := Run(t.Context(), Config{Agents: 1500, Profile: "raw", Concurrency: 2, Output: "discard", Seed: 1,
		Rows: []string{RowPipeline, RowFloor}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Row != RowFloor || res[1].Row != RowPipeline || res[1].Records != 1500 {
		t.Fatalf("rows %+v", res)
	}
}

func TestConfigErrors(t *testing.T) {
	err := Config{Agents: 0, Profile: "csv", Concurrency: 0, Output: "s3", Rows: []string{"flor"}}.Validate()
	for _, want := range []string{"agents: 0", `profile "csv"`, "concurrency: 0", `output: "s3"`, `rows: "flor" is not one of floor, partitioned, pipeline`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
