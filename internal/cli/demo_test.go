package cli

import (
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
			"✓ demo-console/threats: 100 delivered", "✓ demo-console/alerts: ", "alerts.ndjson", "agents.ndjson", "devices as OCSF Device Inventory Info"} {
			if !strings.Contains(out, want) {
				t.Errorf("run %d: output lacks %q:\n%s", run, want, out)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "out", "demo-console", "threats.ndjson"))
		if err != nil || strings.Count(string(b), "\n") != 100 {
			t.Fatalf("run %d: threats file: %d lines, %v", run, strings.Count(string(b), "\n"), err)
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
