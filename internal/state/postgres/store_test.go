package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"s1collector/internal/lease"
	"s1collector/internal/lease/leasetest"
	"s1collector/internal/pgtest"
	"s1collector/internal/state"
	"s1collector/internal/state/statetest"
)

// open opens a store on a fresh schema of the test server.
func open(t *testing.T) *Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := Open(t.Context(), Config{DSN: dsn, Schema: pgtest.Schema(t, dsn)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStoreSuite holds PostgreSQL to the behaviour every store shares.
func TestStoreSuite(t *testing.T) {
	statetest.Run(t, func(t *testing.T) func() (state.Store, error) {
		dsn := pgtest.DSN(t)
		cfg := Config{DSN: dsn, Schema: pgtest.Schema(t, dsn)}
		return func() (state.Store, error) { return Open(context.Background(), cfg) }
	})
}

// TestLeaseTable holds PostgreSQL to what every lease table does.
func TestLeaseTable(t *testing.T) {
	leasetest.RunTable(t, func(t *testing.T) lease.Table { return open(t) })
}

// TestFencedWriteRefusedAfterTakeover: a replica whose lease expired and
// was taken over cannot move the checkpoint, nor sweep devices; the new
// owner can.
func TestFencedWriteRefusedAfterTakeover(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	key := state.Key("prod", "agents")
	e1, _, ok, err := s.Acquire(ctx, "a", key, 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	a := s.Fenced(key, "a", e1, nil)
	if err := a.Save(ctx, key, state.Checkpoint{Delivered: 1}, state.Seen{Source: "prod", IDs: []string{"1"}, Generation: 1}); err != nil {
		t.Fatalf("owner's save: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	e2, prev, ok, err := s.Acquire(ctx, "b", key, time.Minute)
	if err != nil || !ok || prev != "a" || e2 != e1+1 {
		t.Fatalf("takeover: %d %q %v %v", e2, prev, ok, err)
	}
	err = a.Save(ctx, key, state.Checkpoint{Delivered: 99})
	if !errors.Is(err, state.ErrNotOwner) {
		t.Fatalf("old owner's save after the takeover: %v", err)
	}
	if err := a.Sweep(ctx, "prod", 2); !errors.Is(err, state.ErrNotOwner) {
		t.Fatalf("old owner's sweep after the takeover: %v", err)
	}
	if cp, _ := s.Load(ctx, key); cp.Delivered != 1 {
		t.Fatalf("checkpoint moved by the old owner: %+v", cp)
	}
	b := s.Fenced(key, "b", e2, nil)
	if err := b.Save(ctx, key, state.Checkpoint{Delivered: 2}); err != nil {
		t.Fatalf("new owner's save: %v", err)
	}
	if err := a.Save(ctx, "prod/threats", state.Checkpoint{}); err == nil {
		t.Fatal("a stream's view wrote another stream's checkpoint")
	}
}

// TestResetFencesTheOwner: while the owner saves as fast as it can, a
// reset (state reset) deletes the checkpoint; from then on every save of
// the owner is refused, so the reset is never undone.
func TestResetFencesTheOwner(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	key := state.Key("prod", "activities")
	e, _, _, err := s.Acquire(ctx, "a", key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	a := s.Fenced(key, "a", e, nil)
	var wg sync.WaitGroup
	refused := make(chan error, 1)
	stop := make(chan struct{})
	wg.Go(func() {
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := a.Save(ctx, key, state.Checkpoint{Delivered: i}); err != nil {
				refused <- err
				return
			}
		}
	})
	time.Sleep(100 * time.Millisecond)
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-refused:
		if !errors.Is(err, state.ErrNotOwner) {
			t.Fatalf("owner's save after the reset: %v", err)
		}
	case <-time.After(10 * time.Second):
		close(stop)
		t.Fatal("the owner kept saving after the reset")
	}
	wg.Wait()
	if cp, _ := s.Load(ctx, key); !cp.IsZero() {
		t.Fatalf("reset undone by the owner: %+v", cp)
	}
}

// TestReplicasStartingAtOnceMigrateOnce: five replicas open a new schema
// at the same moment; all start, the schema is at the newest version once.
func TestReplicasStartingAtOnceMigrateOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	cfg := Config{DSN: dsn, Schema: pgtest.Schema(t, dsn)}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Go(func() {
			s, err := Open(t.Context(), cfg)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent start: %v", err)
		}
	}
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var versions int
	s.pool.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{cfg.Schema}.Sanitize()+`.schema_version`).Scan(&versions)
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != len(migrations) || versions != len(migrations) {
		t.Fatalf("schema version %d (%d rows), want %d: %v", v, versions, len(migrations), err)
	}
	s.pool.Exec(t.Context(), `INSERT INTO `+pgx.Identifier{cfg.Schema}.Sanitize()+`.schema_version (version) VALUES ($1)`, len(migrations)+1)
	_, err = Open(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "newer than this s1collector") || Transient(err) {
		t.Fatalf("a schema from a newer version: %v (transient: %v)", err, Transient(err))
	}
}

// TestDSNNeverInErrors: neither a malformed DSN nor a refused connection
// puts the password (or the DSN) in the error.
func TestDSNNeverInErrors(t *testing.T) {
	for _, dsn := range []string{
		"postgres://collector:Pw-s3cret-42@127.0.0.1:notaport/db",
		"host=127.0.0.1 port=1 user=collector password=Pw-s3cret-42 dbname=db connect_timeout=2",
		"postgres://collector:Pw-s3cret-42@127.0.0.1:1/db?connect_timeout=2",
		"host=127.0.0.1 password='Pw-s3cret-42 unterminated",
	} {
		_, err := Open(t.Context(), Config{DSN: dsn})
		if err == nil {
			t.Fatalf("%q: opened", dsn)
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), dsn) {
			t.Errorf("the error shows the password: %v", err)
		}
		if malformed := !strings.Contains(dsn, "127.0.0.1:1/") && !strings.Contains(dsn, "port=1 "); malformed && Transient(err) {
			t.Errorf("%q: a malformed DSN is retried as if the server were down: %v", dsn, err)
		}
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true}, // admin shutdown: a restart
		{&pgconn.PgError{Code: "57P03"}, true}, // cannot connect now: starting
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "53300"}, true}, // too many connections
		{&pgconn.PgError{Code: "42P01"}, false},
		{&pgconn.PgError{Code: "28P01"}, false}, // wrong password: say so, do not hammer
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("save: %w", state.ErrNotOwner), false},
		{context.Canceled, false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v", tt.err, got)
		}
	}
}

// TestRestartHoldsTheSave: a save while PostgreSQL restarts is retried
// with backoff, logged, and lands once the server is back.
func TestRestartHoldsTheSave(t *testing.T) {
	c := pgtest.StartCluster(t)
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	s, err := Open(t.Context(), Config{DSN: c.DSN, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := "prod/threats"
	e, _, _, err := s.Acquire(t.Context(), "a", key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Fenced(key, "a", e, log)
	if err := f.Save(t.Context(), key, state.Checkpoint{Delivered: 1}); err != nil {
		t.Fatal(err)
	}
	c.Stop()
	saved := make(chan error, 1)
	go func() { saved <- f.Save(t.Context(), key, state.Checkpoint{Delivered: 2}) }()
	time.Sleep(2 * time.Second)
	select {
	case err := <-saved:
		t.Fatalf("save returned while PostgreSQL was down: %v", err)
	default:
	}
	c.Start()
	select {
	case err := <-saved:
		if err != nil {
			t.Fatalf("save after the restart: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("save did not land after the restart")
	}
	if cp, _ := s.Load(t.Context(), key); cp.Delivered != 2 {
		t.Fatalf("checkpoint %+v", cp)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "PostgreSQL unreachable; save checkpoint retried") {
		t.Errorf("the retries were not logged:\n%s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
