// Package buildinfo says which build of s1collector is running: the
// version, commit and date the release build stamps with -ldflags -X, or,
// for a plain "go build" or "go install", what the Go toolchain recorded in
// the binary (module version, VCS revision and time).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped by the release build (see the Makefile):
//
//	-X s1collector/internal/buildinfo.version=v1.4.0
//	-X s1collector/internal/buildinfo.commit=<full git hash>
//	-X s1collector/internal/buildinfo.date=<commit time, RFC 3339>
var version, commit, date string

// Devel is the version of a build that carries none: built from a source
// tree without version control information (-buildvcs=false, or no git).
const Devel = "devel"

// Info describes the running binary.
type Info struct {
	Version   string // v1.4.0, v1.4.0-3-gabc1234-dirty, a Go pseudo-version, or Devel
	Commit    string // git revision; "" when unknown
	Date      string // when the commit was made (RFC 3339); "" when unknown
	Modified  bool   // built from a tree with uncommitted changes
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// Read returns the running binary's build information.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(bi, version, commit, date)
}

// from prefers the stamped values and falls back, one by one, on what the
// toolchain recorded.
func from(bi *debug.BuildInfo, version, commit, date string) Info {
	info := Info{Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = Devel
	}
	info.Modified = info.Modified || strings.HasSuffix(info.Version, "-dirty")
	return info
}

// String is the text of "s1collector version".
func (i Info) String() string {
	unknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	commit := unknown(i.Commit)
	if i.Modified && i.Commit != "" {
		commit += " (with uncommitted changes)"
	}
	s := fmt.Sprintf("s1collector %s\n  commit: %s\n  date:   %s\n  go:     %s %s\n",
		i.Version, commit, unknown(i.Date), i.GoVersion, i.Platform)
	if i.Version == Devel && i.Commit == "" {
		s += "  (" + NoVersionWhy + ")\n"
	}
	return s
}

// NoVersionWhy says why a build has no version: Go records git's only in
// "go build" and "go install", in a clone (not in a git worktree, whose
// .git is a file), without -buildvcs=false.
const NoVersionWhy = `no version recorded: "go run", -buildvcs=false (GOFLAGS too) and builds outside ` +
	`a git clone (a git worktree too) record none; "make", or "go build" in a clone, do`
