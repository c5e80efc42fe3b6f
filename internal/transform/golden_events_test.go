package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// eventInputs are the golden inputs of the streams other than agents, by
// file name.
var eventInputs = []struct {
	file   string
	stream Stream
}{
	{"threat.json", StreamThreats},
	{"alert.json", StreamAlerts},
	{"star_alert.json", StreamStarAlerts},
	{"activity.json", StreamActivities},
}

// TestGoldenEvents maps every testdata/<case>/{threat,alert,star_alert,
// activity}.json with the ocsf profile, compares it with ocsf.json and
// holds it to strict OCSF 1.6.0 of its class; the problems it reports (the
// masked fixtures' hashes and addresses are not real ones) are compared
// with problems.txt. The raw profile must give the record back unchanged.
func TestGoldenEvents(t *testing.T) {
	n := 0
	for _, in := range eventInputs {
		files, err := filepath.Glob(filepath.Join("testdata", "*", in.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			n++
			dir := filepath.Dir(f)
			t.Run(filepath.Base(dir), func(t *testing.T) {
				raw := readFile(t, f)
				ev, problems, err := ProfileOCSF.MapRecord(in.stream, raw, collected)
				if err != nil {
					t.Fatalf("mapping: %v", err)
				}
				checkOCSF(t, golden(t, filepath.Join(dir, "ocsf.json"), ev))
				goldenProblems(t, filepath.Join(dir, "problems.txt"), problems)
				same, _, err := ProfileRaw.MapRecord(in.stream, raw, collected)
				if err != nil || !bytes.Equal(same.(json.RawMessage), raw) {
					t.Errorf("raw profile changed the record (%v)", err)
				}
			})
		}
	}
	if n < 9 {
		t.Fatalf("found %d golden event cases", n)
	}
}

// TestGoldenActivityTypes maps one activity of every type in the table,
// and one of a type it does not know, into testdata/activity-types/
// ocsf.ndjson (one event a line), each strict OCSF 1.6.0 of the class the
// table names.
func TestGoldenActivityTypes(t *testing.T) {
	var out bytes.Buffer
	types := ActivityTypes()
	for _, at := range append(types, ActivityType{ID: 999999, Name: "Not in the table", Class: 0, Activity: 99}) {
		raw := sampleActivity(at)
		ev, problems, err := ProfileOCSF.MapRecord(StreamActivities, raw, collected)
		if err != nil || len(problems) > 0 {
			t.Fatalf("type %d: %v %v", at.ID, err, problems)
		}
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		checkOCSF(t, line)
		var h struct {
			ClassUID   int `json:"class_uid"`
			ActivityID int `json:"activity_id"`
		}
		_ = json.Unmarshal(line, &h)
		want := at.Activity
		if at.ID == 2028 {
			want = 3 // the sample resolves the threat
		}
		if h.ClassUID != at.Class || h.ActivityID != want {
			t.Errorf("type %d %q: class %d activity %d, want %d/%d", at.ID, at.Name, h.ClassUID, h.ActivityID, at.Class, want)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	goldenBytes(t, filepath.Join("testdata", "activity-types", "ocsf.ndjson"), out.Bytes())
}

// sampleActivity is an activity of the given type shaped as consoles send
// them: the scope, the user, and the data the type carries.
func sampleActivity(at ActivityType) json.RawMessage {
	data := map[string]any{"accountName": "Acme", "fullScopeDetails": "Site Paris of Account Acme", "username": "jane.doe@acme.example",
		"scopeLevel": "Site", "siteName": "Paris", "accountId": 1111111111111111111}
	rec := map[string]any{
		"id": fmt.Sprintf("19%017d", at.ID), "activityType": at.ID, "activityUuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", at.ID),
		"accountId": "1111111111111111111", "accountName": "Acme", "siteId": "2222222222222222222", "siteName": "Paris",
		"createdAt": "2026-01-02T03:04:05.123456Z", "updatedAt": "2026-01-02T03:04:05.123456Z",
		"primaryDescription": fmt.Sprintf("%s (jane.doe@acme.example).", at.Name), "userId": "1100000000000000001",
		"agentId": nil, "threatId": nil, "groupId": nil, "groupName": nil, "comments": nil, "data": data,
	}
	if at.Failed {
		rec["comments"] = "invalid password"
		data["ipAddress"] = "203.0.113.7"
	}
	if at.Class == 3004 || at.Class == 2004 || at.Class == 6007 {
		rec["agentId"], rec["groupId"], rec["groupName"] = "1300000000000000042", "3333333333333333333", "Servers"
		data["computerName"], data["groupName"] = "PARIS-SRV-01", "Servers"
	}
	if at.Class == 2004 {
		rec["threatId"] = "1400000000000000042"
		data["threatName"], data["fileDisplayName"], data["filePath"] = "invoice.pdf.exe", "invoice.pdf.exe", `C:\Users\jane\Downloads\invoice.pdf.exe`
		data["fileContentHash"], data["confidenceLevel"], data["threatClassification"] = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "malicious", "Trojan"
		if at.ID == 2028 {
			data["originalStatus"], data["newStatus"] = "In progress", "Resolved"
		}
	}
	b, _ := json.Marshal(rec)
	return b
}

// goldenProblems compares a record's problems with the file, which is
// absent when there are none.
func goldenProblems(t *testing.T, path string, problems []string) {
	t.Helper()
	var got []byte
	for _, p := range problems {
		got = append(append(got, p...), '\n')
	}
	if _, err := os.Stat(path); os.IsNotExist(err) && (len(got) == 0 || !*update) {
		if len(got) > 0 {
			t.Errorf("unexpected problems (run with -update to accept):\n%s", got)
		}
		return
	}
	goldenBytes(t, path, got)
}

// goldenBytes compares got with the file, or rewrites it with -update.
func goldenBytes(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readFile(t, path); !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, firstDiff(want, got))
	}
}
