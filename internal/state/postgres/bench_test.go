package postgres

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"s1collector/internal/pgtest"
	"s1collector/internal/state"
)

// BenchmarkSave compares a checkpoint save in the bbolt file and in
// PostgreSQL, plain and fenced (the lease checked in the same
// transaction), for a page of an incremental walk and for a page of a
// full listing (1,000 device ids recorded with it).
func BenchmarkSave(b *testing.B) {
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
	key := "bench/agents"
	epoch, _, _, err := pg.Acquire(context.Background(), "bench", key, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	cp := state.Checkpoint{Watermark: time.Now().UTC(), Delivered: 12345, LastFullSync: time.Now().UTC()}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = strconv.Itoa(1_400_000_000_000_000_000 + i)
	}
	stores := []struct {
		name string
		s    state.Store
	}{{"bbolt", bolt}, {"postgres", pg}, {"postgres-fenced", pg.Fenced(key, "bench", epoch, nil)}}
	for _, st := range stores {
		for _, page := range []struct {
			name string
			seen []state.Seen
		}{{"incremental", nil}, {"listing-1000-ids", []state.Seen{{Source: "bench", IDs: ids, Generation: 1}}}} {
			b.Run(st.name+"/"+page.name, func(b *testing.B) {
				for b.Loop() {
					if err := st.s.Save(context.Background(), key, cp, page.seen...); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
