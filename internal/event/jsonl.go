package event

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// JSONLog writes one Cowrie-shaped JSON object per line, appending to a file.
type JSONLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
	w    *bufio.Writer
}

// OpenJSONLog opens (creating as needed) the log file at path, e.g. DATA_DIR/log/lure.json.
func OpenJSONLog(path string) (*JSONLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating event log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("opening event log: %w", err)
	}
	return &JSONLog{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// Name implements Sink.
func (j *JSONLog) Name() string { return "json" }

// Write implements Sink: the batch is flushed to the file before Write returns.
func (j *JSONLog) Write(_ context.Context, batch []Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range batch {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encoding event %s: %w", e.EventID, err)
		}
		j.w.Write(b)
		j.w.WriteByte('\n')
	}
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", j.path, err)
	}
	return nil
}

// Close implements Sink.
func (j *JSONLog) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.w.Flush(); err != nil {
		j.f.Close()
		return err
	}
	return j.f.Close()
}
