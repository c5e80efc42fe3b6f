package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var checkpointsBucket = []byte("checkpoints")

func devicesBucket(source string) []byte { return []byte("devices/" + source) }

// Bolt is the embedded Store: a bbolt file, fsync'd on every commit and
// locked so a second process gets a clear error instead of a shared file.
type Bolt struct {
	db   *bolt.DB
	path string
}

// ErrLocked means another process holds the state file.
var ErrLocked = errors.New("state file is in use by another s1collector process")

// OpenBolt opens (creating when absent, 0600 in a 0750 folder) the state
// file at path. A symbolic link or anything but a regular file there is
// refused, never followed.
func OpenBolt(path string) (*Bolt, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("state: create folder: %w", err)
	}
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("state file %s is not a regular file (%s): refused — point state.path at a file of its own", path, st.Mode().Type())
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (stop the other process, or give this one its own state.path)", ErrLocked, path)
	case err != nil:
		return nil, fmt.Errorf("state file %s cannot be opened: %v — if it is corrupt, move it aside and start again "+
			"(every stream then collects again from its look-back) or restore a backup", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(checkpointsBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &Bolt{db: db, path: path}, nil
}

// Path is the state file.
func (b *Bolt) Path() string { return b.path }

// Load returns the checkpoint of key, or a zero one.
func (b *Bolt) Load(_ context.Context, key string) (Checkpoint, error) {
	var cp Checkpoint
	err := b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(checkpointsBucket).Get([]byte(key))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &cp)
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("load checkpoint %s from %s: %w", key, b.path, err)
	}
	return cp, nil
}

// Save writes the checkpoint, and marks seen devices, in one transaction;
// it is on disk when Save returns.
func (b *Bolt) Save(_ context.Context, key string, cp Checkpoint, seen ...Seen) error {
	cp.SavedAt = time.Now().UTC()
	v, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	err = b.db.Update(func(tx *bolt.Tx) error {
		for _, s := range seen {
			if err := markSeen(tx, s.Source, s.IDs, s.Generation); err != nil {
				return err
			}
		}
		return tx.Bucket(checkpointsBucket).Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("save checkpoint %s to %s: %w", key, b.path, err)
	}
	return nil
}

// All returns every checkpoint.
func (b *Bolt) All(_ context.Context) (map[string]Checkpoint, error) {
	out := map[string]Checkpoint{}
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(checkpointsBucket).ForEach(func(k, v []byte) error {
			var cp Checkpoint
			if err := json.Unmarshal(v, &cp); err != nil {
				return fmt.Errorf("checkpoint %s: %w", k, err)
			}
			out[string(k)] = cp
			return nil
		})
	})
	return out, err
}

// Delete removes a checkpoint.
func (b *Bolt) Delete(_ context.Context, key string) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(checkpointsBucket).Delete([]byte(key)) })
}

// Missing returns, sorted, the devices older generations of source saw
// and the given one has not.
func (b *Bolt) Missing(_ context.Context, source string, generation int64) ([]string, error) {
	var missing []string
	err := b.db.View(func(tx *bolt.Tx) error {
		missing = compare(tx, source, generation)
		return nil
	})
	return missing, err
}

// Sweep forgets the devices seen by generations older than the given one.
func (b *Bolt) Sweep(_ context.Context, source string, generation int64) error {
	return b.db.Update(func(tx *bolt.Tx) error { return dropOlder(tx, source, generation) })
}

// Close releases the file and its lock.
func (b *Bolt) Close() error { return b.db.Close() }
