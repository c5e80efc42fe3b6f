package config

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileMode is a file's permission bits, written in octal: 0640, 640 or
// 0o640.
type FileMode fs.FileMode

// DefaultFileMode is the mode of output files: owner reads and writes,
// its group reads, others nothing.
const DefaultFileMode FileMode = 0o640

// Perm is the mode as the os package takes it.
func (m FileMode) Perm() fs.FileMode { return fs.FileMode(m) & fs.ModePerm }

func (m FileMode) String() string { return fmt.Sprintf("%04o", uint32(m)) }

func (m *FileMode) decodeYAML(d *decoder, n *yaml.Node, path string) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0"), 8, 32)
	if err != nil || v > 0o777 || s == "" {
		d.fail(n, path, "%q is not a file mode in octal like 0640", d.shown(n, s))
		return
	}
	*m = FileMode(v)
}
