// Package postgres keeps the collector's state in PostgreSQL, shared by
// several replicas: checkpoints (as JSON, so they follow state.Checkpoint
// as it grows), the devices seen by full listings, the live replicas and
// the stream leases. Every checkpoint write of a replica goes through a
// fenced view that refuses it, in the same transaction, once the stream's
// lease has passed to another replica.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"s1collector/internal/state"
)

// Config says which database and schema hold the state.
type Config struct {
	// DSN is a PostgreSQL connection string (URL or key=value). It holds a
	// password: it is never printed, and neither are errors quoting it.
	DSN string
	// Schema holds the tables; created when absent. Default s1collector.
	Schema string
	// ConnectTimeout bounds one connection attempt. Default 10s.
	ConnectTimeout time.Duration
	Log            *slog.Logger
}

// DefaultSchema is the schema the tables live in unless told otherwise.
const DefaultSchema = "s1collector"

var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	if c.DSN == "" {
		return errors.New("state.postgres.dsn is empty")
	}
	if c.Schema != "" && !schemaPattern.MatchString(c.Schema) {
		return fmt.Errorf("state.postgres.schema %q: use lower-case letters, digits and _", c.Schema)
	}
	return nil
}

// Store is the state in PostgreSQL. It is a state.Store (unfenced, for
// tools such as "state show") and a lease.Table; streams write through
// Fenced views.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	q      queries
	log    *slog.Logger
	where  string // host:port/database, for messages; never the DSN
}

// Open connects and creates or migrates the schema. An unreachable server
// is an error: callers retry as they see fit.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fixFirst{err}
	}
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pc, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		// pgx's message quotes the connection string, and an URL parse
		// error quotes it whole: say what is wrong without it.
		return nil, fixFirst{errors.New("state.postgres.dsn is not a valid PostgreSQL connection string: " +
			"write postgres://USER:PASSWORD@HOST:5432/DATABASE or host=HOST user=USER password=PASSWORD dbname=DATABASE")}
	}
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = cmpOr(cfg.ConnectTimeout, 10*time.Second)
	}
	if _, ok := pc.ConnConfig.RuntimeParams["application_name"]; !ok {
		pc.ConnConfig.RuntimeParams["application_name"] = "s1collector"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("state: PostgreSQL: %w", err)
	}
	s := &Store{pool: pool, schema: cfg.Schema, q: newQueries(cfg.Schema), log: cfg.Log,
		where: fmt.Sprintf("%s:%d/%s", pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database)}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("state: PostgreSQL at %s: %w", s.where, err)
	}
	return s, nil
}

// fixFirst is an error trying again cannot cure: a setting to change, a
// replica to upgrade.
type fixFirst struct{ error }

func (e fixFirst) Unwrap() error { return e.error }

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Where is host:port/database, for messages.
func (s *Store) Where() string { return s.where }

// Schema is the schema holding the tables.
func (s *Store) Schema() string { return s.schema }

// Load returns the checkpoint of key, or a zero one.
func (s *Store) Load(ctx context.Context, key string) (state.Checkpoint, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, s.q.load, key).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return state.Checkpoint{}, nil
	}
	if err != nil {
		return state.Checkpoint{}, fmt.Errorf("load checkpoint %s from PostgreSQL: %w", key, err)
	}
	var cp state.Checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil {
		return state.Checkpoint{}, fmt.Errorf("checkpoint %s in PostgreSQL is not readable: %w", key, err)
	}
	return cp, nil
}

// Save writes the checkpoint, and marks seen devices, in one transaction,
// without asking who holds the stream: streams save through Fenced.
func (s *Store) Save(ctx context.Context, key string, cp state.Checkpoint, seen ...state.Seen) error {
	return s.save(ctx, key, cp, seen, nil)
}

// fence is the lease a write is conditional on.
type fence struct {
	owner string
	epoch int64
}

func (s *Store) save(ctx context.Context, key string, cp state.Checkpoint, seen []state.Seen, f *fence) error {
	cp.SavedAt = time.Now().UTC()
	v, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	var by fence
	if f != nil {
		by = *f
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if f != nil {
			if err := s.checkFence(ctx, tx, key, *f); err != nil {
				return err
			}
		}
		for _, sn := range seen {
			if _, err := tx.Exec(ctx, s.q.markSeen, sn.Source, sn.Generation, sn.IDs); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, s.q.save, key, v, by.owner, by.epoch)
		return err
	})
	if err != nil {
		return fmt.Errorf("save checkpoint %s to PostgreSQL: %w", key, err)
	}
	return nil
}

// checkFence locks the stream's lease row against a takeover until the
// transaction ends, or refuses when the lease is no longer f.
func (s *Store) checkFence(ctx context.Context, tx pgx.Tx, key string, f fence) error {
	var one int
	err := tx.QueryRow(ctx, s.q.fence, key, f.owner, f.epoch).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return state.ErrNotOwner
	}
	return err
}

// All returns every checkpoint.
func (s *Store) All(ctx context.Context) (map[string]state.Checkpoint, error) {
	rows, err := s.pool.Query(ctx, s.q.all)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints from PostgreSQL: %w", err)
	}
	out := map[string]state.Checkpoint{}
	var key string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &raw}, func() error {
		var cp state.Checkpoint
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("checkpoint %s: %w", key, err)
		}
		out[key] = cp
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read checkpoints from PostgreSQL: %w", err)
	}
	return out, nil
}

// Delete removes a checkpoint and takes the stream's lease away from
// whoever holds it (a new epoch), in one transaction: a replica running
// the stream cannot write the old checkpoint back; it stands down and the
// stream starts over wherever it is taken next.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.q.revoke, key); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, s.q.delete, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete checkpoint %s from PostgreSQL: %w", key, err)
	}
	return nil
}

// Missing returns, sorted as Go compares strings, the devices older
// generations of source saw and the given one has not.
func (s *Store) Missing(ctx context.Context, source string, generation int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, s.q.missing, source, generation)
	if err != nil {
		return nil, fmt.Errorf("devices missing from %s in PostgreSQL: %w", source, err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("devices missing from %s in PostgreSQL: %w", source, err)
	}
	return missing, nil
}

// Sweep forgets the devices seen by generations older than the given one.
func (s *Store) Sweep(ctx context.Context, source string, generation int64) error {
	return s.sweep(ctx, source, generation, "", nil)
}

func (s *Store) sweep(ctx context.Context, source string, generation int64, key string, f *fence) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if f != nil {
			if err := s.checkFence(ctx, tx, key, *f); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, s.q.sweep, source, generation)
		return err
	})
	if err != nil {
		return fmt.Errorf("sweep devices of %s in PostgreSQL: %w", source, err)
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
