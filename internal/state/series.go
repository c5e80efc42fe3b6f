package state

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"s1collector/internal/series"
)

// The series of each stream (what it delivered, ten minutes at a time) are
// kept in a bucket of their own per stream, keyed by the start of each
// series bucket in Unix seconds, big-endian so they sort by time.
var seriesBucket = []byte("series")

func seriesKey(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(max(t.Unix(), 0))) // before 1970: from the start
}

// AddBuckets adds bs to what the stream key did (counts add up, the lag
// and the last delivery keep the larger) and forgets its buckets older than
// series.Keep, in one transaction.
func (b *Bolt) AddBuckets(_ context.Context, key string, bs []series.Bucket) error {
	err := b.db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(seriesBucket)
		if err != nil {
			return err
		}
		bk, err := root.CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return err
		}
		for _, x := range bs {
			x.Start = series.Start(x.Start)
			k := seriesKey(x.Start)
			if v := bk.Get(k); v != nil {
				var old series.Bucket
				if json.Unmarshal(v, &old) == nil {
					x.Add(old)
				}
			}
			v, err := json.Marshal(x)
			if err != nil {
				return err
			}
			if err := bk.Put(k, v); err != nil {
				return err
			}
		}
		return forgetBefore(bk, seriesKey(time.Now().Add(-series.Keep)))
	})
	if err != nil {
		return fmt.Errorf("save the series of %s to %s: %w", key, b.path, err)
	}
	return nil
}

func forgetBefore(bk *bolt.Bucket, cut []byte) error {
	var old [][]byte
	c := bk.Cursor()
	for k, _ := c.First(); k != nil && string(k) < string(cut); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Buckets returns every stream's buckets that start at or after since,
// oldest first.
func (b *Bolt) Buckets(_ context.Context, since time.Time) (map[string][]series.Bucket, error) {
	out := map[string][]series.Bucket{}
	from := seriesKey(series.Start(since))
	err := b.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(seriesBucket)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(key []byte) error {
			c := root.Bucket(key).Cursor()
			for k, v := c.Seek(from); k != nil; k, v = c.Next() {
				var x series.Bucket
				if err := json.Unmarshal(v, &x); err != nil {
					return fmt.Errorf("series of %s: %w", key, err)
				}
				out[string(key)] = append(out[string(key)], x)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the series from %s: %w", b.path, err)
	}
	return out, nil
}
