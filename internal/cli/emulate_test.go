package cli

import (
	"bufio"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"s1collector/internal/sentinelone"
)

// TestEmulateServesWhatItPrints starts "emulate" on a free port, reads the
// base URL and token it prints, and lists the fleet with the client.
func TestEmulateServesWhatItPrints(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		root := newRoot("test", strings.NewReader(""), pw, io.Discard)
		root.SetArgs([]string{"emulate", "--listen", "127.0.0.1:0", "--agents", "1200", "--token", "t0k", "--deny", "threats"})
		done <- root.ExecuteContext(ctx)
		pw.Close()
	}()
	var base, token string
	sc := bufio.NewScanner(pr)
	for sc.Scan() && (base == "" || token == "") {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "base_url: "); ok {
			base = v
		}
		if v, ok := strings.CutPrefix(line, "token:"); ok {
			token = strings.Fields(v)[0]
		}
	}
	go io.Copy(io.Discard, pr)
	c, err := sentinelone.New(sentinelone.Config{BaseURL: base, Token: token}, nil)
	if err != nil {
		t.Fatalf("printed base_url %q token %q: %v", base, token, err)
	}
	n := 0
	for page, err := range c.Pages(ctx, sentinelone.ListRequest{Endpoint: sentinelone.Agents, Query: url.Values{"sortBy": {"id"}}}) {
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Records)
	}
	if n != 1200 {
		t.Fatalf("listed %d agents, want 1200", n)
	}
	if _, err := c.Probe(ctx, sentinelone.Threats, nil); sentinelone.KindOf(err) != sentinelone.KindPermission {
		t.Fatalf("--deny threats: probe err %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("emulate exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulate did not stop on cancel")
	}
}

func TestEmulateRejectsBadFaults(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fault", "agents:storm=1"}, `unknown key "storm"`},
		{[]string{"--late-share", "2"}, "late share: 2 is outside 0–1"},
		{[]string{"--late-share", "0.1", "--late-min", "5m", "--late-max", "1m"}, "late: 5m0s–1m0s is not a range of delays"},
		{[]string{"--agent-removals-per-hour", "-1"}, "must not be negative"},
	} {
		root := newRoot("test", strings.NewReader(""), io.Discard, io.Discard)
		root.SetArgs(append([]string{"emulate", "--listen", "127.0.0.1:0"}, c.args...))
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}
