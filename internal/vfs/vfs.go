// Package vfs owns the filesystem an attacker sees: a persona's read-only image with a
// copy-on-write overlay per source IP on top, kept in the data dir and bounded by quotas.
// Nothing here ever opens a host path named by an attacker: overlay contents are stored
// under names the sensor makes itself.
package vfs

import (
	"io/fs"
	"time"
)

// Meta describes one filesystem entry, as stat(2) would.
type Meta struct {
	Name   string      // base name ("" for the root)
	Mode   fs.FileMode // type bits and permissions, including setuid/setgid/sticky
	UID    uint32
	GID    uint32
	Size   int64
	MTime  time.Time
	ATime  time.Time
	CTime  time.Time
	Nlink  uint32
	Ino    uint64
	Target string // symlink target, for symlinks only
}

// Image is a read-only filesystem tree: the persona's. Paths are absolute and cleaned.
// Implementations must be safe for concurrent use: one image serves every session.
type Image interface {
	// Lstat returns the entry at p without following a final symlink.
	Lstat(p string) (Meta, bool)
	// ReadDir lists the directory at p (no symlink following), sorted by name.
	ReadDir(p string) ([]Meta, bool)
	// ReadFile returns the content of the regular file at p. For files whose content the
	// image does not hold in full (large binaries), it returns what it has and no error.
	ReadFile(p string) ([]byte, error)
}
