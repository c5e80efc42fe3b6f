package cli

import (
	"context"

	"s1collector/internal/config"
	"s1collector/internal/state/postgres"
)

// checkSharedState checks that PostgreSQL, when the state is there, can be
// reached and its schema used. It changes nothing: a schema not created
// yet, or older than this version, is created or migrated by run.
func checkSharedState(ctx context.Context, c *checker, cfg *config.Config) {
	p := cfg.State.Postgres
	info, err := postgres.Inspect(ctx, postgres.Config{DSN: p.DSN.Value(), Schema: p.Schema})
	if err != nil {
		if hint := postgres.Hint(err); hint != "" {
			c.fail("state: %v — %s", err, hint)
			return
		}
		c.fail("state: %v", err)
		return
	}
	switch {
	case info.Version == 0:
		c.ok("state: PostgreSQL at %s reachable; schema %s not created yet: the first run creates it (the user needs CREATE on the database)",
			info.Where, info.Schema)
	case info.Version > info.Known:
		c.fail("state: PostgreSQL at %s: schema %s is at version %d, newer than this s1collector knows (%d): run the same version on every replica",
			info.Where, info.Schema, info.Version, info.Known)
	case info.Version < info.Known:
		c.ok("state: PostgreSQL at %s reachable, schema %s at version %d: run migrates it to %d; %d replica(s) running",
			info.Where, info.Schema, info.Version, info.Known, info.Replicas)
	default:
		c.ok("state: PostgreSQL at %s reachable, schema %s at version %d, %d replica(s) running", info.Where, info.Schema, info.Version, info.Replicas)
	}
}
