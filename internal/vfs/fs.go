package vfs

// CONTRACT STUB: the vfs helper replaces the bodies; the exported API below is the contract.

import (
	"errors"
	"io/fs"
	"time"
)

var errTODO = errors.New("vfs: not implemented yet")

// Quotas bound what attackers may store.
type Quotas struct {
	PerIP   int64 // bytes of overlay content per source IP (default 16 MiB)
	PerFile int64 // bytes per file (default 4 MiB)
	Total   int64 // bytes across all IPs (default 1 GiB); the least recently used IP's overlay is evicted first
}

// Manager hands out one overlay per source IP, persisted under a data directory.
type Manager struct{}

// NewManager loads overlays from dir (created if missing).
func NewManager(img Image, dir string, q Quotas) (*Manager, error) { return nil, errTODO }

// Acquire returns the FS for a source IP. Concurrent sessions of one IP share it.
// Each Acquire must be paired with a Release.
func (m *Manager) Acquire(ip string) (*FS, error) { return nil, errTODO }

// FS is a session's view: image plus overlay. Safe for concurrent use. Paths are absolute
// (callers resolve the working directory); "." and ".." are cleaned, symlinks are followed
// except by Lstat, Readlink, Remove and the link itself in Symlink.
type FS struct{}

// NewMemFS returns an FS with an in-memory overlay that is never persisted (tests, eval, tools).
func NewMemFS(img Image) *FS { return &FS{} }

// Release ends one Acquire; the overlay is persisted when its last user leaves.
func (f *FS) Release() error { return errTODO }

func (f *FS) Stat(p string) (Meta, error)                              { return Meta{}, errTODO }
func (f *FS) Lstat(p string) (Meta, error)                             { return Meta{}, errTODO }
func (f *FS) ReadDir(p string) ([]Meta, error)                         { return nil, errTODO }
func (f *FS) ReadFile(p string) ([]byte, error)                        { return nil, errTODO }
func (f *FS) WriteFile(p string, data []byte, perm fs.FileMode) error  { return errTODO }
func (f *FS) AppendFile(p string, data []byte, perm fs.FileMode) error { return errTODO }
func (f *FS) Mkdir(p string, perm fs.FileMode) error                   { return errTODO }
func (f *FS) MkdirAll(p string, perm fs.FileMode) error                { return errTODO }
func (f *FS) Remove(p string) error                                    { return errTODO }
func (f *FS) RemoveAll(p string) error                                 { return errTODO }
func (f *FS) Rename(oldp, newp string) error                           { return errTODO }
func (f *FS) Symlink(target, link string) error                        { return errTODO }
func (f *FS) Readlink(p string) (string, error)                        { return "", errTODO }
func (f *FS) Chmod(p string, mode fs.FileMode) error                   { return errTODO }
func (f *FS) Chown(p string, uid, gid uint32) error                    { return errTODO }
func (f *FS) Chtimes(p string, atime, mtime time.Time) error           { return errTODO }
func (f *FS) Realpath(p string) (string, error)                        { return "", errTODO }

// Strerror renders an FS error's errno as glibc's strerror does ("No such file or directory").
func Strerror(err error) string { return err.Error() }
