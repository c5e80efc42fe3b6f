// Package collector assembles a running collector from a configuration:
// one API client per console, the outputs, the state store and a stream per
// source and API.
package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"s1collector/internal/config"
	"s1collector/internal/delivery"
	"s1collector/internal/pipeline"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/state/postgres"
	"s1collector/internal/transform"
)

// Options are what the environment provides.
type Options struct {
	Log        *slog.Logger
	Stdout     io.Writer    // for stdout outputs
	HTTPClient *http.Client // nil for a default one
	// Now is the streams' clock; nil for the console's (its client's
	// ConsoleNow: this host's time corrected by the console's Date).
	Now func() time.Time
	// DeliveryAttempts bounds how often a batch is offered to a failing
	// output before the cycle fails (checkpoint held); 0 retries until
	// stopped, as a daemon should.
	DeliveryAttempts int
	// StateAttempts bounds how often an unreachable PostgreSQL is tried at
	// start; 0 tries until ctx ends, as a daemon should.
	StateAttempts int
	// Version is the collector's, shown with this replica to the others.
	Version string
	// ConsoleRetry governs retries of console requests; zero for the
	// client's default (8 attempts). The connection test makes one.
	ConsoleRetry retry.Policy
	// TimeoutSetting names where the sources' timeout was set, for errors
	// of requests it ended; empty for the source's timeout setting.
	TimeoutSetting string
	// Store, when set, is used instead of opening the config's state file,
	// and Close leaves it open: a reload keeps the running process's.
	Store state.Store
	// ClientStats, by source name, are counters the sources' new clients
	// go on counting in: a reload keeps the running clients'.
	ClientStats map[string]*sentinelone.Stats
}

// Built is a collector ready to run.
type Built struct {
	Collector *pipeline.Collector
	Store     state.Store
	Outputs   map[string]delivery.Output
	Clients   map[string]*sentinelone.Client
	Config    *config.Config
	// Shared is set when the state is in PostgreSQL, shared by replicas.
	Shared   *Shared
	ownStore bool // Close closes Store
}

// Build opens the state store and assembles every stream. With the state
// in PostgreSQL, an unreachable server is retried until ctx ends (or
// opts.StateAttempts run out).
func Build(ctx context.Context, cfg *config.Config, opts Options) (*Built, error) {
	clients, err := Clients(cfg, opts)
	if err != nil {
		return nil, err
	}
	outputs, err := Outputs(cfg, opts)
	if err != nil {
		return nil, err
	}
	store, pg := opts.Store, (*postgres.Store)(nil)
	if store == nil {
		if store, pg, err = OpenState(ctx, cfg, opts.Log, opts.StateAttempts); err != nil {
			closeAll(outputs)
			return nil, err
		}
	} else {
		pg, _ = store.(*postgres.Store)
	}
	b := &Built{Store: store, Outputs: outputs, Clients: clients, Config: cfg, Collector: &pipeline.Collector{Log: opts.Log},
		ownStore: opts.Store == nil}
	for _, src := range cfg.Sources {
		for _, api := range src.SupportedAPIs {
			b.Collector.Streams = append(b.Collector.Streams, b.stream(src, sentinelone.Endpoint(api), opts))
		}
	}
	for _, s := range b.Collector.Streams { // their charts are kept where the checkpoints are
		s.Series = seriesOf(store)
	}
	if pg != nil {
		if err := b.share(pg, cfg.State.Postgres, opts); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// Scope is what a source's streams are limited to, as the console's
// filters name it: siteIds, accountIds.
func Scope(src config.Source) url.Values {
	scope := url.Values{}
	if len(src.SiteIDs) > 0 {
		scope.Set("siteIds", strings.Join(src.SiteIDs, ","))
	}
	if len(src.AccountIDs) > 0 {
		scope.Set("accountIds", strings.Join(src.AccountIDs, ","))
	}
	return scope
}

func (b *Built) stream(src config.Source, api sentinelone.Endpoint, opts Options) *pipeline.Stream {
	var outs []delivery.Output
	for _, name := range src.Outputs {
		for _, o := range b.Config.Outputs {
			if o.Name == name && o.AcceptsStream(string(api)) {
				outs = append(outs, b.Outputs[name])
			}
		}
	}
	scope := Scope(src)
	profile, _ := transform.ParseProfile(src.Profile)
	now := opts.Now
	if now == nil {
		now = b.Clients[src.Name].ConsoleNow // windows on the console's clock
	}
	return &pipeline.Stream{
		Source: delivery.SourceInfo{Name: src.Name, Category: src.Category, Fields: src.Fields, SiemForward: src.SiemForward,
			Host: consoleHost(src.BaseURL)},
		API: api, Lister: b.Clients[src.Name], Store: b.Store, Outputs: outs, Profile: profile,
		Interval: src.Interval, Lookback: src.Lookback, Delay: src.Delay, Overlap: *src.Overlap, FullSync: src.FullSync, Scope: scope,
		Concurrency: src.FullSyncConcurrency, Counter: b.Clients[src.Name], PageSize: src.PageSize,
		Now: now, Log: opts.Log.With("source", src.Name, "stream", string(api)),
		Status:         pipeline.NewStatus(src.Name, string(api)),
		Delivery:       retry.Policy{Initial: time.Second, Max: 5 * time.Minute, MaxAttempts: opts.DeliveryAttempts},
		MappingVersion: mappingVersion(outs),
		Delivered:      holdHook(string(api)),
	}
}

// seriesOf is the store's keeper of the streams' series, nil when it keeps
// none. Replicas write them unfenced (see postgres.Store.AddBuckets).
func seriesOf(st state.Store) pipeline.SeriesWriter {
	w, _ := st.(pipeline.SeriesWriter)
	return w
}

// Clients builds one API client per source. opts.HTTPClient, when set,
// replaces the HTTP client every source would build from its http block
// (tests); opts.Log, when set, hears what each client learns about its
// console; opts.ConsoleRetry governs their retries.
func Clients(cfg *config.Config, opts Options) (map[string]*sentinelone.Client, error) {
	out := map[string]*sentinelone.Client{}
	for _, src := range cfg.Sources {
		client := opts.HTTPClient
		if client == nil {
			var err error
			if client, err = httpClient(src.HTTP); err != nil {
				return nil, fmt.Errorf("source %s: %w", src.Name, err)
			}
			client.Timeout = 0 // the source's timeout bounds each request
		}
		limits := map[string]sentinelone.RateLimit{}
		for k, r := range src.RateLimits {
			limits[k] = sentinelone.RateLimit{Rate: r.Rate, Burst: r.Burst}
		}
		var clog *slog.Logger
		if opts.Log != nil {
			clog = opts.Log.With("source", src.Name)
		}
		c, err := sentinelone.New(sentinelone.Config{BaseURL: src.BaseURL, Token: src.Token.Value(), Timeout: src.Timeout,
			PageSize: src.PageSize, RateLimits: limits, UserAgent: "s1collector", Logger: clog, Retry: opts.ConsoleRetry,
			Stats: opts.ClientStats[src.Name], TimeoutSetting: opts.TimeoutSetting}, client)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", src.Name, err)
		}
		out[src.Name] = c
	}
	return out, nil
}

// Close flushes outputs and releases the state file, unless it was given.
func (b *Built) Close() error {
	err := closeAll(b.Outputs)
	if b.ownStore {
		err = errors.Join(err, b.Store.Close())
	}
	return err
}

func closeAll(outputs map[string]delivery.Output) error {
	var errs []error
	for _, o := range outputs {
		errs = append(errs, o.Close())
	}
	return errors.Join(errs...)
}

// consoleHost is the host of a console URL, for X-Sumo-Host and HEC host.
func consoleHost(baseURL string) string {
	norm, err := sentinelone.NormalizeBaseURL(baseURL)
	if err != nil {
		return ""
	}
	u, err := url.Parse(norm)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
