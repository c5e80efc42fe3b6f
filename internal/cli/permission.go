package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// permissionHint is what to do when this user may not write a path the
// config names (the state file's folder, a file output's), as on a first
// run without root of a config written for the service; "" for other
// errors.
func permissionHint(err error) string {
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) {
		return ""
	}
	me := currentUser()
	hint := fmt.Sprintf(" — user %s may not write %s: run s1collector as the user it belongs to (the service's), "+
		"or point state.path and file outputs at a folder of yours (s1collector init --state-dir DIR writes such a config)", me, pe.Path)
	if pe.Op == "mkdir" {
		hint += fmt.Sprintf(", or create it for yourself: sudo install -d -o %s %s", me, shellQuote(filepath.Clean(pe.Path)))
	}
	return hint
}

// withPermissionHint adds permissionHint to an error that has one.
func withPermissionHint(err error) error {
	if hint := permissionHint(err); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}
