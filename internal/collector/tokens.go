package collector

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
)

// TokenWarnDays are the days before expiry at which a warning is logged.
var TokenWarnDays = []int{30, 14, 7, 1}

// TokenState is what is known of a source's API token.
type TokenState struct {
	ExpiresAt time.Time
	CheckedAt time.Time
	Err       string // the last check's failure
	warned    int    // the smallest threshold already warned about
}

// DaysLeft is the whole days until expiry (negative once expired).
func (t TokenState) DaysLeft(now time.Time) int {
	return int(t.ExpiresAt.Sub(now).Hours() / 24)
}

// Tokens watches the expiry of every source's token.
type Tokens struct {
	mu     sync.Mutex
	states map[string]TokenState
}

// NewTokens returns an empty watch.
func NewTokens() *Tokens { return &Tokens{states: map[string]TokenState{}} }

// Snapshot returns the states by source.
func (t *Tokens) Snapshot() map[string]TokenState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.states)
}

// Watch checks every token now and then every period, until ctx ends.
func (t *Tokens) Watch(ctx context.Context, clients map[string]*sentinelone.Client, log *slog.Logger, period time.Duration) {
	for {
		for name, c := range clients {
			t.check(ctx, name, c, log.With("source", name))
		}
		timer := time.NewTimer(period)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func (t *Tokens) check(ctx context.Context, source string, c *sentinelone.Client, log *slog.Logger) {
	d, err := c.TokenDetails(ctx)
	if ctx.Err() != nil {
		return // stopping (shutdown or reload): nothing was learnt
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.states[source]
	st.CheckedAt = time.Now()
	if err != nil {
		st.Err = err.Error()
		t.states[source] = st
		log.Warn("could not read the API token's expiry", "error", err)
		return
	}
	st.ExpiresAt, st.Err = d.ExpiresAt, ""
	days := st.DaysLeft(time.Now())
	crossed := 0 // the smallest threshold the token is within
	for _, th := range TokenWarnDays {
		if days <= th {
			crossed = th
		}
	}
	if crossed > 0 && (st.warned == 0 || crossed < st.warned) {
		st.warned = crossed
		log.Warn("API token expires soon: generate a new token for the service user and update the config",
			"expires_at", d.ExpiresAt.Format(time.RFC3339), "days_left", days)
	}
	if days > TokenWarnDays[0] {
		st.warned = 0
	}
	t.states[source] = st
}
