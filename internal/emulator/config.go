package emulator

import (
	"errors"
	"fmt"
	"time"
)

// Config describes the emulated console. Zero values take the defaults.
type Config struct {
	// Seed makes the fleet and every event deterministic.
	Seed uint64
	// Agents is the fleet size at start. Default 1000.
	Agents int
	// Sites is how many sites the fleet is spread over. Default 4.
	Sites int
	// Start is the emulated time at start. Default 2026-01-01T00:00:00Z.
	Start time.Time
	// Speed is how fast emulated time runs against the wall clock: 1 is real
	// time, 0 stops it (only Advance moves it). Default 0.
	Speed float64
	// History is how far before Start the console's activities and threats
	// go back. Default 48h.
	History time.Duration
	// HistoryActivities and HistoryThreats are how many records exist at
	// Start. Defaults 2000 and 100.
	HistoryActivities int
	HistoryThreats    int
	// Rates at which the console changes once time runs.
	AgentUpdatesPerMinute float64 // default 60
	NewAgentsPerHour      float64 // default 6
	ActivitiesPerMinute   float64 // default 30
	ThreatsPerHour        float64 // default 30
	ThreatUpdatesPerHour  float64 // default 60
	// Unified alerts: created and updated as time passes; HistoryAlerts
	// exist at Start (default 100). Realism.LateShare of their versions
	// are indexed late, as activities and threats are.
	AlertsPerHour       float64 // default 30
	AlertUpdatesPerHour float64 // default 60
	HistoryAlerts       int
	// Legacy STAR alerts (GET /cloud-detection/alerts); NoCustomRules makes
	// the endpoint answer 403 4030010 as on scopes without Custom Rules.
	StarAlertsPerHour float64 // default 6
	HistoryStarAlerts int     // default 20
	NoCustomRules     bool
	// GraphQLAuth limits the Unified Alerts API to "bearer" or "apitoken";
	// "" accepts both. GraphQLRejects lists Alert fields (or the viewType
	// argument) the console's schema lacks, as older consoles do.
	GraphQLAuth    string
	GraphQLRejects []string
	// Realism adds what makes real consoles hard to collect completely.
	Realism Realism
	// Tokens the console accepts. Default: one token "emulator-token" valid
	// for 180 days with every permission.
	Tokens []Token
	// RateLimits per endpoint ("agents", "activities", "threats", "other"),
	// per token. Nil takes DefaultRateLimits; a zero Rate disables the limit.
	RateLimits map[string]RateLimit
	// Faults per endpoint ("agents", "activities", "threats", or "*" for all).
	Faults map[string]Fault
	// HostDate makes answers' Date header this host's time instead of the
	// emulated clock's, as real consoles give theirs. The demo sets it: its
	// clock runs fast on purpose, which is not a clock to warn about.
	HostDate bool
}

// Token is an API token the emulator accepts.
type Token struct {
	Value     string
	CreatedAt time.Time // default: Start minus 30 days
	ExpiresAt time.Time // default: Start plus 180 days; after it, 401
	// Deny lists endpoints ("agents", "activities", "threats") the token's
	// role may not read: they answer 403.
	Deny []string
}

// RateLimit is a token bucket per token and endpoint.
type RateLimit struct {
	Rate  float64
	Burst int
}

// DefaultToken is the token a default emulator accepts.
const DefaultToken = "emulator-token"

// DefaultRateLimits are SentinelOne's published per-token limits.
func DefaultRateLimits() map[string]RateLimit {
	return map[string]RateLimit{
		"agents":     {Rate: 25, Burst: 25},
		"activities": {Rate: 10, Burst: 30},
		"threats":    {Rate: 10, Burst: 50},
		"alerts":     {Rate: 25, Burst: 25},
		"other":      {Rate: 2, Burst: 5},
	}
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Agents, 1000)
	def(&c.Sites, 4)
	def(&c.HistoryActivities, 2000)
	def(&c.HistoryThreats, 100)
	deff(&c.AgentUpdatesPerMinute, 60)
	deff(&c.NewAgentsPerHour, 6)
	deff(&c.ActivitiesPerMinute, 30)
	deff(&c.ThreatsPerHour, 30)
	deff(&c.ThreatUpdatesPerHour, 60)
	def(&c.HistoryAlerts, 100)
	def(&c.HistoryStarAlerts, 20)
	deff(&c.AlertsPerHour, 30)
	deff(&c.AlertUpdatesPerHour, 60)
	deff(&c.StarAlertsPerHour, 6)
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	c.Start = c.Start.UTC().Truncate(time.Microsecond)
	if c.History == 0 {
		c.History = 48 * time.Hour
	}
	c.Realism = c.Realism.withDefaults()
	if len(c.Tokens) == 0 {
		c.Tokens = []Token{{Value: DefaultToken}}
	}
	for i := range c.Tokens {
		if c.Tokens[i].CreatedAt.IsZero() {
			c.Tokens[i].CreatedAt = c.Start.Add(-30 * 24 * time.Hour)
		}
		if c.Tokens[i].ExpiresAt.IsZero() {
			c.Tokens[i].ExpiresAt = c.Start.Add(180 * 24 * time.Hour)
		}
	}
	if c.RateLimits == nil {
		c.RateLimits = DefaultRateLimits()
	}
	return c
}

// Validate reports every setting that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Agents < 0 || c.Agents > 10_000_000 {
		errs = append(errs, fmt.Errorf("agents: %d is outside 0–10,000,000", c.Agents))
	}
	if c.Sites < 0 || c.Sites > 500 {
		errs = append(errs, fmt.Errorf("sites: %d is outside 0–500", c.Sites))
	}
	if c.Speed < 0 {
		errs = append(errs, errors.New("speed: must not be negative"))
	}
	if c.GraphQLAuth != "" && c.GraphQLAuth != "bearer" && c.GraphQLAuth != "apitoken" {
		errs = append(errs, fmt.Errorf("graphql_auth: %q is not bearer or apitoken", c.GraphQLAuth))
	}
	for _, r := range []float64{c.AgentUpdatesPerMinute, c.NewAgentsPerHour, c.ActivitiesPerMinute, c.ThreatsPerHour, c.ThreatUpdatesPerHour,
		c.AlertsPerHour, c.AlertUpdatesPerHour, c.StarAlertsPerHour} {
		if r < 0 {
			errs = append(errs, errors.New("rates: must not be negative"))
			break
		}
	}
	if err := c.Realism.Validate(); err != nil {
		errs = append(errs, err)
	}
	for i, t := range c.Tokens {
		if t.Value == "" {
			errs = append(errs, fmt.Errorf("tokens[%d]: empty value", i))
		}
	}
	for ep, f := range c.Faults {
		if err := f.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("faults.%s: %w", ep, err))
		}
	}
	return errors.Join(errs...)
}
