package config

import (
	"fmt"
	"io"
	"os"
)

// Size limits of the files a config names: far above real ones, low
// enough that a wrong path (a log, a disk image, /dev/zero) is refused at
// once instead of filling memory.
const (
	MaxConfigBytes    = 4 << 20
	MaxTokenFileBytes = 64 << 10
	MaxSumoFileBytes  = 1 << 20
)

// readFile reads a regular file of at most limit bytes. Symbolic links are
// followed (secrets mounted by Kubernetes are links); a FIFO, device or
// folder is refused without being opened, so reading cannot hang or grow
// without end.
func readFile(path string, limit int64) ([]byte, error) { return read(path, limit, false) }

// readConfigFile reads the config itself, which may also be a pipe the
// operator feeds (--config <(envsubst < tmpl), a FIFO): read up to the
// limit like a file, so it costs bounded memory; waiting for its writer is
// what the operator asked for.
func readConfigFile(path string) ([]byte, error) { return read(path, MaxConfigBytes, true) }

func read(path string, limit int64, pipes bool) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() && !(pipes && st.Mode()&os.ModeNamedPipe != 0) {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, kind(st.Mode()))
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: is it the right file?", path, st.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s grew past the %d bytes allowed while being read", path, limit)
	}
	return b, err
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
