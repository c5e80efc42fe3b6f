package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/server"
)

// tokenCheckPeriod is how often tokens' expiry is checked.
const tokenCheckPeriod = 24 * time.Hour

// effectiveListen is where the status server listens: --listen, else the
// config's server.listen; "off" for none.
func effectiveListen(flag string, cfg *config.Config) string {
	if flag != "" {
		return flag
	}
	return cfg.Server.Listen
}

// startServer serves the status of a built collector on listen; nil when
// listen is "off".
func startServer(listen, version string, b *collector.Built, tokens *collector.Tokens, redact func(string) string, log *slog.Logger) (*server.Server, error) {
	if listen == "off" {
		return nil, nil
	}
	sc := b.Config.Server
	scfg := server.Config{Listen: listen, Hosts: sc.Hosts, Auth: serverAuth(sc.Auth), Version: version, Sources: serverSources(b),
		Clients: b.Clients, Tokens: tokens, Redact: redact, Log: log}
	if sc.TLS != nil {
		scfg.CertFile, scfg.KeyFile = sc.TLS.CertFile, sc.TLS.KeyFile
	}
	if b.Shared != nil {
		scfg.Cluster = b.Shared.Leases
	}
	scfg.Series, _ = b.Store.(server.SeriesReader)
	srv, err := server.New(scfg)
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("status server on %s: %w (set server.listen to a free address, or off)", listen, err)
	}
	log.Info("status page, /metrics, /healthz and /readyz are served", "url", srv.URL())
	return srv, nil
}

func stopServer(srv *server.Server) {
	if srv == nil {
		return
	}
	ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	srv.Shutdown(ctx)
}

// serverSources groups a collector's streams by source, in config order.
func serverSources(b *collector.Built) []server.Source {
	var sources []server.Source
	for _, src := range b.Config.Sources {
		s := server.Source{Name: src.Name}
		for _, st := range b.Collector.Streams {
			if st.Source.Name == src.Name {
				s.Streams = append(s.Streams, st)
			}
		}
		sources = append(sources, s)
	}
	return sources
}

// operations starts the token watch and the status server of a built
// collector (demo). It returns the server's address ("" when off) and a
// function that stops them.
func operations(ctx context.Context, b *collector.Built, cfg *config.Config, listen, version string, log *slog.Logger) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	tokens := collector.NewTokens()
	go tokens.Watch(ctx, b.Clients, log, tokenCheckPeriod)
	srv, err := startServer(effectiveListen(listen, cfg), version, b, tokens, cfg.Redactor(), log)
	if err != nil {
		cancel()
		return "", nil, err
	}
	if srv == nil {
		return "", cancel, nil
	}
	return srv.Addr(), func() {
		cancel()
		stopServer(srv)
	}, nil
}

func serverAuth(a *config.ServerAuth) server.Auth {
	if a == nil {
		return server.Auth{}
	}
	return server.Auth{BearerToken: a.BearerToken.Value(), Username: a.Username, Password: a.Password.Value()}
}
