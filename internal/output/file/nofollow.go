package file

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrSymlink is a symbolic link where an output file belongs.
var ErrSymlink = errors.New("is a symbolic link: refused, the collector writes only files of its own — remove the link (the file it points at was not touched)")

// openNoFollow opens (creating with mode) a regular file for reading and
// writing without following a symbolic link: O_NOFOLLOW where the system
// has it, and a check of what was opened everywhere.
func openNoFollow(path string, mode fs.FileMode) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("open %s: %w", path, ErrSymlink)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|oNoFollow, mode)
	if err != nil {
		if isLoop(err) {
			return nil, fmt.Errorf("open %s: %w", path, ErrSymlink)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: not a regular file", path)
	}
	return f, nil
}
