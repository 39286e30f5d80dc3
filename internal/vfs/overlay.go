package vfs

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Linux limits, so over-long names fail as they do on the real host (and stay bounded).
const (
	maxSymlinkHops = 40   // MAXSYMLINKS
	pathMax        = 4096 // PATH_MAX, including the terminating NUL
	nameMax        = 255  // NAME_MAX of ext4
	dirSize        = 4096 // st_size of an ext4 directory block
)

// Inode number ranges. Image entries without an inode number get one hashed from their
// image path; overlay entries count up above that range so the two never collide.
const (
	hashInoBase    = 1 << 17
	hashInoSpan    = 1<<20 - hashInoBase
	overlayInoBase = 1 << 20
)

// permBits are the mode bits chmod may change; the type bits always stay.
const permBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// onode is one entry the overlay knows about. The overlay is a tree that mirrors the
// directories an attacker touched; everything else is read from the image through src.
type onode struct {
	white bool              // whiteout: hides the image entry of this name
	src   string            // image path whose metadata/content/children show through; "" if none
	meta  *Meta             // own metadata; nil means the image's metadata at src
	data  []byte            // own content of a regular file (valid when own)
	own   bool              // data replaces the image content at src
	kids  map[string]*onode // children the overlay knows about (directories only)
}

// ref is a resolved entry: where it is (its physical path, without symlinks), its overlay
// node if any and the image path backing it.
type ref struct {
	path string
	on   *onode
	src  string
	m    Meta
}

func (r ref) isDir() bool     { return r.m.Mode.IsDir() }
func (r ref) isSymlink() bool { return r.m.Mode&fs.ModeSymlink != 0 }

// cred is who performs an operation. Sessions run as root today, and root may do
// anything; the checks for other users live in allow alone, so emulating a non-root login
// later means setting FS.cred and nothing else.
type cred struct{ uid, gid uint32 }

// Access bits for allow, as in access(2).
const (
	accExec  = 1
	accWrite = 2
	accRead  = 4
)

// allow reports whether c may access an entry with metadata m as want asks, with the
// owner/group/other rules of the kernel (supplementary groups are not modelled).
func (c cred) allow(m Meta, want int) error {
	if c.uid == 0 {
		return nil
	}
	perm := uint32(m.Mode.Perm())
	var bits uint32
	switch {
	case c.uid == m.UID:
		bits = perm >> 6
	case c.gid == m.GID:
		bits = perm >> 3
	default:
		bits = perm
	}
	if uint32(want)&^bits&7 != 0 {
		return syscall.EACCES
	}
	return nil
}

// overlay is the copy-on-write layer of one source IP (or of one MemFS).
type overlay struct {
	mu        sync.RWMutex
	persistMu sync.Mutex // serialises saves, so an older snapshot never overwrites a newer one
	img       Image
	q         Quotas
	now       func() time.Time
	root      *onode
	usage     int64 // bytes of own file content and symlink targets
	entries   int   // overlay nodes, whiteouts included, root excluded
	nextIno   uint64
	dirty     bool
	// charge asks the manager for delta more bytes across all IPs (negative deltas return
	// bytes). Nil for an FS without a manager.
	charge func(delta int64) error
}

func newOverlay(img Image, q Quotas) *overlay {
	if img == nil {
		img = NewMemImage()
	}
	o := &overlay{img: img, q: q.withDefaults(), now: time.Now, nextIno: overlayInoBase}
	o.root = &onode{src: "/"}
	if m, ok := img.Lstat("/"); !ok || !m.Mode.IsDir() {
		t := DefaultImageTime()
		o.root = &onode{meta: &Meta{Mode: fs.ModeDir | 0o755, Size: dirSize, Ino: 2, MTime: t, ATime: t, CTime: t}}
	}
	return o
}

func hashIno(p string) uint64 {
	// FNV-1a, inline to avoid allocating a hash.Hash per entry listed.
	h := uint64(14695981039346656037)
	for i := 0; i < len(p); i++ {
		h ^= uint64(p[i])
		h *= 1099511628211
	}
	return hashInoBase + h%hashInoSpan
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// splitPath returns the non-empty components of p.
func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, c := range parts {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// imageRef returns the image entry at image path sp, seen at virtual path p.
func (o *overlay) imageRef(p, sp string) (ref, bool) {
	m, ok := o.img.Lstat(sp)
	if !ok {
		return ref{}, false
	}
	if m.Ino == 0 {
		m.Ino = hashIno(sp)
	}
	m.Name = path.Base(p)
	return ref{path: p, src: sp, m: m}, true
}

// nodeRef returns the entry of overlay node k at virtual path p.
func (o *overlay) nodeRef(p string, k *onode) (ref, bool) {
	if k.white {
		return ref{}, false
	}
	if k.meta == nil {
		r, ok := o.imageRef(p, k.src)
		if !ok {
			// The image lost an entry this overlay was made against (a persona upgrade):
			// hide it rather than invent metadata.
			return ref{}, false
		}
		r.on = k
		return r, true
	}
	m := *k.meta
	m.Name = path.Base(p)
	return ref{path: p, on: k, src: k.src, m: m}, true
}

func (o *overlay) rootRef() ref {
	r, ok := o.nodeRef("/", o.root)
	if !ok { // image root vanished; keep a usable root
		t := DefaultImageTime()
		o.root.meta = &Meta{Mode: fs.ModeDir | 0o755, Size: dirSize, Ino: 2, MTime: t, ATime: t, CTime: t}
		r, _ = o.nodeRef("/", o.root)
	}
	r.m.Name = ""
	return r
}

// child looks name up in directory d.
func (o *overlay) child(d ref, name string) (ref, bool) {
	p := joinPath(d.path, name)
	if d.on != nil {
		if k, ok := d.on.kids[name]; ok {
			return o.nodeRef(p, k)
		}
	}
	if d.src == "" {
		return ref{}, false
	}
	return o.imageRef(p, joinPath(d.src, name))
}

// imageHas reports whether the image would show an entry called name in directory d, so
// that removing it from the overlay needs a whiteout.
func (o *overlay) imageHas(d ref, name string) bool {
	if d.src == "" {
		return false
	}
	_, ok := o.img.Lstat(joinPath(d.src, name))
	return ok
}

// list returns the merged entries of directory d, sorted by name.
func (o *overlay) list(d ref) []ref {
	var ms []Meta
	if d.src != "" {
		ms, _ = o.img.ReadDir(d.src)
	}
	var kids map[string]*onode
	if d.on != nil {
		kids = d.on.kids
	}
	out := make([]ref, 0, len(ms)+len(kids))
	for _, m := range ms {
		if _, ok := kids[m.Name]; ok {
			continue
		}
		sp := joinPath(d.src, m.Name)
		if m.Ino == 0 {
			m.Ino = hashIno(sp)
		}
		out = append(out, ref{path: joinPath(d.path, m.Name), src: sp, m: m})
	}
	for name, k := range kids {
		if r, ok := o.nodeRef(joinPath(d.path, name), k); ok {
			out = append(out, r)
		}
	}
	// The image lists in order already; only overlay entries need placing.
	if len(kids) > 0 {
		sort.Slice(out, func(i, j int) bool { return out[i].m.Name < out[j].m.Name })
	}
	return out
}

// public returns r's metadata as stat(2) reports it, named name.
func (o *overlay) public(r ref, name string) Meta {
	m := r.m
	m.Name = name
	if m.Mode.IsDir() {
		// ext4 counts "." and each subdirectory's "..". An untouched image directory keeps
		// the count the image reports (it was captured from a real disk).
		if r.on != nil || m.Nlink == 0 {
			m.Nlink = 2
			for _, c := range o.list(r) {
				if c.isDir() {
					m.Nlink++
				}
			}
		}
	} else if m.Nlink == 0 {
		m.Nlink = 1
	}
	if m.Mode&fs.ModeSymlink == 0 {
		m.Target = ""
	}
	return m
}

// walkResult is where a path leads.
type walkResult struct {
	parent  ref    // the directory that holds (or would hold) the final entry
	name    string // the final entry's name in parent ("" for the root)
	node    ref    // the final entry, when found
	found   bool
	dirOnly bool // the path named a directory (trailing slash, or symlink target with one)
}

func (w walkResult) isRoot() bool { return w.found && w.node.path == "/" }

// walk resolves p. Symlinks are followed everywhere except in the final component when
// follow is false (and the path has no trailing slash). ".." is resolved physically, as the
// kernel does. A missing final component is not an error: found is false and parent/name
// say where it would be created. Resolution only ever consults the image and the overlay.
func (o *overlay) walk(c cred, p string, follow bool) (walkResult, error) {
	if p == "" {
		return walkResult{}, syscall.ENOENT
	}
	if strings.IndexByte(p, 0) >= 0 {
		return walkResult{}, syscall.EINVAL
	}
	if len(p) >= pathMax {
		return walkResult{}, syscall.ENAMETOOLONG
	}
	dirOnly := strings.HasSuffix(p, "/")
	comps := splitPath(p)
	stack := []ref{o.rootRef()}
	hops := 0
	for i := 0; i < len(comps); i++ {
		name := comps[i]
		last := i == len(comps)-1
		cur := stack[len(stack)-1]
		if len(name) > nameMax {
			return walkResult{}, syscall.ENAMETOOLONG
		}
		if !cur.isDir() {
			return walkResult{}, syscall.ENOTDIR
		}
		if err := c.allow(cur.m, accExec); err != nil {
			return walkResult{}, err
		}
		switch name {
		case ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		ch, ok := o.child(cur, name)
		if !ok {
			if last {
				return walkResult{parent: cur, name: name, dirOnly: dirOnly}, nil
			}
			return walkResult{}, syscall.ENOENT
		}
		if ch.isSymlink() && (!last || follow || dirOnly) {
			hops++
			if hops > maxSymlinkHops {
				return walkResult{}, syscall.ELOOP
			}
			t := ch.m.Target
			if t == "" {
				return walkResult{}, syscall.ENOENT
			}
			if last && strings.HasSuffix(t, "/") {
				dirOnly = true
			}
			if strings.HasPrefix(t, "/") {
				stack = stack[:1]
			}
			comps = append(splitPath(t), comps[i+1:]...)
			i = -1
			continue
		}
		stack = append(stack, ch)
	}
	w := walkResult{node: stack[len(stack)-1], found: true, dirOnly: dirOnly}
	if len(stack) > 1 {
		w.parent = stack[len(stack)-2]
		w.name = path.Base(w.node.path)
	} else {
		w.parent = stack[0]
	}
	if dirOnly && !w.node.isDir() {
		return walkResult{}, syscall.ENOTDIR
	}
	return w, nil
}

// walkEntry resolves p for the calls that act on a directory entry itself (unlink, rmdir,
// rename, symlink): the final symlink is never followed, and a trailing slash only demands
// that the entry be a directory (a symlink to one is not), as the kernel does.
func (o *overlay) walkEntry(c cred, p string) (walkResult, error) {
	t := strings.TrimRight(p, "/")
	if t == "" && p != "" {
		t = "/"
	}
	w, err := o.walk(c, t, false)
	if err != nil {
		return w, err
	}
	if t != p {
		w.dirOnly = true
		if w.found && !w.node.isDir() {
			return walkResult{}, syscall.ENOTDIR
		}
	}
	return w, nil
}

// materialize makes sure the overlay holds a node for the existing entry at physical path p
// and returns it. Nodes created here only pass the image through.
func (o *overlay) materialize(p string) *onode {
	n := o.root
	for _, name := range splitPath(p) {
		k, ok := n.kids[name]
		if !ok {
			k = &onode{src: joinPath(n.src, name)}
			if n.kids == nil {
				n.kids = make(map[string]*onode)
			}
			n.kids[name] = k
			o.entries++
		}
		n = k
	}
	return n
}

// ownMeta gives n its own copy of r's metadata, so it can change without touching the image.
func ownMeta(n *onode, r ref) *Meta {
	if n.meta == nil {
		m := r.m
		m.Name = ""
		n.meta = &m
	}
	return n.meta
}

// touchDir records a change of directory d's entries, as the kernel updates mtime and ctime.
func (o *overlay) touchDir(d ref, now time.Time) {
	n := o.materialize(d.path)
	m := ownMeta(n, d)
	m.MTime, m.CTime = now, now
}

func (o *overlay) newIno() uint64 {
	o.nextIno++
	return o.nextIno
}

// subtree returns the number of overlay nodes and the bytes held under n, n included.
func subtree(n *onode) (entries int, bytes int64) {
	entries = 1
	bytes = nodeBytes(n)
	for _, k := range n.kids {
		e, b := subtree(k)
		entries += e
		bytes += b
	}
	return entries, bytes
}

// nodeBytes is what n itself counts against the quotas.
func nodeBytes(n *onode) int64 {
	var b int64
	if n.own {
		b += int64(len(n.data))
	}
	if n.meta != nil && n.meta.Mode&fs.ModeSymlink != 0 && n.src == "" {
		b += int64(len(n.meta.Target))
	}
	return b
}

// reserve accounts for delta more bytes, failing with ENOSPC when a quota is exceeded.
func (o *overlay) reserve(delta int64) error {
	if delta > 0 && o.usage+delta > o.q.PerIP {
		return syscall.ENOSPC
	}
	if o.charge != nil {
		if err := o.charge(delta); err != nil {
			return err
		}
	}
	o.usage += delta
	return nil
}

// roomForEntries fails with ENOSPC (as a disk out of inodes does) when the overlay already
// holds as many nodes as allowed.
func (o *overlay) roomForEntries(n int) error {
	if o.entries+n > o.q.Entries {
		return syscall.ENOSPC
	}
	return nil
}

// missing counts the overlay nodes materialize(p) would have to create.
func (o *overlay) missing(p string) int {
	n, count := o.root, 0
	for _, name := range splitPath(p) {
		if n != nil {
			if k, ok := n.kids[name]; ok {
				n = k
				continue
			}
			n = nil
		}
		count++
	}
	return count
}

// content returns r's file content: the overlay's own, else the image's.
func (o *overlay) content(r ref) ([]byte, error) {
	if r.on != nil && r.on.own {
		return r.on.data, nil
	}
	if r.src == "" {
		return nil, nil
	}
	return o.img.ReadFile(r.src)
}

// detach removes the entry name from directory d, leaving a whiteout when the image would
// otherwise show an entry of that name, and returns the bytes it held.
func (o *overlay) detach(d ref, name string) int64 {
	pn := o.materialize(d.path)
	var freed int64
	if old, ok := pn.kids[name]; ok {
		e, b := subtree(old)
		o.entries -= e
		freed = b
		delete(pn.kids, name)
	}
	if o.imageHas(d, name) {
		if pn.kids == nil {
			pn.kids = make(map[string]*onode)
		}
		pn.kids[name] = &onode{white: true}
		o.entries++
	}
	return freed
}

// attach puts node k under name in directory d, replacing (and returning the bytes of)
// whatever overlay node had that name.
func (o *overlay) attach(d ref, name string, k *onode) int64 {
	pn := o.materialize(d.path)
	var freed int64
	if old, ok := pn.kids[name]; ok {
		e, b := subtree(old)
		o.entries -= e
		freed = b
	}
	if pn.kids == nil {
		pn.kids = make(map[string]*onode)
	}
	pn.kids[name] = k
	e, _ := subtree(k)
	o.entries += e
	return freed
}

func errIsDirOrSpecial(m fs.FileMode) error {
	if m.IsDir() {
		return syscall.EISDIR
	}
	return syscall.EINVAL
}
