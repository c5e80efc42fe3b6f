package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/kafka"
	"s1collector/internal/output/sumologic"
)

// OutputTypes are the output types, each with its block of the same name.
var OutputTypes = []string{"stdout", "file", "sekoia_assets", "sekoia_intake", "sumologic", "splunk_hec", "kafka", "webhook"}

// block returns the type-specific block that is set, by name.
func (o Output) blocks() map[string]bool {
	return map[string]bool{"file": o.File != nil, "sekoia_assets": o.SekoiaAssets != nil, "sekoia_intake": o.SekoiaIntake != nil,
		"sumologic": o.Sumologic != nil, "splunk_hec": o.SplunkHEC != nil, "kafka": o.Kafka != nil, "webhook": o.Webhook != nil}
}

// AcceptsStream reports whether the output takes a stream.
func (o Output) AcceptsStream(stream string) bool {
	return len(o.Streams) == 0 || slices.Contains(o.Streams, stream)
}

func (o *Output) applyDefaults() {
	if o.File != nil && o.File.Mode == 0 {
		o.File.Mode = DefaultFileMode
	}
	if o.Type == "sekoia_assets" && len(o.Streams) == 0 {
		o.Streams = []string{"agents"}
	}
}

func (o Output) validateType(v *validator, path string) {
	if o.Type == "" {
		v.add(path+".type", "is required: one of %s", strings.Join(OutputTypes, ", "))
		return
	}
	if !slices.Contains(OutputTypes, o.Type) {
		v.add(path+".type", "%q is not one of %s", o.Type, strings.Join(OutputTypes, ", "))
		return
	}
	for name, set := range o.blocks() {
		if set && name != o.Type {
			v.add(path+"."+name, "is for type %s, not %s", name, o.Type)
		}
	}
	if o.Type != "stdout" && !o.blocks()[o.Type] {
		v.add(path+"."+o.Type, "is required for a %s output", o.Type)
		return
	}
	if o.HTTP != nil && slices.Contains([]string{"stdout", "file", "kafka"}, o.Type) {
		v.add(path+".http", "is only for HTTP outputs")
	}
	if o.HTTP != nil && !slices.Contains([]string{"", "none", "same_host"}, o.HTTP.Redirects) {
		v.add(path+".http.redirects", "%q is not none or same_host", o.HTTP.Redirects)
	}
	for j, s := range o.Streams {
		if !slices.Contains(APIs, s) {
			v.add(fmt.Sprintf("%s.streams[%d]", path, j), "%q is not one of %s", s, strings.Join(APIs, ", "))
		}
	}
	o.validateBlock(v, path)
}

func (o Output) validateBlock(v *validator, path string) {
	p := path + "." + o.Type
	switch o.Type {
	case "file":
		if o.File.Dir == "" {
			v.add(p+".dir", "is required for a file output")
		}
		if o.File.MaxBytes < 0 {
			v.add(p+".max_bytes", "must not be negative")
		}
		if m := o.File.Mode; m&0o600 != 0o600 {
			v.add(p+".mode", "%s does not let the collector read and write its files: use 0600, 0640 or 0644", m)
		}
	case "sekoia_assets":
		a := o.SekoiaAssets
		checkURL(v, p+".base_url", a.BaseURL, false)
		require(v, p+".connector_uuid", a.ConnectorUUID != "")
		require(v, p+".api_key", a.APIKey.IsSet())
		if a.BatchSize < 0 || a.BatchSize > 1000 {
			v.add(p+".batch_size", "%d is outside 1–1000", a.BatchSize)
		}
		if a.TaskTimeout < 0 {
			v.add(p+".task_timeout", "must not be negative")
		}
		if a.MaxBytes != 0 && a.MaxBytes < 64<<10 {
			v.add(p+".max_bytes", "%d is under 64KiB: an asset item alone may take that", a.MaxBytes)
		}
		if !slices.Equal(o.Streams, []string{"agents"}) {
			v.add(path+".streams", "a Sekoia.io asset connector takes devices only: streams must be [agents]")
		}
	case "sekoia_intake":
		checkURL(v, p+".url", o.SekoiaIntake.URL, false)
		require(v, p+".intake_key", o.SekoiaIntake.IntakeKey.IsSet())
	case "sumologic":
		checkURL(v, p+".url", o.Sumologic.URL.Value(), true)
	case "splunk_hec":
		checkURL(v, p+".url", o.SplunkHEC.URL, true)
		require(v, p+".token", o.SplunkHEC.Token.IsSet())
		if o.SplunkHEC.AckTimeout < 0 || o.SplunkHEC.MaxBytes < 0 {
			v.add(p, "ack_timeout and max_bytes must not be negative")
		}
	case "kafka":
		o.Kafka.validate(v, p)
	case "webhook":
		checkURL(v, p+".url", o.Webhook.URL, true)
		if !slices.Contains([]string{"", "ndjson", "json_array"}, o.Webhook.Format) {
			v.add(p+".format", "%q is not ndjson or json_array", o.Webhook.Format)
		}
		if o.Webhook.MaxBytes < 0 || o.Webhook.MaxEvents < 0 {
			v.add(p, "max_bytes and max_events must not be negative")
		}
	}
}

func (k *Kafka) validate(v *validator, p string) {
	if len(k.Brokers) == 0 {
		v.add(p+".brokers", "is required: host:port of at least one broker")
	}
	if k.DeliveryTimeout != 0 && k.DeliveryTimeout < time.Second {
		v.add(p+".delivery_timeout", "%s is under 1s", fmtDuration(k.DeliveryTimeout))
	}
	if t := k.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
		v.add(p+".tls", "cert_file and key_file go together")
	}
	if s := k.SASL; s != nil {
		if !slices.Contains(kafka.SASLMechanisms, s.Mechanism) {
			v.add(p+".sasl.mechanism", "%q is not one of %s", s.Mechanism, strings.Join(kafka.SASLMechanisms, ", "))
		}
		require(v, p+".sasl.username", s.Username != "")
		require(v, p+".sasl.password", s.Password.IsSet())
	}
}

func require(v *validator, path string, ok bool) {
	if !ok {
		v.add(path, "is required")
	}
}

// checkURL accepts http(s) URLs; an empty one only when optional (a default
// applies). The URL itself is not shown: some carry a secret.
func checkURL(v *validator, path, raw string, required bool) {
	if raw == "" {
		if required {
			v.add(path, "is required")
		}
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.add(path, "is not an http(s) URL")
	}
}

// validateSumoFields refuses sources whose fields would break Sumo Logic's
// limits on X-Sumo-Fields in a request of any stream they send to a Sumo
// Logic output: the request would be refused, or its fields dropped.
func (c *Config) validateSumoFields(v *validator) {
	for i, s := range c.Sources {
		info := delivery.SourceInfo{Fields: s.Fields, SiemForward: s.SiemForward}
		for _, o := range c.Outputs {
			if o.Type != "sumologic" || !slices.Contains(s.Outputs, o.Name) {
				continue
			}
			reported := map[string]bool{}
			for _, api := range s.SupportedAPIs {
				if !o.AcceptsStream(api) {
					continue
				}
				for _, p := range sumologic.CheckFields(info, api) {
					path := sourcePath(s, i) + ".fields"
					if p.Key != "" {
						path += "." + p.Key
					}
					if !reported[path] {
						reported[path] = true
						v.add(path, "%s (output %s)", p.Msg, o.Name)
					}
				}
			}
		}
	}
}
