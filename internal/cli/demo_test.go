package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	for run := 1; run <= 2; run++ { // a second run starts afresh in the same folder
		out, errOut, err := runCLI(t, "", "demo", "--once", "--dir", dir, "--agents", "800", "--log-format", "json")
		if err != nil {
			t.Fatalf("run %d: %v\n%s%s", run, err, out, errOut)
		}
		for _, want := range []string{"with 800 agents", "✓ demo-console/agents:", "(full listing)", "✓ demo-console/activities:",
			"✓ demo-console/threats: ", "✓ demo-console/alerts: ", "alerts.ndjson", "agents.ndjson", "devices as OCSF Device Inventory Info"} {
			if !strings.Contains(out, want) {
				t.Errorf("run %d: output lacks %q:\n%s", run, want, out)
			}
		}
		// The emulated console lives at 60x: a slow machine may see a new
		// threat appear during the cycle, so the history's 100 is a floor
		// and the summary must match the file line for line.
		var said int
		if _, err := fmt.Sscanf(out[strings.Index(out, "threats: ")+len("threats: "):], "%d delivered", &said); err != nil {
			t.Fatalf("run %d: threats summary: %v\n%s", run, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "out", "demo-console", "threats.ndjson"))
		if lines := strings.Count(string(b), "\n"); err != nil || said < 100 || lines != said {
			t.Fatalf("run %d: summary says %d threats delivered, file has %d lines (%v); want the 100 of history or more, and both equal", run, said, lines, err)
		}
	}
}

func TestDemoRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("keep me"), 0o644)
	_, _, err := runCLI(t, "", "demo", "--once", "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), "is not empty and is not a previous demo's folder") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "precious.txt")); err != nil {
		t.Fatal("demo touched a foreign folder")
	}
}
