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

// operations starts the token watch and the status server of a built
// collector. It returns the server's address ("" when off) and a function
// that stops them.
func operations(ctx context.Context, b *collector.Built, cfg *config.Config, listen, version string, log *slog.Logger) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	tokens := collector.NewTokens()
	go tokens.Watch(ctx, b.Clients, log, tokenCheckPeriod)
	if listen == "" {
		listen = cfg.Server.Listen
	}
	if listen == "off" {
		return "", cancel, nil
	}
	var sources []server.Source
	for _, src := range cfg.Sources {
		s := server.Source{Name: src.Name}
		for _, st := range b.Collector.Streams {
			if st.Source.Name == src.Name {
				s.Streams = append(s.Streams, st)
			}
		}
		sources = append(sources, s)
	}
	srv, err := server.New(server.Config{Listen: listen, Hosts: cfg.Server.Hosts, Auth: serverAuth(cfg.Server.Auth),
		CertFile: serverTLS(cfg.Server.TLS).CertFile, KeyFile: serverTLS(cfg.Server.TLS).KeyFile,
		Version: version, Sources: sources, Clients: b.Clients, Tokens: tokens, Redact: cfg.Redactor(), Log: log})
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		cancel()
		return "", nil, fmt.Errorf("status server on %s: %w (set server.listen, or off)", listen, err)
	}
	log.Info("status page, /metrics, /healthz and /readyz are served", "url", srv.URL())
	return srv.Addr(), func() {
		cancel()
		sctx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		srv.Shutdown(sctx)
	}, nil
}

func serverAuth(a *config.ServerAuth) server.Auth {
	if a == nil {
		return server.Auth{}
	}
	return server.Auth{BearerToken: a.BearerToken.Value(), Username: a.Username, Password: a.Password.Value()}
}

func serverTLS(t *config.ServerTLS) config.ServerTLS {
	if t == nil {
		return config.ServerTLS{}
	}
	return *t
}
