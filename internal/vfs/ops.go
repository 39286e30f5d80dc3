package vfs

import (
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// FS is a session's view: image plus overlay. Safe for concurrent use. Paths are absolute
// (callers resolve the working directory; a relative path is taken from the root); "." and
// ".." are resolved as the kernel does, symlinks are followed except by Lstat, Readlink,
// Remove, RemoveAll, Rename and the link itself in Symlink. Every error is an *fs.PathError
// whose Err is a syscall.Errno, so errors.Is(err, syscall.ENOENT) and Strerror work.
type FS struct {
	ov       *overlay
	cred     cred
	release  func() error // the manager's bookkeeping; nil for a MemFS
	released atomic.Bool
}

// NewMemFS returns an FS with an in-memory overlay that is never persisted (tests, eval, tools).
// It applies the default quotas.
func NewMemFS(img Image) *FS { return NewMemFSQuotas(img, Quotas{}) }

// NewMemFSQuotas is NewMemFS with explicit quotas (zero fields take the defaults). Without a
// manager, Total does not apply.
func NewMemFSQuotas(img Image, q Quotas) *FS { return &FS{ov: newOverlay(img, q)} }

// Release ends one Acquire; the overlay is persisted when its last user leaves. Later calls
// on this FS fail with EBADF; a second Release is a no-op.
func (f *FS) Release() error {
	if f.released.Swap(true) {
		return nil
	}
	if f.release != nil {
		return f.release()
	}
	return nil
}

// Usage returns the bytes this FS's overlay holds against the per-IP quota: the content of
// files written by the attacker plus the targets of their symlinks.
func (f *FS) Usage() int64 {
	f.ov.mu.RLock()
	defer f.ov.mu.RUnlock()
	return f.ov.usage
}

func perr(op, p string, err error) error {
	return &fs.PathError{Op: op, Path: p, Err: err}
}

// rlock takes the overlay's read lock for a query, refusing once the FS is released.
func (f *FS) rlock(op, p string) error {
	if f.released.Load() {
		return perr(op, p, syscall.EBADF)
	}
	f.ov.mu.RLock()
	return nil
}

// lock takes the overlay's write lock for a change, refusing once the FS is released.
func (f *FS) lock(op, p string) error {
	if f.released.Load() {
		return perr(op, p, syscall.EBADF)
	}
	f.ov.mu.Lock()
	f.ov.dirty = true
	return nil
}

// baseName is what os.Stat would call the entry named by p.
func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return ""
	}
	return path.Base(p)
}

// trimSlash drops trailing slashes, keeping "/" itself.
func trimSlash(p string) string {
	t := strings.TrimRight(p, "/")
	if t == "" && p != "" {
		return "/"
	}
	return t
}

// lastComponent returns the last textual component of p ("." for "/tmp/.").
func lastComponent(p string) string {
	c := splitPath(p)
	if len(c) == 0 {
		return ""
	}
	return c[len(c)-1]
}

// Stat returns the metadata of the entry at p, following symlinks.
func (f *FS) Stat(p string) (Meta, error) { return f.stat("stat", p, true) }

// Lstat returns the metadata of the entry at p without following a final symlink.
func (f *FS) Lstat(p string) (Meta, error) { return f.stat("lstat", p, false) }

func (f *FS) stat(op, p string, follow bool) (Meta, error) {
	if err := f.rlock(op, p); err != nil {
		return Meta{}, err
	}
	defer f.ov.mu.RUnlock()
	w, err := f.ov.walk(f.cred, p, follow)
	if err != nil {
		return Meta{}, perr(op, p, err)
	}
	if !w.found {
		return Meta{}, perr(op, p, syscall.ENOENT)
	}
	return f.ov.public(w.node, baseName(p)), nil
}

// ReadDir lists the directory at p, sorted by name, without "." and "..". Entries are
// described as Lstat would describe them.
func (f *FS) ReadDir(p string) ([]Meta, error) {
	if err := f.rlock("open", p); err != nil {
		return nil, err
	}
	defer f.ov.mu.RUnlock()
	w, err := f.ov.walk(f.cred, p, true)
	if err != nil {
		return nil, perr("open", p, err)
	}
	if !w.found {
		return nil, perr("open", p, syscall.ENOENT)
	}
	if !w.node.isDir() {
		return nil, perr("open", p, syscall.ENOTDIR)
	}
	if err := f.cred.allow(w.node.m, accRead); err != nil {
		return nil, perr("open", p, err)
	}
	entries := f.ov.list(w.node)
	out := make([]Meta, len(entries))
	for i, r := range entries {
		out[i] = f.ov.public(r, r.m.Name)
	}
	return out, nil
}

// ReadFile returns the content of the file at p. The caller owns the returned slice.
func (f *FS) ReadFile(p string) ([]byte, error) {
	if err := f.rlock("open", p); err != nil {
		return nil, err
	}
	defer f.ov.mu.RUnlock()
	w, err := f.ov.walk(f.cred, p, true)
	if err != nil {
		return nil, perr("open", p, err)
	}
	if !w.found {
		return nil, perr("open", p, syscall.ENOENT)
	}
	if w.node.isDir() {
		return nil, perr("read", p, syscall.EISDIR)
	}
	if err := f.cred.allow(w.node.m, accRead); err != nil {
		return nil, perr("open", p, err)
	}
	if !w.node.m.Mode.IsRegular() {
		// Devices, fifos and sockets have no stored content; reading one yields nothing,
		// as /dev/null does.
		return nil, nil
	}
	data, err := f.ov.content(w.node)
	if err != nil {
		return nil, perr("read", p, syscall.EIO)
	}
	return append([]byte(nil), data...), nil
}

// WriteFile writes data to the file at p, creating it with perm when missing (perm is used
// as given: callers apply their umask) and truncating it otherwise. A final symlink is
// followed, also when it dangles (the target is created, as open(O_CREAT) does).
func (f *FS) WriteFile(p string, data []byte, perm fs.FileMode) error {
	return f.write(p, data, perm, false)
}

// AppendFile appends data to the file at p, creating it with perm when missing.
func (f *FS) AppendFile(p string, data []byte, perm fs.FileMode) error {
	return f.write(p, data, perm, true)
}

func (f *FS) write(p string, data []byte, perm fs.FileMode, appendData bool) error {
	if err := f.lock("open", p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	w, err := o.walk(f.cred, p, true)
	if err != nil {
		return perr("open", p, err)
	}
	now := o.now()
	if w.found {
		r := w.node
		switch {
		case r.isDir():
			return perr("open", p, syscall.EISDIR)
		case r.m.Mode&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
			// /dev/null and friends swallow what is written to them.
			return nil
		case !r.m.Mode.IsRegular():
			return perr("open", p, syscall.ENXIO)
		}
		if err := f.cred.allow(r.m, accWrite); err != nil {
			return perr("open", p, err)
		}
		newData := data
		if appendData {
			old, err := o.content(r)
			if err != nil {
				return perr("read", p, syscall.EIO)
			}
			newData = make([]byte, 0, len(old)+len(data))
			newData = append(append(newData, old...), data...)
		}
		if int64(len(newData)) > o.q.PerFile {
			return perr("write", p, syscall.EFBIG)
		}
		var had int64
		if r.on != nil && r.on.own {
			had = int64(len(r.on.data))
		}
		if err := o.roomForEntries(o.missing(r.path)); err != nil {
			return perr("open", p, err)
		}
		if err := o.reserve(int64(len(newData)) - had); err != nil {
			return perr("write", p, err)
		}
		n := o.materialize(r.path)
		m := ownMeta(n, r)
		if !appendData {
			newData = append([]byte(nil), newData...)
		}
		n.data, n.own = newData, true
		m.Size = int64(len(newData))
		m.MTime, m.CTime = now, now
		return nil
	}
	if w.dirOnly {
		return perr("open", p, syscall.EISDIR)
	}
	if err := f.cred.allow(w.parent.m, accWrite|accExec); err != nil {
		return perr("open", p, err)
	}
	if int64(len(data)) > o.q.PerFile {
		return perr("write", p, syscall.EFBIG)
	}
	if err := o.roomForEntries(o.missing(w.parent.path) + 1); err != nil {
		return perr("open", p, err)
	}
	if err := o.reserve(int64(len(data))); err != nil {
		return perr("write", p, err)
	}
	k := &onode{
		meta: &Meta{Mode: normPerm(perm), UID: f.cred.uid, GID: f.cred.gid, Size: int64(len(data)),
			MTime: now, ATime: now, CTime: now, Nlink: 1, Ino: o.newIno()},
		data: append([]byte(nil), data...),
		own:  true,
	}
	o.attach(w.parent, w.name, k)
	o.touchDir(w.parent, now)
	return nil
}

// Mkdir creates the directory p with perm (used as given). It fails with EEXIST when
// anything, a dangling symlink included, already has that name.
func (f *FS) Mkdir(p string, perm fs.FileMode) error {
	if err := f.lock("mkdir", p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	return f.mkdirLocked(p, perm)
}

func (f *FS) mkdirLocked(p string, perm fs.FileMode) error {
	o := f.ov
	// mkdir never follows the final symlink, trailing slash or not.
	w, err := o.walk(f.cred, trimSlash(p), false)
	if err != nil {
		return perr("mkdir", p, err)
	}
	if w.found {
		return perr("mkdir", p, syscall.EEXIST)
	}
	if err := f.cred.allow(w.parent.m, accWrite|accExec); err != nil {
		return perr("mkdir", p, err)
	}
	if err := o.roomForEntries(o.missing(w.parent.path) + 1); err != nil {
		return perr("mkdir", p, err)
	}
	now := o.now()
	k := &onode{meta: &Meta{Mode: fs.ModeDir | normPerm(perm), UID: f.cred.uid, GID: f.cred.gid,
		Size: dirSize, MTime: now, ATime: now, CTime: now, Ino: o.newIno()}}
	o.attach(w.parent, w.name, k)
	o.touchDir(w.parent, now)
	return nil
}

// MkdirAll creates p and any missing parents, as os.MkdirAll does. An existing directory
// (or symlink to one) is not an error; an existing non-directory is ENOTDIR.
func (f *FS) MkdirAll(p string, perm fs.FileMode) error {
	if err := f.lock("mkdir", p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	return f.mkdirAllLocked(p, perm, 0)
}

func (f *FS) mkdirAllLocked(p string, perm fs.FileMode, depth int) error {
	w, err := f.ov.walk(f.cred, p, true)
	if err == nil && w.found {
		if w.node.isDir() {
			return nil
		}
		return perr("mkdir", p, syscall.ENOTDIR)
	}
	if err != nil && err != syscall.ENOENT {
		return perr("mkdir", p, err)
	}
	if depth > pathMax/2 {
		return perr("mkdir", p, syscall.ENAMETOOLONG)
	}
	if parent := path.Dir(strings.TrimRight(p, "/")); parent != p && parent != "." && parent != "/" {
		if err := f.mkdirAllLocked(parent, perm, depth+1); err != nil {
			return err
		}
	}
	if err := f.mkdirLocked(p, perm); err != nil {
		// A dangling symlink or "." at the end: what matters is that a directory is there.
		if w, werr := f.ov.walk(f.cred, p, true); werr == nil && w.found && w.node.isDir() {
			return nil
		}
		return err
	}
	return nil
}

// Remove removes the file, symlink or empty directory at p (not following a final symlink).
func (f *FS) Remove(p string) error {
	if err := f.lock("remove", p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	switch lastComponent(p) {
	case ".":
		return perr("rmdir", p, syscall.EINVAL)
	case "..":
		return perr("rmdir", p, syscall.ENOTEMPTY)
	}
	w, err := o.walkEntry(f.cred, p)
	if err != nil {
		return perr("remove", p, err)
	}
	if !w.found {
		return perr("remove", p, syscall.ENOENT)
	}
	if w.isRoot() {
		return perr("rmdir", p, syscall.EBUSY)
	}
	if err := f.cred.allow(w.parent.m, accWrite|accExec); err != nil {
		return perr("remove", p, err)
	}
	if w.node.isDir() && len(o.list(w.node)) > 0 {
		return perr("rmdir", p, syscall.ENOTEMPTY)
	}
	freed := o.detach(w.parent, w.name)
	_ = o.reserve(-freed)
	o.touchDir(w.parent, o.now())
	return nil
}

// RemoveAll removes p and everything under it without following a final symlink, as
// os.RemoveAll does: a missing p is not an error. Removing the root empties it.
func (f *FS) RemoveAll(p string) error {
	if err := f.lock("unlinkat", p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	switch lastComponent(p) {
	case ".", "..":
		return perr("unlinkat", p, syscall.EINVAL)
	}
	w, err := o.walkEntry(f.cred, p)
	if err == syscall.ENOENT {
		return nil
	}
	if err != nil {
		return perr("unlinkat", p, err)
	}
	if !w.found {
		return nil
	}
	if w.isRoot() {
		for _, c := range o.list(w.node) {
			_ = o.reserve(-o.detach(w.node, c.m.Name))
		}
		o.touchDir(w.node, o.now())
		return nil
	}
	_ = o.reserve(-o.detach(w.parent, w.name))
	o.touchDir(w.parent, o.now())
	return nil
}

// Rename moves oldp to newp as rename(2) does: neither final symlink is followed, a file
// replaces a file, a directory replaces an empty directory, and a directory cannot move
// into itself (EINVAL).
func (f *FS) Rename(oldp, newp string) error {
	if err := f.lock("rename", oldp); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	for _, p := range []string{oldp, newp} {
		if p == "" {
			return perr("rename", p, syscall.ENOENT)
		}
		switch lastComponent(p) {
		case "", ".", "..":
			return perr("rename", p, syscall.EBUSY)
		}
	}
	ow, err := o.walkEntry(f.cred, oldp)
	if err != nil {
		return perr("rename", oldp, err)
	}
	if !ow.found {
		return perr("rename", oldp, syscall.ENOENT)
	}
	nw, err := o.walkEntry(f.cred, newp)
	if err != nil {
		return perr("rename", newp, err)
	}
	if nw.dirOnly && !nw.found && !ow.node.isDir() {
		return perr("rename", newp, syscall.ENOTDIR)
	}
	if nw.found && nw.node.path == ow.node.path {
		return nil
	}
	if ow.node.isDir() && (nw.parent.path == ow.node.path || strings.HasPrefix(nw.parent.path, ow.node.path+"/")) {
		return perr("rename", oldp, syscall.EINVAL)
	}
	if nw.found {
		switch {
		case ow.node.isDir() && !nw.node.isDir():
			return perr("rename", newp, syscall.ENOTDIR)
		case !ow.node.isDir() && nw.node.isDir():
			return perr("rename", newp, syscall.EISDIR)
		case nw.node.isDir() && len(o.list(nw.node)) > 0:
			return perr("rename", newp, syscall.ENOTEMPTY)
		}
	}
	for _, d := range []ref{ow.parent, nw.parent} {
		if err := f.cred.allow(d.m, accWrite|accExec); err != nil {
			return perr("rename", oldp, err)
		}
	}
	if err := o.roomForEntries(o.missing(ow.parent.path) + o.missing(nw.parent.path) + 2); err != nil {
		return perr("rename", oldp, err)
	}
	// Both parents get their nodes before anything moves: the new parent's path is never
	// inside the entry being moved (checked above), so this cannot see a half-done state.
	o.materialize(nw.parent.path)
	opn := o.materialize(ow.parent.path)
	mv, had := opn.kids[ow.name]
	if had {
		e, _ := subtree(mv)
		o.entries -= e
		delete(opn.kids, ow.name)
	} else {
		mv = &onode{src: ow.node.src}
	}
	now := o.now()
	ownMeta(mv, ow.node).CTime = now
	if o.imageHas(ow.parent, ow.name) {
		if opn.kids == nil {
			opn.kids = make(map[string]*onode)
		}
		opn.kids[ow.name] = &onode{white: true}
		o.entries++
	}
	freed := o.attach(nw.parent, nw.name, mv)
	_ = o.reserve(-freed)
	o.touchDir(ow.parent, now)
	o.touchDir(nw.parent, now)
	return nil
}

// Symlink creates link pointing at target. The target is stored as given and resolved
// only when the link is followed, inside the virtual tree.
func (f *FS) Symlink(target, link string) error {
	if err := f.lock("symlink", link); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	if target == "" {
		return perr("symlink", link, syscall.ENOENT)
	}
	if strings.IndexByte(target, 0) >= 0 {
		return perr("symlink", link, syscall.EINVAL)
	}
	if len(target) >= pathMax {
		return perr("symlink", link, syscall.ENAMETOOLONG)
	}
	w, err := o.walkEntry(f.cred, link)
	if err != nil {
		return perr("symlink", link, err)
	}
	if w.found {
		return perr("symlink", link, syscall.EEXIST)
	}
	if w.dirOnly {
		return perr("symlink", link, syscall.ENOENT)
	}
	if err := f.cred.allow(w.parent.m, accWrite|accExec); err != nil {
		return perr("symlink", link, err)
	}
	if err := o.roomForEntries(o.missing(w.parent.path) + 1); err != nil {
		return perr("symlink", link, err)
	}
	if err := o.reserve(int64(len(target))); err != nil {
		return perr("symlink", link, err)
	}
	now := o.now()
	k := &onode{meta: &Meta{Mode: fs.ModeSymlink | 0o777, UID: f.cred.uid, GID: f.cred.gid,
		Size: int64(len(target)), MTime: now, ATime: now, CTime: now, Nlink: 1, Ino: o.newIno(),
		Target: target}}
	o.attach(w.parent, w.name, k)
	o.touchDir(w.parent, now)
	return nil
}

// Readlink returns the target of the symlink at p (EINVAL for anything else).
func (f *FS) Readlink(p string) (string, error) {
	if err := f.rlock("readlink", p); err != nil {
		return "", err
	}
	defer f.ov.mu.RUnlock()
	w, err := f.ov.walk(f.cred, p, false)
	if err != nil {
		return "", perr("readlink", p, err)
	}
	if !w.found {
		return "", perr("readlink", p, syscall.ENOENT)
	}
	if !w.node.isSymlink() {
		return "", perr("readlink", p, syscall.EINVAL)
	}
	return w.node.m.Target, nil
}

// change applies fn to the own metadata of the entry at p (following symlinks) and sets
// its ctime, as every inode change does.
func (f *FS) change(op, p string, fn func(m *Meta)) error {
	return f.changeEntry(op, p, true, fn)
}

// changeEntry is change on p itself when follow is false (a symlink's own metadata, as the
// AT_SYMLINK_NOFOLLOW calls do).
func (f *FS) changeEntry(op, p string, follow bool, fn func(m *Meta)) error {
	if err := f.lock(op, p); err != nil {
		return err
	}
	defer f.ov.mu.Unlock()
	o := f.ov
	w, err := o.walk(f.cred, p, follow)
	if err != nil {
		return perr(op, p, err)
	}
	if !w.found {
		return perr(op, p, syscall.ENOENT)
	}
	if f.cred.uid != 0 && f.cred.uid != w.node.m.UID {
		return perr(op, p, syscall.EPERM)
	}
	if err := o.roomForEntries(o.missing(w.node.path)); err != nil {
		return perr(op, p, err)
	}
	n := o.materialize(w.node.path)
	m := ownMeta(n, w.node)
	fn(m)
	m.CTime = o.now()
	return nil
}

// Chmod sets the permission bits (with setuid, setgid and sticky) of p; the type stays.
func (f *FS) Chmod(p string, mode fs.FileMode) error {
	return f.change("chmod", p, func(m *Meta) {
		m.Mode = m.Mode&fs.ModeType | normPerm(mode)
	})
}

// Chown sets the owner of p. As with chown(2), ^uint32(0) leaves that id unchanged.
func (f *FS) Chown(p string, uid, gid uint32) error {
	return f.change("chown", p, func(m *Meta) {
		if uid != ^uint32(0) {
			m.UID = uid
		}
		if gid != ^uint32(0) {
			m.GID = gid
		}
	})
}

// Chtimes sets the access and modification times of p; a zero time leaves that one as is.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	return f.change("utimensat", p, func(m *Meta) {
		if !atime.IsZero() {
			m.ATime = atime
		}
		if !mtime.IsZero() {
			m.MTime = mtime
		}
	})
}

// Lchtimes is Chtimes on p itself: a symlink gets its own times (utimensat with
// AT_SYMLINK_NOFOLLOW, as tar and touch -h use), its target is left alone.
func (f *FS) Lchtimes(p string, atime, mtime time.Time) error {
	return f.changeEntry("utimensat", p, false, func(m *Meta) {
		if !atime.IsZero() {
			m.ATime = atime
		}
		if !mtime.IsZero() {
			m.MTime = mtime
		}
	})
}

// Realpath returns the absolute path of p with every symlink, "." and ".." resolved, as
// realpath(3) does; the entry must exist.
func (f *FS) Realpath(p string) (string, error) {
	if err := f.rlock("realpath", p); err != nil {
		return "", err
	}
	defer f.ov.mu.RUnlock()
	w, err := f.ov.walk(f.cred, p, true)
	if err != nil {
		return "", perr("realpath", p, err)
	}
	if !w.found {
		return "", perr("realpath", p, syscall.ENOENT)
	}
	return w.node.path, nil
}
