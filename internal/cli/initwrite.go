package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// configMode lets the service's own user read the config (systemd's dynamic
// user, the container's 65532): init never writes a secret into it.
const configMode = 0o644

// folderMode is that of the folders init creates, whatever the umask: the
// service's user must reach the config through them.
const folderMode = 0o755

// writeConfig writes the file whole or not at all, and keeps an existing
// one unless forced. Through a symbolic link, the file it points to is
// written and the link kept; written is the file written.
func writeConfig(path string, cfg []byte, force bool) (written string, err error) {
	target, err := configTarget(path, force)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(target)
	if err := mkdirReadable(dir); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".s1collector-init-*")
	if err != nil {
		return "", cannotWrite(dir, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(cfg)
	if err == nil {
		err = tmp.Chmod(configMode) // whatever the umask
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", cannotWrite(dir, err)
	}
	if force {
		if err := os.Rename(tmp.Name(), target); err != nil {
			return "", cannotWrite(dir, err)
		}
		return target, nil
	}
	// A link, unlike a rename, never replaces what is there.
	if err := os.Link(tmp.Name(), target); errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s already exists: keep it, choose another --config, or replace it with --force", path)
	} else if err != nil {
		return "", cannotWrite(dir, err)
	}
	return target, nil
}

// configTarget is the file to write for --config path: refused when it
// cannot be a file; the file a symbolic link points to when forced.
func configTarget(path string, force bool) (string, error) {
	if path == "" {
		return "", errors.New("--config is empty: give the file to write, or - to print it")
	}
	st, err := os.Stat(path)
	if strings.HasSuffix(path, string(filepath.Separator)) || (err == nil && st.IsDir()) {
		return "", fmt.Errorf("--config %s is a folder: give the file to write, e.g. --config %s",
			shellQuote(path), shellQuote(filepath.Join(path, DefaultConfig)))
	}
	if err == nil && !st.Mode().IsRegular() {
		return "", fmt.Errorf("--config %s is not a regular file (%s): give the file to write", shellQuote(path), st.Mode().Type())
	}
	if lst, lerr := os.Lstat(path); !force || lerr != nil || lst.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	if err == nil {
		return filepath.EvalSymlinks(path)
	}
	// A link to a file still to write.
	dest, err := os.Readlink(path)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(filepath.Dir(path), dest)
	}
	return dest, nil
}

// mkdirReadable creates dir and its missing parents with folderMode,
// whatever the umask; folders that exist are left as they are.
func mkdirReadable(dir string) error {
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a folder: choose another --config", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirReadable(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, folderMode); errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return cannotWrite(filepath.Dir(dir), err)
	}
	if err := os.Chmod(dir, folderMode); err != nil {
		return cannotWrite(dir, err)
	}
	return nil
}

// cannotWrite names the folder init could not write in, never its
// temporary file, and what to do.
func cannotWrite(dir string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot write in %s: user %s may not (run init as a user who may, e.g. with sudo, or choose another --config)", dir, currentUser())
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("cannot write in %s: %v", dir, err)
}
