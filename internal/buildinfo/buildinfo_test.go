package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := func(rev, tm, modified string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "s1collector", Version: "(devel)"}}
		for k, v := range map[string]string{"vcs.revision": rev, "vcs.time": tm, "vcs.modified": modified} {
			if v != "" {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
		}
		return bi
	}
	installed := &debug.BuildInfo{Main: debug.Module{Path: "s1collector", Version: "v1.3.0"}}
	pseudo := vcs("2c26aed7fa3b", "2026-12-01T00:27:12Z", "true")
	pseudo.Main.Version = "v0.0.0-20261201002712-2c26aed7fa3b+dirty"
	tests := []struct {
		name                  string
		bi                    *debug.BuildInfo
		version, commit, date string // stamped
		want                  Info
	}{
		{name: "release build: the stamp wins", bi: vcs("", "", ""),
			version: "v1.4.0", commit: "abc123", date: "2026-11-30T10:00:00Z",
			want: Info{Version: "v1.4.0", Commit: "abc123", Date: "2026-11-30T10:00:00Z"}},
		{name: "release build of a dirty tree", bi: nil, version: "v1.4.0-2-gabc1234-dirty", commit: "abc1234",
			want: Info{Version: "v1.4.0-2-gabc1234-dirty", Commit: "abc1234", Modified: true}},
		{name: "go build in a git checkout", bi: pseudo,
			want: Info{Version: "v0.0.0-20261201002712-2c26aed7fa3b+dirty", Commit: "2c26aed7fa3b", Date: "2026-12-01T00:27:12Z", Modified: true}},
		{name: "go build without VCS information", bi: vcs("", "", ""), want: Info{Version: Devel}},
		{name: "go install of a tagged version", bi: installed, want: Info{Version: "v1.3.0"}},
		{name: "no build information at all", bi: nil, want: Info{Version: Devel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := from(tt.bi, tt.version, tt.commit, tt.date)
			got.GoVersion, got.Platform = "", ""
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestStringSaysWhatIsUnknown(t *testing.T) {
	s := Info{Version: Devel, GoVersion: "go1.26.8", Platform: "linux/amd64"}.String()
	for _, want := range []string{"s1collector devel\n", "commit: unknown", "date:   unknown", "go:     go1.26.8 linux/amd64",
		`no version recorded: "go run"`} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	s = Info{Version: "v1.4.0-dirty", Commit: "abc", Modified: true}.String()
	if !strings.Contains(s, "commit: abc (with uncommitted changes)") || strings.Contains(s, "no version recorded") {
		t.Errorf("%q does not say the tree was modified, or says no version was recorded", s)
	}
}
