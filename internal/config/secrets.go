package config

import "strings"

// Secrets returns every secret value in the configuration: tokens, keys,
// Sumo Logic URLs, webhook header values, the PostgreSQL DSN and its
// password.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s Secret) {
		if len(s.Value()) >= 4 {
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

// Redactor returns a function that replaces every secret of the
// configuration with [redacted], for texts that may quote a peer's answer.
func (c *Config) Redactor() func(string) string {
	pairs := []string{}
	for _, s := range c.Secrets() {
		pairs = append(pairs, s, "[redacted]")
	}
	if len(pairs) == 0 {
		return func(s string) string { return s }
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}
