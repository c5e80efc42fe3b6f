package collector

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"s1collector/internal/config"
	"s1collector/internal/emulator"
	"s1collector/internal/pgtest"
)

// TestOnceWithSharedState: "once" on PostgreSQL collects the streams no
// replica holds, reports the one a running replica holds with its name,
// and frees the leases it took.
func TestOnceWithSharedState(t *testing.T) {
	dsn := pgtest.DSN(t)
	emu, err := emulator.New(emulator.Config{Agents: 200, HistoryActivities: 50, HistoryThreats: 5, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PGDSN": dsn}
	cfg, err := config.Parse([]byte(`
state: {postgres: {dsn: "${PGDSN}", schema: `+pgtest.Schema(t, dsn)+`}}
sources:
  - {name: emu, base_url: "http://127.0.0.1:1", token: `+emulator.DefaultToken+`, lookback: 72h, outputs: [local]}
outputs:
  - {name: local, type: file, file: {dir: out}}
`), t.TempDir(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	build := func() *Built {
		b, err := Build(t.Context(), cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
			HTTPClient: &http.Client{Transport: emu.Transport()}, Now: emu.Now, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	b := build()
	for _, r := range b.Once(t.Context(), nil) {
		if r.Err != nil || r.Result.Delivered == 0 {
			t.Fatalf("%s: %v (%d delivered)", r.Stream.Key(), r.Err, r.Result.Delivered)
		}
	}
	if _, _, ok, err := b.Shared.Store.Acquire(t.Context(), "running-replica", "emu/threats", time.Minute); !ok || err != nil {
		t.Fatalf("once kept its lease: %v %v", ok, err)
	}
	for _, r := range build().Once(t.Context(), nil) {
		threats := r.Stream.Key() == "emu/threats"
		if threats != (r.Err != nil) || threats && !strings.Contains(r.Err.Error(), "replica running-replica holds this stream") {
			t.Errorf("%s: %v", r.Stream.Key(), r.Err)
		}
	}
	owners, err := b.Shared.Store.Owners(t.Context())
	if err != nil || owners["emu/agents"] != "" || owners["emu/threats"] != "running-replica" {
		t.Errorf("leases after once: %v %v", owners, err)
	}
}
