package pipeline

import (
	"errors"
	"testing"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// TestARecordWhoseMappingCrashesIsSkipped: a panic while reading one record
// (here: a page holding no agent where its model belongs) skips that
// record with an error naming the bug, as a record without an id is; the
// collector does not exit, so the stream does not stop at that page on
// every restart.
func TestARecordWhoseMappingCrashesIsSkipped(t *testing.T) {
	for _, p := range []transform.Profile{transform.ProfileOCSF, transform.ProfileSekoia, transform.ProfileRaw} {
		m := mapper{api: sentinelone.Agents, profile: p, collected: time.Now}
		_, err := m.read(sentinelone.Record{Raw: []byte(`{"id":"1"}`), Model: (*sentinelone.Agent)(nil)})
		if !errors.Is(err, transform.ErrMappingCrashed) {
			t.Errorf("%s: err %v, want transform.ErrMappingCrashed", p, err)
		}
	}
}
