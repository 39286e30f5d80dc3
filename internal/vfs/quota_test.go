package vfs

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestDefaultQuotas(t *testing.T) {
	q := DefaultQuotas()
	if q.PerIP != 16<<20 || q.PerFile != 4<<20 || q.Total != 1<<30 || q.Entries != 65536 {
		t.Errorf("DefaultQuotas() = %+v", q)
	}
	if got := (Quotas{PerFile: 7}).withDefaults(); got.PerFile != 7 || got.PerIP != q.PerIP || got.Total != q.Total {
		t.Errorf("withDefaults = %+v", got)
	}
	// The default per-file quota applies to a plain MemFS.
	f := NewMemFS(testImage())
	wantErrno(t, f.WriteFile("/tmp/max", make([]byte, 4<<20), 0o644), 0)
	err := f.WriteFile("/tmp/over", make([]byte, 4<<20+1), 0o644)
	wantErrno(t, err, syscall.EFBIG)
	if Strerror(err) != "File too large" {
		t.Errorf("Strerror = %q", Strerror(err))
	}
}

func TestPerFileQuota(t *testing.T) {
	f := NewMemFSQuotas(testImage(), Quotas{PerFile: 10})
	wantErrno(t, f.WriteFile("/tmp/a", []byte("0123456789"), 0o644), 0)
	wantErrno(t, f.WriteFile("/tmp/b", []byte("0123456789A"), 0o644), syscall.EFBIG)
	wantErrno(t, f.AppendFile("/tmp/a", []byte("x"), 0o644), syscall.EFBIG)
	if got := mustRead(t, f, "/tmp/a"); got != "0123456789" {
		t.Errorf("failed append changed the file: %q", got)
	}
	// Appending to an image file counts its image content.
	wantErrno(t, f.AppendFile("/etc/hostname", []byte("12345"), 0o644), syscall.EFBIG)
	if _, err := f.Stat("/tmp/b"); err == nil {
		t.Errorf("failed write created the file")
	}
	if f.Usage() != 10 {
		t.Errorf("usage %d", f.Usage())
	}
}

func TestPerIPQuota(t *testing.T) {
	f := NewMemFSQuotas(testImage(), Quotas{PerIP: 20})
	wantErrno(t, f.WriteFile("/tmp/a", bytes.Repeat([]byte("a"), 15), 0o644), 0)
	err := f.WriteFile("/tmp/b", bytes.Repeat([]byte("b"), 6), 0o644)
	wantErrno(t, err, syscall.ENOSPC)
	if Strerror(err) != "No space left on device" {
		t.Errorf("Strerror = %q", Strerror(err))
	}
	// Growing a file counts only the growth.
	wantErrno(t, f.WriteFile("/tmp/a", bytes.Repeat([]byte("a"), 20), 0o644), 0)
	wantErrno(t, f.Symlink("x", "/tmp/l"), syscall.ENOSPC)
	// Renames are free, removal gives bytes back.
	wantErrno(t, f.Rename("/tmp/a", "/root/a"), 0)
	if f.Usage() != 20 {
		t.Errorf("usage after rename %d", f.Usage())
	}
	wantErrno(t, f.Remove("/root/a"), 0)
	if f.Usage() != 0 {
		t.Errorf("usage after remove %d", f.Usage())
	}
	wantErrno(t, f.WriteFile("/tmp/b", bytes.Repeat([]byte("b"), 20), 0o644), 0)
	// Truncating gives bytes back too.
	wantErrno(t, f.WriteFile("/tmp/b", nil, 0o644), 0)
	if f.Usage() != 0 {
		t.Errorf("usage after truncate %d", f.Usage())
	}
}

func TestEntryQuota(t *testing.T) {
	f := NewMemFSQuotas(testImage(), Quotas{Entries: 10})
	var err error
	made := 0
	for i := 0; i < 20 && err == nil; i++ {
		err = f.WriteFile(fmt.Sprintf("/tmp/f%d", i), nil, 0o644)
		if err == nil {
			made++
		}
	}
	wantErrno(t, err, syscall.ENOSPC)
	if made == 0 || made > 10 {
		t.Errorf("made %d empty files under an entry quota of 10", made)
	}
	if f.ov.entries > 10 {
		t.Errorf("entries %d over quota", f.ov.entries)
	}
	// Deleting image entries still works when full (each whiteout stands for an image entry).
	wantErrno(t, f.Remove("/etc/passwd"), 0)
	wantErrno(t, f.Mkdir("/tmp/d", 0o755), syscall.ENOSPC)
	// Removing overlay entries makes room again.
	for _, p := range []string{"/tmp/f0", "/tmp/f1", "/tmp/f2"} {
		wantErrno(t, f.Remove(p), 0)
	}
	wantErrno(t, f.Mkdir("/tmp/d", 0o755), 0)
}

func TestTotalQuotaEvictsLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	m := newTestManager(t, dir, Quotas{PerIP: 80, Total: 100})
	write := func(ip, p string, n int) error {
		t.Helper()
		f, err := m.Acquire(ip)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := f.Release(); err != nil {
				t.Fatal(err)
			}
		}()
		return f.WriteFile(p, bytes.Repeat([]byte("x"), n), 0o644)
	}
	wantErrno(t, write("10.0.0.1", "/tmp/a", 50), 0)
	wantErrno(t, write("10.0.0.2", "/tmp/b", 40), 0)
	if m.TotalUsage() != 90 {
		t.Fatalf("total %d", m.TotalUsage())
	}
	fileA, fileB := m.file(fileKey("10.0.0.1")), m.file(fileKey("10.0.0.2"))
	for _, p := range []string{fileA, fileB} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("overlay not persisted: %v", err)
		}
	}
	// 10.0.0.3 needs 30 bytes: the least recently used overlay (10.0.0.1) goes.
	wantErrno(t, write("10.0.0.3", "/tmp/c", 30), 0)
	if _, err := os.Stat(fileA); !os.IsNotExist(err) {
		t.Errorf("LRU overlay file still there: %v", err)
	}
	if _, err := os.Stat(fileB); err != nil {
		t.Errorf("more recent overlay evicted: %v", err)
	}
	if m.TotalUsage() != 70 {
		t.Errorf("total %d after eviction", m.TotalUsage())
	}
	f, _ := m.Acquire("10.0.0.1")
	if _, err := f.Stat("/tmp/a"); err == nil || f.Usage() != 0 {
		t.Errorf("evicted overlay still visible")
	}
	// An overlay in use is never evicted: with 10.0.0.2 held, 10.0.0.1 cannot get 40
	// bytes once 10.0.0.3 (the only idle one) is gone.
	g, _ := m.Acquire("10.0.0.2")
	wantErrno(t, f.WriteFile("/tmp/big", bytes.Repeat([]byte("y"), 60), 0o644), 0) // evicts 10.0.0.3
	wantErrno(t, f.WriteFile("/tmp/more", []byte("z"), 0o644), syscall.ENOSPC)
	if _, err := g.Stat("/tmp/b"); err != nil {
		t.Errorf("in-use overlay lost its file: %v", err)
	}
	if m.TotalUsage() != 100 {
		t.Errorf("total %d", m.TotalUsage())
	}
	f.Release()
	g.Release()
}
