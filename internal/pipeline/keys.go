package pipeline

import (
	"slices"
	"time"

	"s1collector/internal/state"
)

// versionKey is one version of a record: its id and the time that changes
// with each version (updatedAt for agents and threats; createdAt, which
// never changes, for activities), in microseconds as the console writes it.
type versionKey struct {
	id string
	at int64
}

func (k versionKey) time() time.Time { return time.UnixMicro(k.at).UTC() }

// versions is the set of record versions delivered at or after a floor:
// a walk that reads them again does not deliver them twice. Every
// operation is linear in the keys it touches, and memory is bounded by the
// versions of the overlap — for a burst sharing one timestamp, by the ids
// at that timestamp.
type versions struct {
	byTime map[int64][]string
	has    map[versionKey]struct{}
}

func newVersions(stamps []state.Stamp) *versions {
	v := &versions{byTime: map[int64][]string{}, has: map[versionKey]struct{}{}}
	for _, s := range stamps {
		for _, id := range s.IDs {
			v.add(versionKey{id: id, at: s.At.UnixMicro()})
		}
	}
	return v
}

func (v *versions) contains(k versionKey) bool {
	_, ok := v.has[k]
	return ok
}

func (v *versions) add(k versionKey) {
	if _, ok := v.has[k]; ok {
		return
	}
	v.has[k] = struct{}{}
	v.byTime[k.at] = append(v.byTime[k.at], k.id)
}

// forgetBefore drops the versions older than floor: no walk reads them
// again.
func (v *versions) forgetBefore(floor time.Time) {
	f := floor.UnixMicro()
	for at, ids := range v.byTime {
		if at >= f {
			continue
		}
		for _, id := range ids {
			delete(v.has, versionKey{id: id, at: at})
		}
		delete(v.byTime, at)
	}
}

// at returns the ids delivered at exactly t.
func (v *versions) at(t time.Time) []string {
	return slices.Clone(v.byTime[t.UnixMicro()])
}

// stamps lists the versions for the checkpoint, oldest first.
func (v *versions) stamps() []state.Stamp {
	if len(v.byTime) == 0 {
		return nil
	}
	times := make([]int64, 0, len(v.byTime))
	for at := range v.byTime {
		times = append(times, at)
	}
	slices.Sort(times)
	out := make([]state.Stamp, len(times))
	for i, at := range times {
		out[i] = state.Stamp{At: time.UnixMicro(at).UTC(), IDs: slices.Clone(v.byTime[at])}
	}
	return out
}
