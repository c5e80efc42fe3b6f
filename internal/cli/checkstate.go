package cli

import (
	"context"
	"log/slog"

	"s1collector/internal/collector"
	"s1collector/internal/config"
)

// checkSharedState checks that PostgreSQL, when the state is there, can be
// reached and its schema used (creating or migrating it, as run would).
func checkSharedState(ctx context.Context, c *checker, cfg *config.Config) {
	st, pg, err := collector.OpenState(ctx, cfg, slog.New(slog.DiscardHandler), 1)
	if err != nil {
		c.fail("state: %v", err)
		return
	}
	defer st.Close()
	version, err := pg.SchemaVersion(ctx)
	if err != nil {
		c.fail("state: PostgreSQL at %s: schema %s unreadable: %v", pg.Where(), pg.Schema(), err)
		return
	}
	replicas, err := pg.Replicas(ctx)
	if err != nil {
		c.fail("state: %v", err)
		return
	}
	c.ok("state: PostgreSQL at %s reachable, schema %s at version %d, %d replica(s) running", pg.Where(), pg.Schema(), version, len(replicas))
}
