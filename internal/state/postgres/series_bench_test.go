package postgres

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"s1collector/internal/pgtest"
	"s1collector/internal/series"
	"s1collector/internal/state"
)

// seriesStore is what a stream's cycle end writes to.
type seriesStore interface {
	state.Store
	AddBuckets(ctx context.Context, key string, bs []series.Bucket) error
}

// BenchmarkCycleEnd compares, in the bbolt file and in PostgreSQL, what a
// cycle's end now writes besides its checkpoints: the stream's series (a
// bucket, added to a day of them), against a checkpoint save.
func BenchmarkCycleEnd(b *testing.B) {
	dsn := pgtest.DSN(b)
	bolt, err := state.OpenBolt(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer bolt.Close()
	pg, err := Open(context.Background(), Config{DSN: dsn, Schema: pgtest.Schema(b, dsn)})
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	key := "bench/activities"
	now := time.Now()
	var day []series.Bucket
	for d := series.Keep - series.Width; d >= 0; d -= series.Width {
		day = append(day, series.Bucket{Start: now.Add(-d), Delivered: 500, Cycles: 2, LagSeconds: 2.5, LastDelivery: now.Add(-d)})
	}
	cp := state.Checkpoint{Watermark: now.UTC(), Delivered: 12345}
	for _, st := range []struct {
		name string
		s    seriesStore
	}{{"bbolt", bolt}, {"postgres", pg}} {
		if err := st.s.AddBuckets(context.Background(), key, day); err != nil {
			b.Fatal(err)
		}
		b.Run(st.name+"/checkpoint", func(b *testing.B) {
			for b.Loop() {
				if err := st.s.Save(context.Background(), key, cp); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/series", func(b *testing.B) {
			for b.Loop() {
				if err := st.s.AddBuckets(context.Background(), key, []series.Bucket{{Start: now, Delivered: 500, Cycles: 1, LagSeconds: 2}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
