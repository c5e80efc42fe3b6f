// Package file writes events as NDJSON files, one per source and stream:
// <dir>/<source>/<stream>.ndjson. A batch is appended and fsync'd before it
// counts as delivered, and a line is complete or absent after a crash: a
// torn last line left by a crash is cut off when the file is reopened.
// Files are created 0640 and folders 0750 unless told otherwise, and a
// symbolic link where a file belongs is refused, never followed.
package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"s1collector/internal/delivery"
)

// Config configures the output.
type Config struct {
	Dir string
	// MaxBytes rotates a file before it would grow past this size: it is
	// renamed <stream>-<UTC time>.ndjson and a new one begins. 0 never.
	MaxBytes int64
	// Mode is the permission of new files (default 0640); their folders
	// get it plus search where reading is allowed (0750).
	Mode fs.FileMode
}

// DefaultMode is the permission of new files: the owner reads and
// writes, its group reads.
const DefaultMode fs.FileMode = 0o640

func (c Config) fileMode() fs.FileMode {
	if c.Mode == 0 {
		return DefaultMode
	}
	return c.Mode & fs.ModePerm
}

// dirMode adds search (x) wherever the file mode allows reading.
func (c Config) dirMode() fs.FileMode {
	m := c.fileMode()
	return m | (m&0o444)>>2
}

// Validate reports what cannot work.
func (c Config) Validate() error {
	if c.Dir == "" {
		return errors.New("dir: is required")
	}
	if c.MaxBytes < 0 {
		return errors.New("max_bytes: must not be negative")
	}
	if c.Mode != 0 && c.Mode&0o600 != 0o600 {
		return fmt.Errorf("mode: %04o does not let the collector read and write its files", c.Mode)
	}
	return nil
}

// Output is a file output.
type Output struct {
	name string
	cfg  Config
	log  *slog.Logger
	mu   sync.Mutex
	open map[string]*os.File // by relative path
}

// New returns a file output; files are opened on first delivery.
func New(name string, cfg Config, log *slog.Logger) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("file output %s: %w", name, err)
	}
	return &Output{name: name, cfg: cfg, log: log, open: map[string]*os.File{}}, nil
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Path is where a stream's events go.
func (o *Output) Path(source, stream string) string {
	return filepath.Join(o.cfg.Dir, source, stream+".ndjson")
}

// Deliver appends the batch in one write and syncs it to disk.
func (o *Output) Deliver(_ context.Context, b delivery.Batch) error {
	var buf bytes.Buffer
	for _, e := range b.Events {
		buf.Write(e.Decorated())
		buf.WriteByte('\n')
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	path := o.Path(b.Source, b.Stream)
	f, err := o.file(path, int64(buf.Len()))
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		o.drop(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		o.drop(path)
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// file returns the open file for path, rotating it first if adding n bytes
// would pass MaxBytes.
func (o *Output) file(path string, n int64) (*os.File, error) {
	f := o.open[path]
	if f == nil {
		var err error
		if f, err = o.openRepaired(path); err != nil {
			return nil, err
		}
		o.open[path] = f
	}
	if o.cfg.MaxBytes <= 0 {
		return f, nil
	}
	st, err := f.Stat()
	if err != nil || st.Size() == 0 || st.Size()+n <= o.cfg.MaxBytes {
		return f, err
	}
	f.Close()
	delete(o.open, path)
	rotated := fmt.Sprintf("%s-%s.ndjson", path[:len(path)-len(".ndjson")], time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := os.Rename(path, rotated); err != nil {
		return nil, fmt.Errorf("rotate %s: %w", path, err)
	}
	return o.file(path, n)
}

func (o *Output) drop(path string) {
	if f := o.open[path]; f != nil {
		f.Close()
		delete(o.open, path)
	}
}

// openRepaired opens path for appending, first cutting a last line that a
// crash left without its newline. A symbolic link at path is refused: the
// collector would otherwise cut and append to whatever file it points at.
func (o *Output) openRepaired(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), o.cfg.dirMode()); err != nil {
		return nil, fmt.Errorf("create folder for %s: %w", path, err)
	}
	f, err := openNoFollow(path, o.cfg.fileMode())
	if err != nil {
		return nil, err
	}
	end, err := completeEnd(f)
	if err == nil {
		st, _ := f.Stat()
		if end < st.Size() {
			o.log.Warn("cut an incomplete last line left by a crash; the batch it belonged to is delivered again", "file", path, "bytes", st.Size()-end)
			err = f.Truncate(end)
		}
	}
	if err == nil {
		_, err = f.Seek(end, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}

// completeEnd is the offset just after the last newline (0 if none).
func completeEnd(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := st.Size(); end > 0; {
		start := max(end-int64(len(buf)), 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Check proves the folder can be written.
func (o *Output) Check(context.Context) error {
	if err := os.MkdirAll(o.cfg.Dir, o.cfg.dirMode()); err != nil {
		return err
	}
	f, err := os.CreateTemp(o.cfg.Dir, ".check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", o.cfg.Dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// Close closes every file.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	for p, f := range o.open {
		errs = append(errs, f.Close())
		delete(o.open, p)
	}
	return errors.Join(errs...)
}
