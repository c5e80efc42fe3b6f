package collector

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// TestTokenWarnings: a token 40 days from expiry is checked daily; warnings
// come at 30, 14, 7 and 1 days, once each.
func TestTokenWarnings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		emu, err := emulator.New(emulator.Config{Agents: 1, Start: start, Tokens: []emulator.Token{{Value: "t", ExpiresAt: start.Add(40 * 24 * time.Hour)}}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: "t"}, &http.Client{Transport: emu.Transport()})
		var logs bytes.Buffer
		tokens := NewTokens()
		ctx, cancel := context.WithCancel(t.Context())
		go tokens.Watch(ctx, map[string]*sentinelone.Client{"prod": c}, slog.New(slog.NewTextHandler(&logs, nil)), 24*time.Hour)
		time.Sleep(45*24*time.Hour - time.Minute)
		synctest.Wait()
		cancel()
		if got := strings.Count(logs.String(), "API token expires soon"); got != 4 {
			t.Fatalf("%d warnings, want 4:\n%s", got, logs.String())
		}
		for _, d := range []string{"days_left=30", "days_left=14", "days_left=7", "days_left=1"} {
			if !strings.Contains(logs.String(), d) {
				t.Errorf("no warning with %s", d)
			}
		}
		st := tokens.Snapshot()["prod"]
		if !st.ExpiresAt.Equal(start.Add(40*24*time.Hour).Truncate(time.Microsecond)) || st.Err != "" {
			t.Errorf("state %+v", st)
		}
	})
}
