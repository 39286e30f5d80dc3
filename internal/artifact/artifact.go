// Package artifact owns the files lure captures from attackers (uploads over SFTP and scp,
// downloads made by wget/curl, scripts written in the shell). Each file is stored once under
// DATA_DIR/downloads/<sha256>, written atomically, mode 0644, and never executable: a
// captured sample must never be run by accident on the sensor.
package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fileMode is the mode of every stored file: readable for analysis, never executable.
const fileMode fs.FileMode = 0o644

// Store keeps captured files under one directory, named by their SHA-256.
// It is safe for concurrent use: names are content hashes and every write goes through a
// temporary file and a rename, so two sessions saving the same sample race harmlessly.
type Store struct {
	dir     string
	maxSize int64
}

// DefaultMaxSize bounds one stored file. Larger captures are refused so that a session cannot
// fill the sensor's disk through the capture path.
const DefaultMaxSize = 64 << 20

// ErrTooLarge is returned by Save for content over the store's size limit.
var ErrTooLarge = errors.New("artifact: file is larger than the capture limit")

// New returns a store writing into dir (DATA_DIR/downloads), created with mode 0755 if
// missing. maxSize <= 0 means DefaultMaxSize.
func New(dir string, maxSize int64) (*Store, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("artifact: create capture directory %s: %w", dir, err)
	}
	return &Store{dir: dir, maxSize: maxSize}, nil
}

// Dir is the directory files are stored in.
func (s *Store) Dir() string { return s.dir }

// Path returns where the file with the given SHA-256 (lower-case hex) is stored.
// It refuses anything that is not a 64-character hex string, so a caller can never be
// tricked into building a path outside the store.
func (s *Store) Path(sha256hex string) (string, error) {
	if !validHex(sha256hex) {
		return "", fmt.Errorf("artifact: %q is not a SHA-256 hex digest", sha256hex)
	}
	return filepath.Join(s.dir, sha256hex), nil
}

// SaveFile stores data and returns its SHA-256 in lower-case hex. It implements the file half
// of commands.Sink. Saving content that is already stored only checks the existing file.
func (s *Store) SaveFile(data []byte) (string, error) {
	if int64(len(data)) > s.maxSize {
		return "", ErrTooLarge
	}
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:])
	final := filepath.Join(s.dir, name)
	if st, err := os.Lstat(final); err == nil && st.Mode().IsRegular() && st.Size() == int64(len(data)) {
		// Same hash and size: the content is already there. Re-assert the mode in case an
		// operator changed it, since a captured sample must never be executable.
		if st.Mode().Perm() != fileMode {
			_ = os.Chmod(final, fileMode)
		}
		return name, nil
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-"+name[:16]+"-*")
	if err != nil {
		return "", fmt.Errorf("artifact: create temporary file in %s: %w", s.dir, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("artifact: write %s: %w", tmpName, err)
	}
	if err := tmp.Chmod(fileMode); err != nil {
		tmp.Close()
		return "", fmt.Errorf("artifact: chmod %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("artifact: sync %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("artifact: close %s: %w", tmpName, err)
	}
	if err := os.Rename(tmpName, final); err != nil {
		return "", fmt.Errorf("artifact: store %s: %w", final, err)
	}
	ok = true
	return name, nil
}

func validHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
