package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"s1collector/internal/lease"
)

// The Store is the lease.Table of the replicas sharing it. Expiry is always
// computed by PostgreSQL's now(): the replicas' clocks are never compared.
var _ lease.Table = (*Store)(nil)

// Round marks me live, renews its leases and reads replicas and leases, in
// one transaction (so one now() for all of them).
func (s *Store) Round(ctx context.Context, me lease.Replica, ttl time.Duration, held map[string]int64, keys []string) (lease.View, error) {
	v := lease.View{Held: map[string]int64{}}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(s.q.heartbeat, me.ID, me.Host, me.PID, me.Version, me.Started, ttl.Microseconds())
		b.Queue(s.q.addLeases, keys)
		hk, he := make([]string, 0, len(held)), make([]int64, 0, len(held))
		for k, e := range held {
			hk, he = append(hk, k), append(he, e)
		}
		b.Queue(s.q.renew, me.ID, ttl.Microseconds(), hk, he).Query(func(rows pgx.Rows) error {
			var key string
			var epoch int64
			_, err := pgx.ForEachRow(rows, []any{&key, &epoch}, func() error { v.Held[key] = epoch; return nil })
			return err
		})
		b.Queue(s.q.replicas).Query(func(rows pgx.Rows) error {
			var err error
			v.Replicas, err = pgx.CollectRows(rows, scanReplica)
			return err
		})
		b.Queue(s.q.leases, keys).Query(func(rows pgx.Rows) error {
			var err error
			v.Leases, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (lease.Lease, error) {
				var l lease.Lease
				var micros int64
				err := row.Scan(&l.Key, &l.Owner, &l.Epoch, &micros)
				l.ExpiresIn = time.Duration(micros) * time.Microsecond
				return l, err
			})
			return err
		})
		b.Queue(s.q.forget)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return lease.View{}, fmt.Errorf("lease round in PostgreSQL at %s: %w", s.where, err)
	}
	return v, nil
}

// Acquire takes key when it is free, expired or me's own, with a new epoch.
func (s *Store) Acquire(ctx context.Context, me, key string, ttl time.Duration) (epoch int64, prev string, ok bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.q.insertLease, key); err != nil {
			return err
		}
		var live bool
		if err := tx.QueryRow(ctx, s.q.lock, key).Scan(&prev, &live); err != nil {
			return err
		}
		if live && prev != me && prev != "" {
			return nil
		}
		ok = true
		return tx.QueryRow(ctx, s.q.acquire, key, me, ttl.Microseconds()).Scan(&epoch)
	})
	if err != nil {
		return 0, "", false, fmt.Errorf("acquire lease of %s in PostgreSQL at %s: %w", key, s.where, err)
	}
	return epoch, prev, ok, nil
}

// Release frees key when me still holds it at epoch.
func (s *Store) Release(ctx context.Context, me, key string, epoch int64) error {
	if _, err := s.pool.Exec(ctx, s.q.release, key, me, epoch); err != nil {
		return fmt.Errorf("release lease of %s in PostgreSQL at %s: %w", key, s.where, err)
	}
	return nil
}

// Leave removes me from the live replicas.
func (s *Store) Leave(ctx context.Context, me string) error {
	if _, err := s.pool.Exec(ctx, s.q.leave, me); err != nil {
		return fmt.Errorf("leave the replicas in PostgreSQL at %s: %w", s.where, err)
	}
	return nil
}

// Replicas returns the live replicas, for tools such as "test".
func (s *Store) Replicas(ctx context.Context) ([]lease.Replica, error) {
	rows, err := s.pool.Query(ctx, s.q.replicas)
	if err != nil {
		return nil, fmt.Errorf("read replicas from PostgreSQL at %s: %w", s.where, err)
	}
	return pgx.CollectRows(rows, scanReplica)
}

func scanReplica(row pgx.CollectableRow) (lease.Replica, error) {
	var r lease.Replica
	err := row.Scan(&r.ID, &r.Host, &r.PID, &r.Version, &r.Started)
	r.Started = r.Started.UTC()
	return r, err
}

// Owners returns who holds each stream's lease now ("" when free or
// expired), for tools such as "state show".
func (s *Store) Owners(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT stream, CASE WHEN expires_at > now() THEN owner ELSE '' END FROM `+
		pgx.Identifier{s.schema}.Sanitize()+`.leases`)
	if err != nil {
		return nil, fmt.Errorf("read leases from PostgreSQL at %s: %w", s.where, err)
	}
	out := map[string]string{}
	var key, owner string
	_, err = pgx.ForEachRow(rows, []any{&key, &owner}, func() error { out[key] = owner; return nil })
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return out, err
}
