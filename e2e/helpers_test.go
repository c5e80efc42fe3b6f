package e2e

import (
	"fmt"
	"os"
	"path/filepath"
)

func mkdir(w *workdir, name string) error { return os.MkdirAll(filepath.Join(w.dir, name), 0o755) }

func jsonNumber(v any) string { return fmt.Sprint(v) }
