package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"s1collector/internal/retry"
	"s1collector/internal/state"
)

// Fenced is the store as one stream of one replica sees it while holding
// the stream's lease at an epoch. Its writes are refused with
// state.ErrNotOwner once the lease has passed on; while PostgreSQL cannot
// be reached they are retried with backoff (logged), so a restart of the
// server holds the stream instead of failing its cycle.
type Fenced struct {
	s     *Store
	key   string
	f     fence
	retry retry.Policy
	log   *slog.Logger
}

var _ state.Store = (*Fenced)(nil)

// Fenced returns the view of stream key for owner holding it at epoch.
func (s *Store) Fenced(key, owner string, epoch int64, log *slog.Logger) *Fenced {
	if log == nil {
		log = s.log
	}
	return &Fenced{s: s, key: key, f: fence{owner: owner, epoch: epoch}, log: log,
		retry: retry.Policy{Initial: 500 * time.Millisecond, Max: 10 * time.Second}}
}

// Load reads the checkpoint.
func (f *Fenced) Load(ctx context.Context, key string) (cp state.Checkpoint, err error) {
	err = f.do(ctx, "load checkpoint", func(ctx context.Context) error {
		cp, err = f.s.Load(ctx, key)
		return err
	})
	return cp, err
}

// Save writes the checkpoint if the lease is still held at the epoch.
func (f *Fenced) Save(ctx context.Context, key string, cp state.Checkpoint, seen ...state.Seen) error {
	if key != f.key {
		return fmt.Errorf("save checkpoint %s through the view of stream %s", key, f.key)
	}
	return f.do(ctx, "save checkpoint", func(ctx context.Context) error { return f.s.save(ctx, key, cp, seen, &f.f) })
}

// Missing compares device generations.
func (f *Fenced) Missing(ctx context.Context, source string, generation int64) (missing []string, err error) {
	err = f.do(ctx, "compare devices", func(ctx context.Context) error {
		missing, err = f.s.Missing(ctx, source, generation)
		return err
	})
	return missing, err
}

// Sweep forgets older device generations if the lease is still held.
func (f *Fenced) Sweep(ctx context.Context, source string, generation int64) error {
	return f.do(ctx, "sweep devices", func(ctx context.Context) error { return f.s.sweep(ctx, source, generation, f.key, &f.f) })
}

// All reads every checkpoint.
func (f *Fenced) All(ctx context.Context) (map[string]state.Checkpoint, error) { return f.s.All(ctx) }

// Delete is refused: a stream never deletes checkpoints.
func (f *Fenced) Delete(context.Context, string) error {
	return errors.New("a stream's view of the state cannot delete checkpoints")
}

// Close does nothing: the Store is closed by whoever opened it.
func (f *Fenced) Close() error { return nil }

// do runs op, again while PostgreSQL is unreachable, until ctx ends.
func (f *Fenced) do(ctx context.Context, what string, op func(context.Context) error) error {
	p := f.retry
	p.Notify = func(err error, attempt int, wait time.Duration) {
		f.log.Warn("PostgreSQL unreachable; "+what+" retried, stream held", "attempt", attempt,
			"retry_in", wait.Round(time.Millisecond).String(), "error", err)
	}
	err := p.Do(ctx, func(ctx context.Context) error {
		err := op(ctx)
		if err != nil && !Transient(err) {
			return retry.Permanent(err)
		}
		return err
	})
	if retry.IsPermanent(err) {
		err = errors.Unwrap(err)
	}
	return err
}

// Transient reports whether err may pass once PostgreSQL is reachable
// again: the connection failed or was cut, the server is starting or
// shutting down, out of resources, or a transaction lost a conflict. A
// refused write (state.ErrNotOwner), a cancelled context and the server's
// other answers (a missing table, a refused password) are not.
func Transient(err error) bool {
	var ff fixFirst
	if err == nil || errors.Is(err, state.ErrNotOwner) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ff) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "40", "53", "57", "58":
			return true
		}
		return false
	}
	return true
}
