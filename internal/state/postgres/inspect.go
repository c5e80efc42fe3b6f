package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Info is what Inspect learns of the shared state.
type Info struct {
	Where  string // host:port/database
	Schema string
	// Version is the schema's version, 0 when it does not exist yet;
	// Known is the version this binary creates or migrates it to.
	Version, Known int
	Replicas       int // live
}

// Inspect connects and reads the schema's version and the live replicas,
// changing nothing: the schema is created or migrated by the first
// replica (or "once", "state") that opens the store, not by a check.
func Inspect(ctx context.Context, cfg Config) (Info, error) {
	pc, where, err := parse(&cfg)
	if err != nil {
		return Info{}, err
	}
	info := Info{Where: where, Schema: cfg.Schema, Known: len(migrations)}
	conn, err := pgx.ConnectConfig(ctx, pc.ConnConfig)
	if err != nil {
		return info, fmt.Errorf("state: PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{cfg.Schema}.Sanitize()
	var exists bool
	err = conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, ident+".schema_version").Scan(&exists)
	if err == nil && exists {
		err = conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+ident+`.schema_version`).Scan(&info.Version)
	}
	if err == nil && info.Version > 0 {
		err = conn.QueryRow(ctx, `SELECT count(*) FROM `+ident+`.replicas WHERE expires_at > now()`).Scan(&info.Replicas)
	}
	if err != nil {
		return info, fmt.Errorf("state: PostgreSQL at %s: schema %s unreadable: %w", where, cfg.Schema, err)
	}
	return info, nil
}
