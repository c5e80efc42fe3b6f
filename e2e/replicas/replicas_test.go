package replicas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
	"s1collector/internal/pgtest"
	"s1collector/internal/sentinelone"
)

// fleet is replicas of the real binary sharing one PostgreSQL schema and
// one emulated console, seen by them as 6 sources (18 streams). Each
// replica writes its own output folder, as replicas on their own hosts do.
type fleet struct {
	t       *testing.T
	c       *console
	dir     string // config, and each replica's output folder
	dsn     string
	schema  string
	sources []string
	active  int // sources the replicas run: the streams are active × 3
	reps    map[string]*replicaProc
}

type replicaProc struct {
	name, id, url string
	killed        bool // by SIGKILL: its files may end with a torn line
	cmd           *exec.Cmd
	stderr        *proc.Output
	done          chan struct{}
}

// apiStatus is what the test reads of /api/status.
type apiStatus struct {
	Ready   bool     `json:"ready"`
	Reasons []string `json:"not_ready_reasons"`
	Replica struct {
		ID string `json:"id"`
	} `json:"replica"`
	Replicas []struct {
		ID      string `json:"id"`
		Streams int    `json:"streams"`
	} `json:"replicas"`
	Differ     []string `json:"replicas_differ"`
	StateStore *struct {
		Error string `json:"error"`
	} `json:"state_store"`
	Sources []struct {
		Name    string `json:"name"`
		Streams []struct {
			Stream      string     `json:"stream"`
			State       string     `json:"state"`
			Owner       string     `json:"owner"`
			LastSuccess *time.Time `json:"last_success"`
		} `json:"streams"`
	} `json:"sources"`
}

var streams = []string{"agents", "activities", "threats"}

func newFleet(t *testing.T, dsn string, sources int) *fleet {
	c := startConsole(t, emulator.Config{Seed: 16, Agents: 1500, HistoryActivities: 1200, HistoryThreats: 60, Speed: 30,
		AgentUpdatesPerMinute: 60, NewAgentsPerHour: 300, ActivitiesPerMinute: 30, ThreatsPerHour: 300, ThreatUpdatesPerHour: 300})
	c.SetFault("*", emulator.Fault{Latency: 100 * time.Millisecond})
	f := &fleet{t: t, c: c, dsn: dsn, schema: pgtest.Schema(t, dsn), reps: map[string]*replicaProc{}}
	for i := range sources {
		f.sources = append(f.sources, fmt.Sprintf("console-%d", i+1))
	}
	f.active = sources
	f.dir = t.TempDir()
	t.Cleanup(f.stopAll)
	return f
}

// writeConfig writes replica name's configuration, with the first n of
// the fleet's sources.
func (f *fleet) writeConfig(name string, n int) string {
	f.t.Helper()
	var src strings.Builder
	for _, s := range f.sources[:n] {
		fmt.Fprintf(&src, "  - {name: %s, base_url: %s, token: %s, profile: raw, lookback: 72h, interval: 10s, outputs: [local]}\n",
			s, f.c.URL, emulator.DefaultToken)
	}
	config := fmt.Sprintf(`state:
  postgres: {dsn: "${PGDSN}", schema: %s, replica: "${REPLICA}"}
log: {format: json}
sources:
%soutputs:
  - {name: local, type: file, file: {dir: "${OUTDIR}"}}
`, f.schema, src.String())
	path := filepath.Join(f.dir, name+".yaml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// start runs "s1collector run" as replica name, with every source,
// writing out-<name>.
func (f *fleet) start(name string) *replicaProc { return f.startWith(name, len(f.sources)) }

// startWith starts replica name with the first n sources.
func (f *fleet) startWith(name string, n int) *replicaProc {
	f.t.Helper()
	cmd := proc.Command(f.t, 0, bin(f.t), "run", "--listen", "127.0.0.1:0", "--config", f.writeConfig(name, n))
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(), "PGDSN="+f.dsn, "REPLICA="+name, "OUTDIR=out-"+name)
	p := &replicaProc{name: name, cmd: cmd, stderr: &proc.Output{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	f.reps[name] = p
	waitFor(f.t, p.stderr, `"url":"http://`, 1)
	p.url = regexp.MustCompile(`"url":"(http://[^"]+)/"`).FindStringSubmatch(p.stderr.String())[1]
	p.id = f.status(p).Replica.ID
	if !strings.HasPrefix(p.id, name+"-") {
		f.t.Fatalf("replica id %q does not start with its name %s", p.id, name)
	}
	return p
}

func (f *fleet) alive(p *replicaProc) bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (f *fleet) stopAll() {
	for _, p := range f.reps {
		if !f.alive(p) {
			continue
		}
		p.cmd.Process.Signal(syscall.SIGCONT)
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(40 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
}

func (f *fleet) status(p *replicaProc) apiStatus {
	f.t.Helper()
	_, body := fetch(f.t, p.url+"/api/status")
	var st apiStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		f.t.Fatalf("/api/status of %s: %v\n%s", p.name, err, body)
	}
	return st
}

// held asks each live replica which streams it holds: stream → replica
// names (more than one is a failure of the leases).
func (f *fleet) held() map[string][]string {
	out := map[string][]string{}
	for name, p := range f.reps {
		if !f.alive(p) {
			continue
		}
		st := f.status(p)
		for _, src := range st.Sources {
			for _, s := range src.Streams {
				if s.Owner == st.Replica.ID {
					key := src.Name + "/" + s.Stream
					out[key] = append(out[key], name)
				}
			}
		}
	}
	return out
}

// waitSpread waits until every stream is held by exactly one replica, the
// replicas named hold them all, each within one of an even share.
func (f *fleet) waitSpread(timeout time.Duration, names ...string) (map[string]int, time.Duration) {
	f.t.Helper()
	start := time.Now()
	streams := f.active * 3
	var counts map[string]int
	var held map[string][]string
	for time.Since(start) < timeout {
		held = f.held()
		counts = map[string]int{}
		ok := len(held) == streams
		for _, owners := range held {
			ok = ok && len(owners) == 1
			for _, o := range owners {
				counts[o]++
			}
		}
		for _, n := range names {
			share := streams / len(names)
			ok = ok && counts[n] >= share-1 && counts[n] <= share+1
		}
		if ok && len(counts) == len(names) {
			return counts, time.Since(start)
		}
		time.Sleep(250 * time.Millisecond)
	}
	f.t.Fatalf("streams not spread over %v within %s: %v %v", names, timeout, counts, held)
	return nil, 0
}

// fencingViolations lists checkpoints written by a replica at an epoch
// older than the lease's, after the lease had moved on: a write the
// fence should have refused.
func (f *fleet) fencingViolations() []string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		return nil // PostgreSQL is being restarted
	}
	defer conn.Close(ctx)
	s := pgx.Identifier{f.schema}.Sanitize()
	rows, err := conn.Query(ctx, `SELECT c.key || ' saved by ' || c.saved_by || ' at epoch ' || c.epoch || ' < ' || l.epoch
		FROM `+s+`.checkpoints c JOIN `+s+`.leases l ON l.stream = c.key
		WHERE c.saved_by <> '' AND c.epoch < l.epoch AND c.saved_at > l.acquired_at`)
	if err != nil {
		return nil
	}
	out, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	return out
}

// waitCaughtUp waits until every stream has completed a cycle, on the
// replica holding it, that started after since.
func (f *fleet) waitCaughtUp(since time.Time, timeout time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		done := 0
		for _, p := range f.reps {
			if !f.alive(p) {
				continue
			}
			st := f.status(p)
			for _, src := range st.Sources {
				for _, s := range src.Streams {
					if s.Owner == st.Replica.ID && s.LastSuccess != nil && s.LastSuccess.After(since.Add(11*time.Second)) {
						done++
					}
				}
			}
		}
		if done == len(f.sources)*3 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	f.t.Fatalf("streams did not catch up within %s", timeout)
}

// verify checks that every record version the console holds is in the
// union of the replicas' outputs, for every source, and bounds the
// duplicates of each stream.
func (f *fleet) verify(maxDupsPerStream int) {
	f.t.Helper()
	versions := map[string]func(map[string]any) string{
		"agents":     func(m map[string]any) string { return fmt.Sprint(m["id"], "@", m["updatedAt"]) },
		"activities": func(m map[string]any) string { return fmt.Sprint(m["id"]) },
		"threats": func(m map[string]any) string {
			return fmt.Sprint(m["id"], "@", m["threatInfo"].(map[string]any)["updatedAt"])
		},
	}
	produced, delivered, lost, dups := 0, 0, 0, 0
	for _, src := range f.sources {
		for _, s := range streams {
			seen := map[string]int{}
			lines := 0
			for name := range f.reps {
				for _, m := range records(f.t, filepath.Join(f.dir, "out-"+name, src, s+".ndjson"), f.reps[name].killed) {
					seen[versions[s](m)]++
					lines++
				}
			}
			streamDups := 0
			for _, n := range seen {
				streamDups += n - 1
			}
			if streamDups > maxDupsPerStream {
				f.t.Errorf("%s/%s: %d duplicates, more than %d", src, s, streamDups, maxDupsPerStream)
			}
			for _, r := range f.c.Snapshot(s) {
				produced++
				key := r.ID
				if s != "activities" {
					key += "@" + sentinelone.FormatTime(r.UpdatedAt)
				}
				if seen[key] == 0 {
					lost++
					if lost <= 5 {
						f.t.Errorf("%s/%s: %s not delivered", src, s, key)
					}
				}
			}
			delivered += lines
			dups += streamDups
		}
	}
	f.t.Logf("replicas: records produced %d, lines delivered %d, lost %d, duplicated %d", produced, delivered, lost, dups)
	if lost > 0 {
		f.t.Fatalf("%d records lost", lost)
	}
}

// standDowns counts the streams a replica's log says it stood down from.
func standDowns(p *replicaProc) int {
	log := p.stderr.String()
	return strings.Count(log, "checkpoint write was refused; standing down") + strings.Count(log, "lease lost: its renewal was refused")
}

func metric(t *testing.T, url, name string) string {
	_, body := fetch(t, url+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name) {
			return line
		}
	}
	return ""
}

// TestReplicasShareAndFailOver: 3 replicas against one PostgreSQL and 6
// sources share the 18 streams 6/6/6 and keep them put; a replica killed
// mid-sync has its streams taken over within 20 s; a new one joins and
// gets its share; a replica paused past its lease cannot move a
// checkpoint once resumed, and stands down; at the end every record of
// every stream is delivered, with duplicates bounded by the batch in
// flight at each kill and pause.
func TestReplicasShareAndFailOver(t *testing.T) {
	dsn := pgtest.DSN(t)
	f := newFleet(t, dsn, 6)
	for _, name := range []string{"r1", "r2", "r3"} {
		f.start(name)
	}
	counts, took := f.waitSpread(60*time.Second, "r1", "r2", "r3")
	t.Logf("spread %v after %s", counts, took.Round(time.Millisecond))
	taken := map[string]string{}
	for name, p := range f.reps {
		taken[name] = metric(t, p.url, `s1collector_lease_changes_total{change="taken"`)
	}
	time.Sleep(12 * time.Second)
	for name, p := range f.reps {
		if now := metric(t, p.url, `s1collector_lease_changes_total{change="taken"`); now != taken[name] {
			t.Errorf("%s took leases while no replica joined or left: %s, then %s", name, taken[name], now)
		}
	}
	if v := metric(t, f.reps["r1"].url, `s1collector_stream_held{replica="`+f.reps["r1"].id+`",source="console-1"`); v == "" {
		t.Errorf("metrics do not carry the replica")
	}

	// SIGKILL r3 mid-sync: r1 and r2 hold everything within 20 s.
	victim := f.reps["r3"]
	waitFor(t, victim.stderr, `"msg":"cycle done"`, 1) // its first sync under way
	victim.killed = true
	victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.done
	_, took = f.waitSpread(30*time.Second, "r1", "r2")
	t.Logf("r3 killed: its streams taken over in %s", took.Round(time.Millisecond))
	if took > 20*time.Second {
		t.Errorf("takeover took %s, more than 20 s", took)
	}

	// A new replica joins and gets its share, handed over gracefully.
	f.start("r4")
	_, took = f.waitSpread(60*time.Second, "r1", "r2", "r4")
	t.Logf("r4 joined: spread again in %s", took.Round(time.Millisecond))

	// SIGSTOP r1 past its lease, then SIGCONT: it stands down, its stale
	// writes refused.
	paused := f.reps["r1"]
	before := len(f.held())
	var heldByPaused int
	for _, owners := range f.held() {
		if slices.Contains(owners, "r1") {
			heldByPaused++
		}
	}
	paused.cmd.Process.Signal(syscall.SIGSTOP)
	stoppedAt := time.Now()
	for time.Since(stoppedAt) < 20*time.Second {
		if v := f.fencingViolations(); len(v) > 0 {
			t.Fatalf("checkpoints moved by a replica that lost its lease: %v", v)
		}
		time.Sleep(time.Second)
	}
	paused.cmd.Process.Signal(syscall.SIGCONT)
	for deadline := time.Now().Add(30 * time.Second); standDowns(paused) < heldByPaused && time.Now().Before(deadline); {
		if v := f.fencingViolations(); len(v) > 0 {
			t.Fatalf("checkpoints moved by a replica that lost its lease: %v", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := standDowns(paused); n < heldByPaused {
		t.Fatalf("r1 held %d streams (of %d) and stood down from %d:\n%s", heldByPaused, before, n, paused.stderr.String())
	}
	t.Logf("r1 resumed after %s: stood down from its %d streams (%d refused checkpoint writes)", time.Since(stoppedAt).Round(time.Second),
		heldByPaused, strings.Count(paused.stderr.String(), "checkpoint write was refused"))
	f.waitSpread(60*time.Second, "r1", "r2", "r4")

	// The end: freeze the console, let every stream catch up, check.
	f.c.SetFault("*", emulator.Fault{})
	f.c.SetSpeed(0)
	f.waitCaughtUp(time.Now(), 180*time.Second)
	if v := f.fencingViolations(); len(v) > 0 {
		t.Fatalf("checkpoints moved by a replica that lost its lease: %v", v)
	}
	f.ready()
	f.stopAll()
	f.verify(2 * 1000) // one kill and one pause: a batch each, at most
	f.noPassword()
}

// ready checks /readyz of every live replica.
func (f *fleet) ready() {
	f.t.Helper()
	for name, p := range f.reps {
		if !f.alive(p) {
			continue
		}
		if code, body := fetch(f.t, p.url+"/readyz"); code != 200 {
			f.t.Errorf("%s not ready: %s", name, body)
		}
	}
}

// noPassword checks that no replica printed the database password.
func (f *fleet) noPassword() {
	f.t.Helper()
	u, err := url.Parse(f.dsn)
	if err != nil {
		f.t.Fatal(err)
	}
	pw, _ := u.User.Password()
	for name, p := range f.reps {
		if pw == "" || strings.Contains(p.stderr.String(), pw) {
			f.t.Errorf("%s printed the database password (or the DSN has none)", name)
		}
	}
}
