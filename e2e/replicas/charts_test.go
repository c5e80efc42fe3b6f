package replicas

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/pgtest"
)

// TestChartsSurviveHandover: r1 collects a console; r2 joins and takes
// its share, handed over by r1; r1 stops and hands over the rest. r2's
// page then charts, for every stream, every event either replica
// delivered: the day is in PostgreSQL, each replica adding what it did.
func TestChartsSurviveHandover(t *testing.T) {
	dsn := pgtest.DSN(t)
	f := newFleet(t, dsn, 1)
	r1 := f.start("r1")
	f.waitSpread(60*time.Second, "r1")
	waitFor(t, r1.stderr, `"msg":"cycle done"`, 3)
	r2 := f.start("r2")
	f.waitSpread(60*time.Second, "r1", "r2")
	waitFor(t, r2.stderr, `"msg":"cycle done"`, 1)

	f.c.SetFault("*", emulator.Fault{})
	f.c.SetSpeed(0)
	f.waitCaughtUp(time.Now(), 120*time.Second)
	r1.cmd.Process.Signal(syscall.SIGTERM)
	<-r1.done
	f.waitSpread(60*time.Second, "r2")

	delivered := func(name, stream string) int {
		return len(records(t, filepath.Join(f.dir, "out-"+name, "console-1", stream+".ndjson"), false))
	}
	var last string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		charted := chartTotals(t, r2.url)
		last = ""
		for _, s := range streams {
			by1, by2 := delivered("r1", s), delivered("r2", s)
			if by1 == 0 {
				t.Fatalf("%s: r1 delivered nothing; the test needs both replicas to have collected each stream", s)
			}
			if charted[s] != int64(by1+by2) {
				last += fmt.Sprintf("%s: r2's chart counts %d, r1 and r2 delivered %d + %d; ", s, charted[s], by1, by2)
			}
		}
		if last == "" {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatal(last)
}

// chartTotals adds up the last 24 hours' events of each stream of
// console-1 on a replica's /api/status.
func chartTotals(t *testing.T, url string) map[string]int64 {
	t.Helper()
	_, body := fetch(t, url+"/api/status")
	var st struct {
		Sources []struct {
			Streams []struct {
				Stream  string `json:"stream"`
				Last24h struct {
					Delivered []int64 `json:"delivered"`
				} `json:"last_24h"`
			} `json:"streams"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("/api/status: %v\n%s", err, body)
	}
	out := map[string]int64{}
	for _, s := range st.Sources[0].Streams {
		for _, n := range s.Last24h.Delivered {
			out[s.Stream] += n
		}
	}
	return out
}
