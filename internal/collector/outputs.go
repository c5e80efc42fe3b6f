package collector

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"s1collector/internal/config"
	"s1collector/internal/delivery"
	"s1collector/internal/httpclient"
	"s1collector/internal/output/file"
	"s1collector/internal/output/kafka"
	"s1collector/internal/output/sekoia"
	"s1collector/internal/output/splunk"
	"s1collector/internal/output/stdout"
	"s1collector/internal/output/sumologic"
	"s1collector/internal/output/webhook"
)

// Outputs builds every configured output.
func Outputs(cfg *config.Config, opts Options) (map[string]delivery.Output, error) {
	out := map[string]delivery.Output{}
	for _, o := range cfg.Outputs {
		built, err := buildOutput(o, opts, routesOf(cfg, o))
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		out[o.Name] = built
	}
	return out, nil
}

func buildOutput(o config.Output, opts Options, routes []kafka.Route) (delivery.Output, error) {
	switch o.Type {
	case "stdout":
		return stdout.New(o.Name, opts.Stdout), nil
	case "file":
		return file.New(o.Name, file.Config{Dir: o.File.Dir, MaxBytes: o.File.MaxBytes, Mode: o.File.Mode.Perm()}, opts.Log.With("output", o.Name))
	case "kafka":
		return kafkaOutput(o, routes, opts.Log.With("output", o.Name))
	}
	client, err := httpClient(o.HTTP)
	if err != nil {
		return nil, err
	}
	switch o.Type {
	case "sekoia_assets":
		a := o.SekoiaAssets
		return sekoia.NewAssets(o.Name, sekoia.AssetsConfig{BaseURL: a.BaseURL, ConnectorUUID: a.ConnectorUUID,
			APIKey: a.APIKey.Value(), BatchSize: a.BatchSize, TaskTimeout: a.TaskTimeout, MaxBytes: int(a.MaxBytes)}, client, opts.Log.With("output", o.Name))
	case "sekoia_intake":
		return sekoia.NewIntake(o.Name, sekoia.IntakeConfig{URL: o.SekoiaIntake.URL, IntakeKey: o.SekoiaIntake.IntakeKey.Value()},
			client, opts.Log.With("output", o.Name))
	case "sumologic":
		s := o.Sumologic
		return sumologic.New(o.Name, sumologic.Config{URL: s.URL.Value(), Category: s.Category, Name: s.Name, Host: s.Host,
			Log: opts.Log.With("output", o.Name)}, client)
	case "splunk_hec":
		s := o.SplunkHEC
		return splunk.New(o.Name, splunk.Config{URL: s.URL, Token: s.Token.Value(), Index: s.Index, Ack: s.Ack,
			AckTimeout: s.AckTimeout, MaxBytes: int(s.MaxBytes)}, client, opts.Log.With("output", o.Name))
	case "webhook":
		w := o.Webhook
		headers := map[string]string{}
		for k, v := range w.Headers {
			headers[k] = v.Value()
		}
		return webhook.New(o.Name, webhook.Config{URL: w.URL, JSONArray: w.Format == "json_array", Gzip: w.Gzip,
			Headers: headers, MaxBytes: int(w.MaxBytes), MaxEvents: w.MaxEvents, Log: opts.Log.With("output", o.Name)}, client)
	}
	return nil, fmt.Errorf("unknown type %q", o.Type)
}

func httpClient(c *config.HTTP) (*http.Client, error) {
	if c == nil {
		c = &config.HTTP{}
	}
	redirects, err := httpclient.ParseRedirects(c.Redirects)
	if err != nil {
		return nil, err
	}
	return httpclient.NewClient(httpclient.Config{Timeout: c.Timeout, CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile,
		InsecureSkipVerify: c.InsecureSkipVerify, ProxyURL: c.ProxyURL, Redirects: redirects})
}

// routesOf are the sources and streams sent to an output.
func routesOf(cfg *config.Config, o config.Output) []kafka.Route {
	var out []kafka.Route
	for _, src := range cfg.Sources {
		if !slices.Contains(src.Outputs, o.Name) {
			continue
		}
		for _, api := range src.SupportedAPIs {
			if o.AcceptsStream(api) {
				out = append(out, kafka.Route{Source: src.Name, Stream: api})
			}
		}
	}
	return out
}

func kafkaOutput(o config.Output, routes []kafka.Route, log *slog.Logger) (delivery.Output, error) {
	k := o.Kafka
	cfg := kafka.Config{Brokers: k.Brokers, Topic: k.Topic, DeliveryTimeout: k.DeliveryTimeout, CreateTopics: k.CreateTopics, Routes: routes, Log: log}
	if k.TLS != nil {
		tlsCfg, err := httpclient.TLSConfig(httpclient.Config{CAFile: k.TLS.CAFile, CertFile: k.TLS.CertFile, KeyFile: k.TLS.KeyFile,
			InsecureSkipVerify: k.TLS.InsecureSkipVerify})
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		cfg.TLS = tlsCfg
	}
	if k.SASL != nil {
		cfg.SASL = kafka.SASL{Mechanism: k.SASL.Mechanism, Username: k.SASL.Username, Password: k.SASL.Password.Value()}
	}
	return kafka.New(o.Name, cfg)
}

// mapper is an output that maps devices its own way and names the version
// of that mapping.
type mapper interface{ MappingVersion() string }

// mappingVersion names how a stream's outputs map devices: each mapping
// output's name and version. A new version, or a new such output, makes
// the stream send every device again.
func mappingVersion(outs []delivery.Output) string {
	var parts []string
	for _, o := range outs {
		if m, ok := o.(mapper); ok {
			parts = append(parts, o.Name()+"="+m.MappingVersion())
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
