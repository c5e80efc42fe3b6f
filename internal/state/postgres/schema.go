package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema's versions, in order: version i+1 is
// migrations[i]. Never edit one that has shipped; append a new one.
// "{s}" is the schema, quoted.
var migrations = []string{
	`CREATE TABLE {s}.checkpoints (
		key        text PRIMARY KEY,
		checkpoint jsonb NOT NULL,
		saved_at   timestamptz NOT NULL DEFAULT now(),
		saved_by   text NOT NULL DEFAULT '', -- the replica, '' for tools
		epoch      bigint NOT NULL DEFAULT 0  -- of its lease
	);
	CREATE TABLE {s}.devices_seen (
		source     text NOT NULL,
		generation bigint NOT NULL,
		seq        bigint GENERATED ALWAYS AS IDENTITY,
		ids        text[] NOT NULL,
		PRIMARY KEY (source, generation, seq)
	);
	CREATE TABLE {s}.replicas (
		id         text PRIMARY KEY,
		host       text NOT NULL,
		pid        integer NOT NULL,
		version    text NOT NULL,
		started_at timestamptz NOT NULL,
		seen_at    timestamptz NOT NULL,
		expires_at timestamptz NOT NULL
	);
	CREATE TABLE {s}.leases (
		stream      text PRIMARY KEY,
		owner       text NOT NULL DEFAULT '',
		epoch       bigint NOT NULL DEFAULT 0,
		expires_at  timestamptz NOT NULL DEFAULT '-infinity',
		acquired_at timestamptz
	);`,
	// 2: what each stream did, ten minutes at a time (series.Bucket), so
	// the status page's charts survive restarts and handovers.
	`CREATE TABLE {s}.series (
		stream        text NOT NULL,
		start         timestamptz NOT NULL,
		delivered     bigint NOT NULL DEFAULT 0,
		cycles        bigint NOT NULL DEFAULT 0,
		failed        bigint NOT NULL DEFAULT 0,
		lag_seconds   double precision NOT NULL DEFAULT 0,
		last_delivery timestamptz,
		PRIMARY KEY (stream, start)
	);`,
}

// migrationLock is the first key of the advisory lock that serialises
// migrations (the second is the schema's hash): replicas starting at once
// migrate one after the other, and all but the first find nothing to do.
const migrationLock = 0x5331 // "S1"

// migrate creates the schema or brings it to the newest version, in one
// transaction under an advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, migrationLock, s.schema); err != nil {
			return err
		}
		ident := pgx.Identifier{s.schema}.Sanitize()
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
			return fmt.Errorf("create schema %s (the user needs CREATE on the database, or create the schema for it): %w", s.schema, err)
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+ident+`.schema_version (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`)
		if err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+ident+`.schema_version`).Scan(&current); err != nil {
			return err
		}
		if current > len(migrations) {
			return fixFirst{fmt.Errorf("schema %s is at version %d, newer than this s1collector knows (%d): run the same version on every replica", s.schema, current, len(migrations))}
		}
		for v := current + 1; v <= len(migrations); v++ {
			if _, err := tx.Exec(ctx, strings.ReplaceAll(migrations[v-1], "{s}", ident)); err != nil {
				return fmt.Errorf("migrate schema %s to version %d: %w", s.schema, v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+ident+`.schema_version (version) VALUES ($1)`, v); err != nil {
				return err
			}
			s.log.Info("state schema migrated", "schema", s.schema, "version", v)
		}
		return nil
	})
}

// SchemaVersion is the version the schema is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+pgx.Identifier{s.schema}.Sanitize()+`.schema_version`).Scan(&v)
	return v, err
}

// queries are the statements, with the schema filled in.
type queries struct {
	load, save, all, delete, revoke, markSeen, missing, sweep   string
	fence                                                       string
	heartbeat, addLeases, renew, replicas, leases, forget, lock string
	insertLease, acquire, release, leave                        string
}

func newQueries(schema string) queries {
	r := strings.NewReplacer("{s}", pgx.Identifier{schema}.Sanitize())
	q := queries{
		load: `SELECT checkpoint FROM {s}.checkpoints WHERE key = $1`,
		save: `INSERT INTO {s}.checkpoints (key, checkpoint, saved_at, saved_by, epoch) VALUES ($1, $2, now(), $3, $4)
			ON CONFLICT (key) DO UPDATE SET checkpoint = excluded.checkpoint, saved_at = excluded.saved_at, saved_by = excluded.saved_by, epoch = excluded.epoch`,
		all:      `SELECT key, checkpoint FROM {s}.checkpoints`,
		delete:   `DELETE FROM {s}.checkpoints WHERE key = $1`,
		revoke:   `UPDATE {s}.leases SET owner = '', epoch = epoch + 1, expires_at = now() WHERE stream = $1`,
		markSeen: `INSERT INTO {s}.devices_seen (source, generation, ids) VALUES ($1, $2, $3)`,
		missing: `SELECT id FROM (
				SELECT unnest(ids) AS id FROM {s}.devices_seen WHERE source = $1 AND generation < $2
				EXCEPT
				SELECT unnest(ids) FROM {s}.devices_seen WHERE source = $1 AND generation >= $2
			) gone ORDER BY id COLLATE "C"`,
		sweep: `DELETE FROM {s}.devices_seen WHERE source = $1 AND generation < $2`,
		fence: `SELECT 1 FROM {s}.leases WHERE stream = $1 AND owner = $2 AND epoch = $3 FOR SHARE`,
		heartbeat: `INSERT INTO {s}.replicas (id, host, pid, version, started_at, seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, now(), now() + $6 * interval '1 microsecond')
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
		addLeases: `INSERT INTO {s}.leases (stream) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
		renew: `UPDATE {s}.leases l SET expires_at = now() + $2 * interval '1 microsecond'
			FROM unnest($3::text[], $4::bigint[]) AS h(stream, epoch)
			WHERE l.stream = h.stream AND l.epoch = h.epoch AND l.owner = $1
			RETURNING l.stream, l.epoch`,
		replicas: `SELECT id, host, pid, version, started_at FROM {s}.replicas WHERE expires_at > now() ORDER BY id`,
		leases: `SELECT stream, owner, epoch,
				CASE WHEN expires_at > now() THEN (extract(epoch FROM expires_at - now()) * 1000000)::bigint ELSE 0 END
			FROM {s}.leases WHERE stream = ANY($1) ORDER BY stream`,
		forget:      `DELETE FROM {s}.replicas WHERE expires_at < now() - interval '1 day'`,
		insertLease: `INSERT INTO {s}.leases (stream) VALUES ($1) ON CONFLICT DO NOTHING`,
		lock:        `SELECT owner, expires_at > now() FROM {s}.leases WHERE stream = $1 FOR UPDATE`,
		acquire: `UPDATE {s}.leases SET owner = $2, epoch = epoch + 1, expires_at = now() + $3 * interval '1 microsecond', acquired_at = now()
			WHERE stream = $1 RETURNING epoch`,
		release: `UPDATE {s}.leases SET owner = '', expires_at = now() WHERE stream = $1 AND owner = $2 AND epoch = $3`,
		leave:   `DELETE FROM {s}.replicas WHERE id = $1`,
	}
	for _, p := range []*string{&q.load, &q.save, &q.all, &q.delete, &q.revoke, &q.markSeen, &q.missing, &q.sweep, &q.fence,
		&q.heartbeat, &q.addLeases, &q.renew, &q.replicas, &q.leases, &q.forget, &q.lock,
		&q.insertLease, &q.acquire, &q.release, &q.leave} {
		*p = r.Replace(*p)
	}
	return q
}
