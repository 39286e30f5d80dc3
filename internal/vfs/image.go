package vfs

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultImageTime returns the time MemImage gives entries added without explicit times.
func DefaultImageTime() time.Time { return time.Date(2024, time.November, 22, 9, 41, 17, 0, time.UTC) }

// MemImage is an in-memory Image built entry by entry. It is meant for tests of every package
// that sits on the vfs, and for personas assembled in memory. Parent directories are created
// on demand (mode 0755, root-owned). Build it first, then share it: the Add methods and the
// Image methods may run concurrently, but an image should not change under live sessions.
type MemImage struct {
	mu    sync.RWMutex
	nodes map[string]*memEntry
	time  time.Time
}

type memEntry struct {
	meta    Meta
	content []byte
	kids    []string // sorted child names, directories only
	subdirs uint32   // how many kids are directories, for the link count
}

// NewMemImage returns an image holding only the root directory.
func NewMemImage() *MemImage {
	m := &MemImage{nodes: make(map[string]*memEntry), time: DefaultImageTime()}
	m.nodes["/"] = &memEntry{meta: Meta{Mode: fs.ModeDir | 0o755, Size: 4096, Ino: 2,
		MTime: m.time, ATime: m.time, CTime: m.time}}
	return m
}

// SetTime sets the MTime/ATime/CTime given to entries added afterwards without explicit times.
func (m *MemImage) SetTime(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.time = t
}

// AddDir adds a directory with the given permission bits (the directory type bit is implied).
// Setuid, setgid and sticky may be given as Go flags or in Unix octal (0o1777).
func (m *MemImage) AddDir(p string, perm fs.FileMode) {
	m.Add(p, Meta{Mode: fs.ModeDir | normPerm(perm), Size: 4096}, nil)
}

// AddFile adds a regular file with the given content and permission bits (0o4755 works).
func (m *MemImage) AddFile(p, content string, perm fs.FileMode) {
	m.Add(p, Meta{Mode: normPerm(perm)}, []byte(content))
}

// AddSymlink adds a symbolic link to target.
func (m *MemImage) AddSymlink(p, target string) {
	m.Add(p, Meta{Mode: fs.ModeSymlink | 0o777, Target: target}, nil)
}

// Add adds or replaces an entry with full control over its metadata. Zero times take the
// image time; a zero Size of a regular file takes len(content), of a symlink len(Target);
// Name is derived from p. Replacing a directory with a non-directory drops its subtree.
// Add panics on a relative path or when a parent exists and is not a directory: both are
// programming errors of whoever builds the image.
func (m *MemImage) Add(p string, meta Meta, content []byte) {
	if !strings.HasPrefix(p, "/") {
		panic(fmt.Sprintf("vfs.MemImage: path %q is not absolute", p))
	}
	p = path.Clean(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	if meta.MTime.IsZero() {
		meta.MTime = m.time
	}
	if meta.ATime.IsZero() {
		meta.ATime = meta.MTime
	}
	if meta.CTime.IsZero() {
		meta.CTime = meta.MTime
	}
	switch {
	case meta.Mode.IsRegular():
		if meta.Size == 0 {
			meta.Size = int64(len(content))
		}
	case meta.Mode&fs.ModeSymlink != 0:
		if meta.Size == 0 {
			meta.Size = int64(len(meta.Target))
		}
	case meta.Mode.IsDir():
		if meta.Size == 0 {
			meta.Size = 4096
		}
	}
	meta.Name = path.Base(p)
	if p == "/" {
		meta.Name = ""
		if !meta.Mode.IsDir() {
			panic("vfs.MemImage: the root must be a directory")
		}
		old := m.nodes["/"]
		old.meta = meta
		return
	}
	m.ensureDir(path.Dir(p))
	parent := m.nodes[path.Dir(p)]
	if old, ok := m.nodes[p]; ok {
		switch {
		case old.meta.Mode.IsDir() && !meta.Mode.IsDir():
			m.dropSubtree(p)
			parent.subdirs--
		case !old.meta.Mode.IsDir() && meta.Mode.IsDir():
			parent.subdirs++
		}
		old.meta = meta
		old.content = content
		return
	}
	m.nodes[p] = &memEntry{meta: meta, content: content}
	m.link(parent, meta.Name, meta.Mode.IsDir())
}

// link adds name to parent's sorted children. Called with m.mu held.
func (m *MemImage) link(parent *memEntry, name string, isDir bool) {
	i := sort.SearchStrings(parent.kids, name)
	parent.kids = append(parent.kids, "")
	copy(parent.kids[i+1:], parent.kids[i:])
	parent.kids[i] = name
	if isDir {
		parent.subdirs++
	}
}

// ensureDir creates p and its parents as directories where missing. Called with m.mu held.
func (m *MemImage) ensureDir(p string) {
	if e, ok := m.nodes[p]; ok {
		if !e.meta.Mode.IsDir() {
			panic(fmt.Sprintf("vfs.MemImage: parent %q is not a directory", p))
		}
		return
	}
	m.ensureDir(path.Dir(p))
	name := path.Base(p)
	m.nodes[p] = &memEntry{meta: Meta{Name: name, Mode: fs.ModeDir | 0o755, Size: 4096,
		MTime: m.time, ATime: m.time, CTime: m.time}}
	m.link(m.nodes[path.Dir(p)], name, true)
}

func (m *MemImage) dropSubtree(p string) {
	e := m.nodes[p]
	for _, k := range e.kids {
		c := path.Join(p, k)
		m.dropSubtree(c)
		delete(m.nodes, c)
	}
	e.kids = nil
	e.subdirs = 0
}

// meta returns e's metadata with a directory's link count filled in as ext4 counts it.
// Called with m.mu held.
func (m *MemImage) meta(e *memEntry) Meta {
	md := e.meta
	if md.Nlink == 0 {
		md.Nlink = 1
		if md.Mode.IsDir() {
			md.Nlink = 2 + e.subdirs
		}
	}
	return md
}

// Lstat implements Image.
func (m *MemImage) Lstat(p string) (Meta, bool) {
	p = path.Clean("/" + p)
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.nodes[p]
	if !ok {
		return Meta{}, false
	}
	return m.meta(e), true
}

// ReadDir implements Image.
func (m *MemImage) ReadDir(p string) ([]Meta, bool) {
	p = path.Clean("/" + p)
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.nodes[p]
	if !ok || !e.meta.Mode.IsDir() {
		return nil, false
	}
	out := make([]Meta, 0, len(e.kids))
	for _, k := range e.kids {
		c := path.Join(p, k)
		out = append(out, m.meta(m.nodes[c]))
	}
	return out, true
}

// ReadFile implements Image. The returned slice is a copy.
func (m *MemImage) ReadFile(p string) ([]byte, error) {
	p = path.Clean("/" + p)
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.nodes[p]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	if !e.meta.Mode.IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errIsDirOrSpecial(e.meta.Mode)}
	}
	return append([]byte(nil), e.content...), nil
}
