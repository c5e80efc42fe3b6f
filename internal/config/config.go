// Package config loads and checks s1collector's YAML configuration and
// Sumo Logic source definitions. Every problem names its path, all problems
// of a file are reported at once, and secrets never appear in messages.
package config

import (
	"time"
)

// Config is the whole configuration.
type Config struct {
	State       State        `yaml:"state"`
	Log         Log          `yaml:"log"`
	Server      Server       `yaml:"server"`
	Sources     []Source     `yaml:"sources"`
	SumoSources []SumoSource `yaml:"sumo_sources"`
	Outputs     []Output     `yaml:"outputs"`
}

// State says where checkpoints are kept.
type State struct {
	// Path of the embedded state file. Default s1collector.db.
	Path string `yaml:"path"`
	// Postgres, instead of Path, shares the state among replicas.
	Postgres *Postgres `yaml:"postgres"`
}

// Server configures the status page, /metrics and the health endpoints.
type Server struct {
	// Listen is host:port; default 127.0.0.1:9464 (loopback: exposing it
	// is an explicit choice); "off" disables the server.
	Listen string `yaml:"listen"`
	// Hosts are further names the server answers to (the Host header), on
	// top of its listen address, localhost and loopback addresses: a
	// browser page from another site cannot then read it (DNS rebinding).
	Hosts []string `yaml:"hosts"`
	// Auth, when set, asks every request but /healthz for credentials.
	Auth *ServerAuth `yaml:"auth"`
	// TLS, when set, serves HTTPS.
	TLS *ServerTLS `yaml:"tls"`
}

// ServerAuth is a bearer token or a user name and password (basic).
type ServerAuth struct {
	BearerToken Secret `yaml:"bearer_token"`
	Username    string `yaml:"username"`
	Password    Secret `yaml:"password"`
}

// ServerTLS is the status server's certificate.
type ServerTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // auto, text, json; default auto
}

// Source is one SentinelOne console.
type Source struct {
	Name          string            `yaml:"name"`
	Description   string            `yaml:"description"`
	BaseURL       string            `yaml:"base_url"`
	Token         Secret            `yaml:"token"`
	TokenFile     string            `yaml:"token_file"`
	SupportedAPIs []string          `yaml:"supported_apis"`
	Interval      time.Duration     `yaml:"interval" zero:"default"`
	Category      string            `yaml:"category"`
	Fields        map[string]string `yaml:"fields"`
	SiemForward   bool              `yaml:"siem_forward"`
	Profile       string            `yaml:"profile"`
	Lookback      time.Duration     `yaml:"lookback" zero:"default"`
	Delay         time.Duration     `yaml:"delay"`
	// Overlap is how far behind the checkpoint each poll reads again, so
	// records the console indexes late are not lost; what was delivered is
	// not delivered again. Nil until defaults apply (DefaultOverlap), so
	// "overlap: 0s" turns it off.
	Overlap  *time.Duration `yaml:"overlap"`
	FullSync time.Duration  `yaml:"full_sync_interval" zero:"default"`
	// FullSyncConcurrency caps the ranges of a full listing of agents
	// walked at once; 1 walks it with a single cursor. Within the cap the
	// listing walks as many as keep the console at its rate limit given
	// the latency of its pages (25 rps × ~1.4 s: about 45 at a real
	// console). Default DefaultFullSyncConcurrency.
	FullSyncConcurrency int             `yaml:"full_sync_concurrency"`
	SiteIDs             []string        `yaml:"site_ids"`
	AccountIDs          []string        `yaml:"account_ids"`
	Outputs             []string        `yaml:"outputs"`
	PageSize            int             `yaml:"page_size"`
	Timeout             time.Duration   `yaml:"timeout" zero:"default"`
	RateLimits          map[string]Rate `yaml:"rate_limits"`
	// HTTP holds TLS trust (ca_file), a client certificate and the proxy
	// for the console.
	HTTP *HTTP `yaml:"http"`

	// Origin is where the source was defined (a Sumo JSON file), for messages.
	Origin string `yaml:"-"`
}

// Rate is a per-endpoint request rate.
type Rate struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

// SumoSource loads Sumo Logic "SentinelOne Mgmt API" source definitions
// (JSON) from a file or a folder of them.
type SumoSource struct {
	Path    string   `yaml:"path"`
	Outputs []string `yaml:"outputs"`
}

// Output is one destination. Type selects which block applies.
type Output struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
	// Streams limits the output to some APIs (default: all the source sends).
	Streams      []string      `yaml:"streams"`
	HTTP         *HTTP         `yaml:"http"`
	File         *FileOutput   `yaml:"file"`
	SekoiaAssets *SekoiaAssets `yaml:"sekoia_assets"`
	SekoiaIntake *SekoiaIntake `yaml:"sekoia_intake"`
	Sumologic    *Sumologic    `yaml:"sumologic"`
	SplunkHEC    *SplunkHEC    `yaml:"splunk_hec"`
	Kafka        *Kafka        `yaml:"kafka"`
	Webhook      *Webhook      `yaml:"webhook"`
}

// HTTP is the client of an HTTP output.
type HTTP struct {
	Timeout            time.Duration `yaml:"timeout"`
	CAFile             string        `yaml:"ca_file"`
	CertFile           string        `yaml:"cert_file"`
	KeyFile            string        `yaml:"key_file"`
	InsecureSkipVerify bool          `yaml:"insecure_skip_verify"`
	ProxyURL           string        `yaml:"proxy_url"`
	// Redirects is none (default: a redirect is an error naming its
	// target) or same_host (outputs only: follow redirects to the same
	// scheme, host and port, never elsewhere).
	Redirects string `yaml:"redirects"`
}

// SekoiaAssets posts devices to a Sekoia.io asset connector.
type SekoiaAssets struct {
	BaseURL       string `yaml:"base_url"` // default https://api.sekoia.io
	ConnectorUUID string `yaml:"connector_uuid"`
	APIKey        Secret `yaml:"api_key"`
	BatchSize     int    `yaml:"batch_size"` // default and max 1000
	// TaskTimeout bounds the wait for a push's ingestion task; default 5m.
	TaskTimeout time.Duration `yaml:"task_timeout"`
	// MaxBytes bounds one push's body; default 5MiB, at least 64KiB.
	MaxBytes int64 `yaml:"max_bytes"`
}

// SekoiaIntake posts events to a Sekoia.io HTTP intake.
type SekoiaIntake struct {
	URL       string `yaml:"url"` // default https://intake.sekoia.io
	IntakeKey Secret `yaml:"intake_key"`
}

// Sumologic posts to a Sumo Logic HTTP source.
type Sumologic struct {
	URL      Secret `yaml:"url"`      // the HTTP source URL: it is the credential
	Category string `yaml:"category"` // default: the source's category
	Name     string `yaml:"name"`     // default: the source's name
	Host     string `yaml:"host"`     // default: the console's host
}

// SplunkHEC posts to a Splunk HTTP Event Collector.
type SplunkHEC struct {
	URL        string        `yaml:"url"` // e.g. https://splunk.example.com:8088
	Token      Secret        `yaml:"token"`
	Index      string        `yaml:"index"`
	Ack        bool          `yaml:"ack"`         // wait for indexer acknowledgement
	AckTimeout time.Duration `yaml:"ack_timeout"` // default 2m
	MaxBytes   int64         `yaml:"max_bytes"`   // per request; default 1MiB
}

// Kafka produces to Kafka topics.
type Kafka struct {
	Brokers []string `yaml:"brokers"`
	Topic   string   `yaml:"topic"` // default sentinelone.{stream}; {source} and {stream} are replaced
	// DeliveryTimeout bounds one delivery of a batch; default 30s.
	DeliveryTimeout time.Duration `yaml:"delivery_timeout"`
	// CreateTopics lets the brokers create missing topics; off by default,
	// so a typo in topic fails rather than creates a topic.
	CreateTopics bool       `yaml:"create_topics"`
	TLS          *KafkaTLS  `yaml:"tls"`  // set (even {}) for TLS
	SASL         *KafkaSASL `yaml:"sasl"` // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
}

// KafkaTLS turns TLS on for the brokers: the system's CAs and ca_file,
// a client certificate, checks off only when asked.
type KafkaTLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// KafkaSASL authenticates to the brokers.
type KafkaSASL struct {
	Mechanism string `yaml:"mechanism"`
	Username  string `yaml:"username"`
	Password  Secret `yaml:"password"`
}

// Webhook posts to any HTTP endpoint.
type Webhook struct {
	URL       string            `yaml:"url"`
	Format    string            `yaml:"format"` // ndjson (default) or json_array
	Gzip      bool              `yaml:"gzip"`
	Headers   map[string]Secret `yaml:"headers"`
	MaxBytes  int64             `yaml:"max_bytes"`  // per request; default 5MiB
	MaxEvents int               `yaml:"max_events"` // per request; default 1000
}

// FileOutput writes NDJSON files, one per source and stream.
type FileOutput struct {
	// Dir receives <source>/<stream>.ndjson.
	Dir string `yaml:"dir"`
	// MaxBytes rotates a file when it would grow past this size; 0 never.
	MaxBytes int64 `yaml:"max_bytes"`
	// Mode is the files' permissions, octal; default 0640. Folders get
	// the same plus search (x) where reading is allowed: 0750.
	Mode FileMode `yaml:"mode"`
}

// Default values.
const (
	DefaultInterval = 5 * time.Minute
	DefaultLookback = 24 * time.Hour
	DefaultFullSync = 24 * time.Hour
	DefaultOverlap  = 5 * time.Minute
	DefaultPageSize = 1000
	// DefaultFullSyncConcurrency is the most ranges of a full listing
	// walked at once: as many as validation allows, as the listing itself
	// walks only those that keep the console at its rate limit.
	DefaultFullSyncConcurrency = 64
	DefaultTimeout             = 60 * time.Second
	DefaultProfile             = "sekoia"
	DefaultState               = "s1collector.db"
)

// APIs are the supported_apis values, in collection order: alerts are the
// Unified Alerts (GraphQL); cloud_detection_alerts the legacy STAR alerts,
// collected only when asked for.
var APIs = []string{"agents", "activities", "threats", "alerts", "cloud_detection_alerts"}

// DefaultAPIs are collected when supported_apis is not given (as before
// alerts existed, so that configs written then do not change meaning).
var DefaultAPIs = []string{"agents", "activities", "threats"}

// RecommendedAPIs are what a new config collects: the defaults and the
// unified alerts; the legacy STAR alerts stay opt-in.
var RecommendedAPIs = []string{"agents", "activities", "threats", "alerts"}

func (c *Config) applyDefaults() {
	if c.State.Path == "" && c.State.Postgres == nil {
		c.State.Path = DefaultState
	}
	if c.State.Postgres != nil {
		c.State.Postgres.applyDefaults()
	}
	if c.Server.Listen == "" {
		c.Server.Listen = "127.0.0.1:9464"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "auto"
	}
	for i := range c.Sources {
		c.Sources[i].applyDefaults()
	}
	for i := range c.Outputs {
		c.Outputs[i].applyDefaults()
	}
}

func (s *Source) applyDefaults() {
	if len(s.SupportedAPIs) == 0 {
		s.SupportedAPIs = append([]string(nil), DefaultAPIs...)
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&s.Interval, DefaultInterval)
	set(&s.Lookback, DefaultLookback)
	set(&s.FullSync, DefaultFullSync)
	if s.Overlap == nil {
		o := DefaultOverlap
		s.Overlap = &o
	}
	set(&s.Timeout, DefaultTimeout)
	if s.PageSize == 0 {
		s.PageSize = DefaultPageSize
	}
	if s.FullSyncConcurrency == 0 {
		s.FullSyncConcurrency = DefaultFullSyncConcurrency
	}
	if s.Profile == "" {
		s.Profile = DefaultProfile
	}
}
