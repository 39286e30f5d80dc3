package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestSaveFileStoresByHashNeverExecutable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "downloads")
	s, err := New(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("#!/bin/sh\necho pwned\n")
	sum, err := s.SaveFile(data)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	if sum != hex.EncodeToString(want[:]) {
		t.Fatalf("hash = %s, want %x", sum, want)
	}
	p := filepath.Join(dir, sum)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode = %v, want 0644", st.Mode().Perm())
	}
	got, _ := os.ReadFile(p)
	if string(got) != string(data) {
		t.Fatalf("content = %q", got)
	}
	// An operator chmod +x is undone on the next save of the same sample.
	if err := os.Chmod(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveFile(data); err != nil {
		t.Fatal(err)
	}
	st, _ = os.Stat(p)
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode after resave = %v", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("want exactly one file (no temporaries left), got %d", len(ents))
	}
}

func TestSaveFileConcurrentSameContent(t *testing.T) {
	s, err := New(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SaveFile([]byte("same")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ents, _ := os.ReadDir(s.Dir())
	if len(ents) != 1 {
		t.Fatalf("got %d files, want 1", len(ents))
	}
}

func TestSaveFileLimitAndPath(t *testing.T) {
	s, err := New(t.TempDir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveFile([]byte("12345")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if _, err := s.Path("../../etc/passwd"); err == nil {
		t.Fatal("Path accepted a non-hash name")
	}
	sum, err := s.SaveFile([]byte("ok"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Path(sum)
	if err != nil || filepath.Dir(p) != s.Dir() {
		t.Fatalf("Path(%s) = %s, %v", sum, p, err)
	}
}
