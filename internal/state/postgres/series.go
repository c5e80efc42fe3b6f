package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"s1collector/internal/series"
)

// The series are written by whichever replica ran the cycles, without a
// fence: adding up is what makes two replicas taking turns at a stream
// (a handover, a takeover) both count, neither overwriting the other. A
// replica that lost a lease still delivered what it counts.
const (
	addSeries = `INSERT INTO {s}.series AS s (stream, start, delivered, cycles, failed, lag_seconds, last_delivery)
		SELECT $1, * FROM unnest($2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::float8[], $7::timestamptz[])
		ON CONFLICT (stream, start) DO UPDATE SET
			delivered = s.delivered + excluded.delivered, cycles = s.cycles + excluded.cycles, failed = s.failed + excluded.failed,
			lag_seconds = greatest(s.lag_seconds, excluded.lag_seconds), last_delivery = greatest(s.last_delivery, excluded.last_delivery)`
	forgetSeries = `DELETE FROM {s}.series WHERE stream = $1 AND start < now() - $2 * interval '1 microsecond'`
	readSeries   = `SELECT stream, start, delivered, cycles, failed, lag_seconds, last_delivery FROM {s}.series
		WHERE start >= $1 ORDER BY stream, start`
)

func (s *Store) sql(q string) string {
	return strings.ReplaceAll(q, "{s}", pgx.Identifier{s.schema}.Sanitize())
}

// AddBuckets adds bs to what the stream key did (counts add up, the lag
// and the last delivery keep the larger) and forgets its buckets older than
// series.Keep, in one transaction. It is not idempotent: a caller that
// cannot tell whether it committed may count twice by trying again.
func (s *Store) AddBuckets(ctx context.Context, key string, bs []series.Bucket) error {
	n := len(bs)
	starts, last := make([]time.Time, n), make([]pgtype.Timestamptz, n)
	delivered, cycles, failed, lag := make([]int64, n), make([]int64, n), make([]int64, n), make([]float64, n)
	for i, b := range bs {
		starts[i], delivered[i], cycles[i], failed[i], lag[i] = series.Start(b.Start), b.Delivered, b.Cycles, b.Failed, b.LagSeconds
		last[i] = pgtype.Timestamptz{Time: b.LastDelivery, Valid: !b.LastDelivery.IsZero()}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.sql(addSeries), key, starts, delivered, cycles, failed, lag, last); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, s.sql(forgetSeries), key, series.Keep.Microseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("save the series of %s to PostgreSQL: %w", key, err)
	}
	return nil
}

// Buckets returns every stream's buckets that start at or after since,
// oldest first.
func (s *Store) Buckets(ctx context.Context, since time.Time) (map[string][]series.Bucket, error) {
	rows, err := s.pool.Query(ctx, s.sql(readSeries), series.Start(since))
	if err != nil {
		return nil, fmt.Errorf("read the series from PostgreSQL: %w", err)
	}
	out := map[string][]series.Bucket{}
	var key string
	var b series.Bucket
	var last pgtype.Timestamptz
	_, err = pgx.ForEachRow(rows, []any{&key, &b.Start, &b.Delivered, &b.Cycles, &b.Failed, &b.LagSeconds, &last}, func() error {
		b.Start, b.LastDelivery = b.Start.UTC(), time.Time{}
		if last.Valid {
			b.LastDelivery = last.Time.UTC()
		}
		out[key] = append(out[key], b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the series from PostgreSQL: %w", err)
	}
	return out, nil
}
