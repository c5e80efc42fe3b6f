package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is trouble the emulator injects into an endpoint's answers. Rates are
// shares of requests, 0–1, drawn from a seeded generator.
type Fault struct {
	// Latency is added to every answer (a real console takes ~1.4s a page).
	Latency time.Duration
	// ServerErrors answers 500, 502 or 503 (JSON, Spring-style or plain text).
	ServerErrors float64
	// Throttle answers 429 with nginx's HTML body; every other one carries
	// Retry-After: 1.
	Throttle float64
	// Truncate cuts the body of a 200 answer in half.
	Truncate float64
	// Malformed answers 200 with a body that is not JSON.
	Malformed float64
	// RepeatCursor answers with nextCursor equal to the cursor just sent.
	RepeatCursor float64
	// OddTypes writes some records with strings for booleans and numbers.
	OddTypes float64
	// GraphQLErrors answers the Unified Alerts API with 200 and a GraphQL
	// error instead of data.
	GraphQLErrors float64
}

// Validate checks every rate is a share.
func (f Fault) Validate() error {
	for _, r := range []float64{f.ServerErrors, f.Throttle, f.Truncate, f.Malformed, f.RepeatCursor, f.OddTypes, f.GraphQLErrors} {
		if r < 0 || r > 1 {
			return errors.New("rates must be between 0 and 1")
		}
	}
	if f.Latency < 0 {
		return errors.New("latency must not be negative")
	}
	return nil
}

// ParseFault reads a fault flag: "ENDPOINT:key=value,…" where ENDPOINT is
// agents, activities, threats or * and keys are latency (a duration) and the
// shares server_errors, throttle, truncate, malformed, repeat_cursor,
// odd_types and graphql_errors. Example: "agents:latency=1.4s,throttle=0.05".
func ParseFault(spec string) (endpoint string, f Fault, err error) {
	endpoint, rest, ok := strings.Cut(spec, ":")
	if !ok || endpoint == "" {
		return "", f, fmt.Errorf("fault %q: want ENDPOINT:key=value,… (e.g. agents:throttle=0.1)", spec)
	}
	if !slices.Contains([]string{"agents", "activities", "threats", "alerts", "cloud-detection", "*"}, endpoint) {
		return "", f, fmt.Errorf("fault %q: endpoint %q is not agents, activities, threats, alerts, cloud-detection or *", spec, endpoint)
	}
	rates := map[string]*float64{"server_errors": &f.ServerErrors, "throttle": &f.Throttle, "truncate": &f.Truncate,
		"malformed": &f.Malformed, "repeat_cursor": &f.RepeatCursor, "odd_types": &f.OddTypes, "graphql_errors": &f.GraphQLErrors}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if k == "latency" {
			if f.Latency, err = time.ParseDuration(v); err != nil {
				return "", f, fmt.Errorf("fault %q: latency: %w", spec, err)
			}
			continue
		}
		p, ok := rates[k]
		if !ok {
			keys := append(slices.Sorted(maps.Keys(rates)), "latency")
			return "", f, fmt.Errorf("fault %q: unknown key %q (%s)", spec, k, strings.Join(keys, ", "))
		}
		if *p, err = strconv.ParseFloat(v, 64); err != nil {
			return "", f, fmt.Errorf("fault %q: %s: %q is not a number", spec, k, v)
		}
	}
	return endpoint, f, f.Validate()
}
