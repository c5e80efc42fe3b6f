package sentinelone

// Endpoint names a collection of the Management API.
type Endpoint string

// The collection endpoints the collector reads. Alerts is the Unified
// Alerts GraphQL API; StarAlerts the legacy GET /cloud-detection/alerts.
const (
	Agents     Endpoint = "agents"
	Activities Endpoint = "activities"
	Threats    Endpoint = "threats"
	Alerts     Endpoint = "alerts"
	StarAlerts Endpoint = "cloud_detection_alerts"
)

// Endpoints lists the collection endpoints in a stable order.
var Endpoints = []Endpoint{Agents, Activities, Threats, Alerts, StarAlerts}

// APIPrefix is the path of the Management REST API v2.1 on a console.
const APIPrefix = "/web/api/v2.1/"

// Path is the endpoint's path on the console.
func (e Endpoint) Path() string { return APIPrefix + e.resource() }

// resource is the endpoint's path below APIPrefix.
func (e Endpoint) resource() string {
	switch e {
	case Alerts:
		return "unifiedalerts/graphql"
	case StarAlerts:
		return "cloud-detection/alerts"
	}
	return string(e)
}

// Permission is the console permission a token needs to read e, as the
// console's role editor names it.
func (e Endpoint) Permission() string {
	switch e {
	case Agents:
		return "Endpoints.view"
	case Activities:
		return "Activity Page.view"
	case Threats:
		return "Threats.view"
	case Alerts:
		return "Alerts.view"
	case StarAlerts, "cloud-detection/alerts":
		return "Custom Alerts.view"
	}
	return string(e) + ".view"
}

// Valid reports whether e is one of the collection endpoints.
func (e Endpoint) Valid() bool {
	for _, k := range Endpoints {
		if e == k {
			return true
		}
	}
	return false
}

// RateLimit is a token bucket: Rate requests a second, Burst at once.
type RateLimit struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

// DefaultRateLimits are SentinelOne's published per-token limits for the paths
// the collector uses (api-notes §8). "other" covers system and user calls.
func DefaultRateLimits() map[string]RateLimit {
	return map[string]RateLimit{
		string(Agents):     {Rate: 25, Burst: 1},
		string(Activities): {Rate: 10, Burst: 30},
		string(Threats):    {Rate: 10, Burst: 50},
		string(Alerts):     {Rate: 10, Burst: 10},
		"other":            {Rate: 2, Burst: 5},
	}
}
