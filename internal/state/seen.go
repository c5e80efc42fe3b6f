package state

import (
	"encoding/binary"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Devices seen by full listings are kept as one chunk per page, keyed by
// generation and a sequence number, so a listing appends to the store
// instead of inserting a million keys at random places. Console ids are
// decimal numbers: a chunk packs them as 8-byte integers (other ids as
// length-prefixed strings), and finding removed devices sorts and compares
// two lists of integers.

const (
	idNumber byte = 0
	idString byte = 1
)

func markSeen(tx *bolt.Tx, source string, ids []string, generation int64) error {
	bk, err := tx.CreateBucketIfNotExists(devicesBucket(source))
	if err != nil {
		return err
	}
	seq, err := bk.NextSequence()
	if err != nil {
		return err
	}
	key := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, uint64(generation)), seq)
	return bk.Put(key, packIDs(ids))
}

func packIDs(ids []string) []byte {
	out := make([]byte, 0, 9*len(ids))
	for _, id := range ids {
		if n, err := strconv.ParseUint(id, 10, 64); err == nil && strconv.FormatUint(n, 10) == id {
			out = binary.BigEndian.AppendUint64(append(out, idNumber), n)
			continue
		}
		out = binary.AppendUvarint(append(out, idString), uint64(len(id)))
		out = append(out, id...)
	}
	return out
}

// idSet is a list of ids: numbers sorted, strings in a map.
type idSet struct {
	nums []uint64
	strs map[string]bool
}

func (s *idSet) add(chunk []byte) {
	for len(chunk) > 0 {
		kind := chunk[0]
		chunk = chunk[1:]
		if kind == idNumber && len(chunk) >= 8 {
			s.nums = append(s.nums, binary.BigEndian.Uint64(chunk))
			chunk = chunk[8:]
			continue
		}
		n, w := binary.Uvarint(chunk)
		if w <= 0 || uint64(len(chunk)-w) < n {
			return // damaged chunk: ignore the rest rather than report devices wrongly
		}
		if s.strs == nil {
			s.strs = map[string]bool{}
		}
		s.strs[string(chunk[w:w+int(n)])] = true
		chunk = chunk[w+int(n):]
	}
}

// minus returns the ids of s that are not in o.
func (s *idSet) minus(o *idSet) []string {
	slices.Sort(s.nums)
	slices.Sort(o.nums)
	var gone []string
	j := 0
	for i, n := range s.nums {
		if i > 0 && s.nums[i-1] == n {
			continue
		}
		for j < len(o.nums) && o.nums[j] < n {
			j++
		}
		if j == len(o.nums) || o.nums[j] != n {
			gone = append(gone, strconv.FormatUint(n, 10))
		}
	}
	for id := range s.strs {
		if !o.strs[id] {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	return gone
}

// compare returns the devices older generations saw and the given one
// (or a newer one) has not.
func compare(tx *bolt.Tx, source string, generation int64) []string {
	bk := tx.Bucket(devicesBucket(source))
	if bk == nil {
		return nil
	}
	var older, current idSet
	c := bk.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 16 {
			continue
		}
		if int64(binary.BigEndian.Uint64(k)) < generation {
			older.add(v)
		} else {
			current.add(v)
		}
	}
	return older.minus(&current)
}

// dropOlder deletes the chunks of generations older than the given one.
func dropOlder(tx *bolt.Tx, source string, generation int64) error {
	bk := tx.Bucket(devicesBucket(source))
	if bk == nil {
		return nil
	}
	var stale [][]byte
	c := bk.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) == 16 && int64(binary.BigEndian.Uint64(k)) < generation {
			stale = append(stale, append([]byte(nil), k...))
		}
	}
	for _, k := range stale {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
