package config

import (
	"net/url"

	"s1collector/internal/scrub"
)

// placeholder is the example's token: not a secret.
const placeholder = "********"

// Secrets returns every secret value in the configuration: tokens, keys,
// Sumo Logic URLs, webhook header values, the PostgreSQL DSN and its
// password.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s Secret) {
		if len(s.Value()) >= 4 && s.Value() != placeholder {
			out = append(out, s.Value())
		}
	}
	for _, s := range c.Sources {
		add(s.Token)
	}
	if p := c.State.Postgres; p != nil && p.DSN.IsSet() {
		for _, s := range dsnSecrets(p.DSN.Value()) {
			add(NewSecret(s))
		}
	}
	for _, h := range c.httpBlocks() {
		if u, err := url.Parse(h.ProxyURL); err == nil && u.User != nil {
			add(NewSecret(u.User.String()))
		}
	}
	if a := c.Server.Auth; a != nil {
		add(a.BearerToken)
		add(a.Password)
	}
	for _, o := range c.Outputs {
		switch {
		case o.SekoiaAssets != nil:
			add(o.SekoiaAssets.APIKey)
		case o.SekoiaIntake != nil:
			add(o.SekoiaIntake.IntakeKey)
		case o.Sumologic != nil:
			add(o.Sumologic.URL)
		case o.SplunkHEC != nil:
			add(o.SplunkHEC.Token)
		case o.Kafka != nil && o.Kafka.SASL != nil:
			add(o.Kafka.SASL.Password)
		case o.Webhook != nil:
			for _, v := range o.Webhook.Headers {
				add(v)
			}
		}
	}
	return out
}

// Scrubber returns the redactor of every secret of the configuration, in
// every form a peer may echo it.
func (c *Config) Scrubber() *scrub.Redactor { return scrub.New(c.Secrets()...) }

// Redactor returns a function that makes a text safe to show: every
// secret of the configuration replaced with [redacted] and control
// characters escaped, for texts that may quote a peer's answer.
func (c *Config) Redactor() func(string) string { return c.Scrubber().Line }

// httpBlocks are the http settings of every source and output.
func (c *Config) httpBlocks() []*HTTP {
	var out []*HTTP
	for _, s := range c.Sources {
		if s.HTTP != nil {
			out = append(out, s.HTTP)
		}
	}
	for _, o := range c.Outputs {
		if o.HTTP != nil {
			out = append(out, o.HTTP)
		}
	}
	return out
}
