package lease

import (
	"fmt"
	"slices"
	"strings"
)

// notice compares the live replicas' configurations with this one's: the
// streams they can run and their lease TTL. Streams are shared over the
// union, each run by a replica that has it, so differences lose nothing,
// but they are usually a rolling change left half done: the difference is
// logged when it appears or changes, and shown on the status page until
// it is gone.
func (m *Manager) notice(v View) {
	var differs []string
	for _, r := range v.Replicas {
		if r.ID == m.cfg.Replica.ID {
			continue
		}
		if len(r.Keys) > 0 {
			theirs := map[string]bool{}
			for _, k := range r.Keys {
				theirs[k] = true
			}
			var extra, lacks []string
			for _, k := range r.Keys {
				if !m.keys[k] {
					extra = append(extra, k)
				}
			}
			for _, k := range m.cfg.Keys {
				if !theirs[k] {
					lacks = append(lacks, k)
				}
			}
			if len(extra) > 0 {
				differs = append(differs, fmt.Sprintf("replica %s runs %d stream(s) this one does not: %s", r.ID, len(extra), sample(extra)))
			}
			if len(lacks) > 0 {
				differs = append(differs, fmt.Sprintf("replica %s lacks %d stream(s) this one runs: %s", r.ID, len(lacks), sample(lacks)))
			}
		}
		if r.TTL > 0 && r.TTL != m.cfg.TTL {
			differs = append(differs, fmt.Sprintf("replica %s renews its leases for %s, this one for %s", r.ID, r.TTL, m.cfg.TTL))
		}
	}
	summary := strings.Join(differs, "; ")
	m.mu.Lock()
	changed := summary != m.differs
	m.differs, m.snap.Differs = summary, differs
	m.mu.Unlock()
	switch {
	case !changed:
	case summary == "":
		m.cfg.Log.Info("the replicas' configurations agree again")
	default:
		m.cfg.Log.Warn("the replicas' configurations differ: each stream is collected by a replica that has it, but give every replica the same sources and lease_ttl",
			"differences", summary)
	}
}

// sample names up to three keys.
func sample(keys []string) string {
	keys = slices.Sorted(slices.Values(keys))
	if len(keys) > 3 {
		return strings.Join(keys[:3], ", ") + ", …"
	}
	return strings.Join(keys, ", ")
}
