package persona

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// image is a loaded persona filesystem. Everything but the blob cache and the lazily
// derived tables is fixed at load, so lookups take no lock.
type image struct {
	nodes []node
	index map[string]int32
	facts dynFacts

	cache blobCache

	lazyOnce sync.Once
	derived  *derived
}

// node is one entry in memory.
type node struct {
	meta              vfs.Meta
	owner, group      string
	md5, sha1, sha256 string
	rdev              uint64
	pack              *zip.File // where the stored content is, if any
	off, len          int64
	full              bool
	dynamic           dynKind
	children          []int32 // directories only, sorted by name
}

// derived holds tables computed on first use from the image's own files.
type derived struct {
	accounts      *accounts
	osRelease     map[string]string
	packages      []Package
	packageByName map[string]int
}

var _ vfs.Image = (*image)(nil)
var _ vfs.Image = (*Persona)(nil)

func load(name string) (*Persona, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("persona: reading %s: %w", name, err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("persona: %s: %w", name, err)
	}
	return p, nil
}

// Parse loads a persona from the bytes of a persona file. The returned persona keeps
// referring to data (blobs are decompressed from it on demand), so data must not change.
// A corrupt file yields an error, never a panic.
func Parse(data []byte) (*Persona, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a persona file (bad zip archive): %w", err)
	}
	var mf *zip.File
	packs := map[int64]*zip.File{}
	for _, f := range zr.File {
		switch {
		case f.Name == manifestName:
			mf = f
		case strings.HasPrefix(f.Name, packPrefix):
			n, err := strconv.ParseInt(f.Name[len(packPrefix):], 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad pack name %q", f.Name)
			}
			if f.UncompressedSize64 > maxPackBytes {
				return nil, fmt.Errorf("pack %s is %d bytes, more than the %d allowed", f.Name, f.UncompressedSize64, maxPackBytes)
			}
			packs[n] = f
		}
	}
	if mf == nil {
		return nil, fmt.Errorf("not a persona file: no %s in the archive", manifestName)
	}
	raw, err := readZipFile(mf, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decoding the manifest: %w", err)
	}
	if m.Format != formatVersion {
		return nil, fmt.Errorf("persona format %d is not supported (this build reads format %d)", m.Format, formatVersion)
	}
	if err := checkFacts(&m.Facts); err != nil {
		return nil, err
	}
	img, err := buildImage(m.Entries, packs)
	if err != nil {
		return nil, err
	}
	f := m.Facts
	p := &Persona{
		Hostname:  f.Hostname,
		SSHBanner: f.SSHBanner,
		Kernel:    f.Kernel,
		Hardware:  f.Hardware,
		BootTime:  f.BootTime.UTC(),
		Processes: f.Processes,
		Image:     img,
		img:       img,
	}
	img.facts = p.dynFacts()
	return p, nil
}

func checkFacts(f *facts) error {
	if f.Hardware.CPUs < 0 || f.Hardware.CPUs > 1<<16 {
		return fmt.Errorf("implausible CPU count %d in the manifest", f.Hardware.CPUs)
	}
	if f.Hardware.MemTotalKB < 0 {
		return fmt.Errorf("negative memory size in the manifest")
	}
	return nil
}

func buildImage(entries []entry, packs map[int64]*zip.File) (*image, error) {
	if len(entries) > maxEntries {
		return nil, fmt.Errorf("manifest lists %d entries, more than the %d allowed", len(entries), maxEntries)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	img := &image{
		nodes: make([]node, len(entries)),
		index: make(map[string]int32, len(entries)),
	}
	for i := range entries {
		e := &entries[i]
		if err := checkPath(e.Path); err != nil {
			return nil, err
		}
		if _, dup := img.index[e.Path]; dup {
			return nil, fmt.Errorf("entry %q is listed twice", e.Path)
		}
		n, err := makeNode(e, packs)
		if err != nil {
			return nil, err
		}
		img.nodes[i] = n
		img.index[e.Path] = int32(i)
	}
	root, ok := img.index["/"]
	if !ok || !img.nodes[root].meta.Mode.IsDir() {
		return nil, errors.New("the image has no root directory")
	}
	// Entries are sorted by path, and siblings share their parent's prefix, so children
	// arrive in name order.
	for i := range entries {
		p := entries[i].Path
		if p == "/" {
			continue
		}
		pi, ok := img.index[path.Dir(p)]
		if !ok || !img.nodes[pi].meta.Mode.IsDir() {
			return nil, fmt.Errorf("entry %q has no parent directory in the image", p)
		}
		img.nodes[pi].children = append(img.nodes[pi].children, int32(i))
	}
	return img, nil
}

func checkPath(p string) error {
	if p == "" || p[0] != '/' || path.Clean(p) != p || strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("bad entry path %q in the manifest", p)
	}
	return nil
}

func makeNode(e *entry, packs map[int64]*zip.File) (node, error) {
	mode, ok := fileMode(e.Mode)
	if !ok {
		return node{}, fmt.Errorf("entry %q has an unknown file type (mode %#o)", e.Path, e.Mode)
	}
	if e.Size < 0 {
		return node{}, fmt.Errorf("entry %q has a negative size", e.Path)
	}
	n := node{
		meta: vfs.Meta{
			Name:   path.Base(e.Path),
			Mode:   mode,
			UID:    e.UID,
			GID:    e.GID,
			Size:   e.Size,
			MTime:  time.Unix(0, e.MTime).UTC(),
			ATime:  time.Unix(0, e.ATime).UTC(),
			CTime:  time.Unix(0, e.CTime).UTC(),
			Nlink:  e.Nlink,
			Ino:    e.Ino,
			Target: e.Target,
		},
		owner:  e.Owner,
		group:  e.Group,
		md5:    e.MD5,
		sha1:   e.SHA1,
		sha256: e.SHA256,
		rdev:   e.Rdev,
		full:   e.Full,
	}
	if e.Path == "/" {
		n.meta.Name = ""
	}
	if mode&fs.ModeSymlink != 0 {
		if e.Target == "" {
			return node{}, fmt.Errorf("symlink %q has no target", e.Path)
		}
	} else {
		n.meta.Target = ""
	}
	if (e.MD5 != "" && !isHexDigest(e.MD5, 32)) || (e.SHA1 != "" && !isHexDigest(e.SHA1, 40)) ||
		(e.SHA256 != "" && !isHexDigest(e.SHA256, 64)) {
		return node{}, fmt.Errorf("entry %q has a malformed hash", e.Path)
	}
	if e.Blob != nil {
		if !mode.IsRegular() {
			return node{}, fmt.Errorf("entry %q has content but is not a regular file", e.Path)
		}
		if len(e.Blob) != 3 {
			return node{}, fmt.Errorf("entry %q has a malformed content reference", e.Path)
		}
		f, ok := packs[e.Blob[0]]
		off, n2 := e.Blob[1], e.Blob[2]
		if !ok || off < 0 || n2 <= 0 || uint64(off)+uint64(n2) > f.UncompressedSize64 {
			return node{}, fmt.Errorf("entry %q refers to content that is not in the file", e.Path)
		}
		n.pack, n.off, n.len = f, off, n2
	}
	if e.Dynamic != "" {
		k, ok := dynKindByName[e.Dynamic]
		if !ok || !mode.IsRegular() {
			return node{}, fmt.Errorf("entry %q has an unknown generator %q", e.Path, e.Dynamic)
		}
		n.dynamic = k
	}
	return n, nil
}

func isHexDigest(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func readZipFile(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The header's size is a hint only: a corrupt file must not make us allocate it.
	buf := make([]byte, 0, min(f.UncompressedSize64, 1<<20))
	w := bytes.NewBuffer(buf)
	if _, err := io.Copy(w, io.LimitReader(rc, limit+1)); err != nil {
		return nil, err
	}
	if int64(w.Len()) > limit {
		return nil, fmt.Errorf("%s is larger than the %d bytes allowed", f.Name, limit)
	}
	return w.Bytes(), nil
}

func (im *image) lookup(p string) (*node, bool) {
	if p == "" || p[0] != '/' {
		return nil, false
	}
	i, ok := im.index[p]
	if !ok {
		i, ok = im.index[path.Clean(p)]
		if !ok {
			return nil, false
		}
	}
	return &im.nodes[i], true
}

// Lstat returns the entry at p without following a final symlink.
func (im *image) Lstat(p string) (vfs.Meta, bool) {
	n, ok := im.lookup(p)
	if !ok {
		return vfs.Meta{}, false
	}
	return n.meta, true
}

// ReadDir lists the directory at p, sorted by name.
func (im *image) ReadDir(p string) ([]vfs.Meta, bool) {
	n, ok := im.lookup(p)
	if !ok || !n.meta.Mode.IsDir() {
		return nil, false
	}
	out := make([]vfs.Meta, len(n.children))
	for i, c := range n.children {
		out[i] = im.nodes[c].meta
	}
	return out, true
}

// ReadFile returns the content the image holds for the file at p, following symlinks.
// Character devices read as empty (the shell gives /dev/zero and friends their meaning).
func (im *image) ReadFile(p string) ([]byte, error) {
	n, err := im.resolve(p)
	if err != nil {
		return nil, err
	}
	switch {
	case n.meta.Mode.IsDir():
		return nil, &fs.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
	case n.meta.Mode&fs.ModeCharDevice != 0:
		return []byte{}, nil
	case !n.meta.Mode.IsRegular():
		return nil, &fs.PathError{Op: "read", Path: p, Err: syscall.EINVAL}
	case n.dynamic != dynNone:
		return renderDynamic(im.facts, n.dynamic, time.Now()), nil
	case n.pack == nil:
		return []byte{}, nil
	}
	data, err := im.packData(n.pack)
	if err == nil && int64(len(data)) < n.off+n.len {
		err = errors.New("pack is shorter than its header says")
	}
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: fmt.Errorf("persona content: %w", err)}
	}
	return bytes.Clone(data[n.off : n.off+n.len]), nil
}

// resolve follows symlinks (within the image) to the entry a path names, as path
// resolution in the kernel does, with its limit of 40 links.
func (im *image) resolve(p string) (*node, error) {
	fail := func(err error) (*node, error) { return nil, &fs.PathError{Op: "open", Path: p, Err: err} }
	if p == "" || p[0] != '/' {
		return fail(syscall.ENOENT)
	}
	pending := strings.Split(p, "/")
	cur := "/"
	links := 0
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, name)
		n, ok := im.lookup(next)
		if !ok {
			return fail(syscall.ENOENT)
		}
		if n.meta.Mode&fs.ModeSymlink != 0 {
			if links++; links > 40 {
				return fail(syscall.ELOOP)
			}
			if strings.HasPrefix(n.meta.Target, "/") {
				cur = "/"
			}
			pending = append(strings.Split(n.meta.Target, "/"), pending...)
			continue
		}
		if !n.meta.Mode.IsDir() && hasComponent(pending) {
			return fail(syscall.ENOTDIR)
		}
		cur = next
	}
	n, _ := im.lookup(cur)
	return n, nil
}

func hasComponent(parts []string) bool {
	for _, s := range parts {
		if s != "" && s != "." {
			return true
		}
	}
	return false
}

func (im *image) info(p string) (FileInfo, bool) {
	n, ok := im.lookup(p)
	if !ok {
		return FileInfo{}, false
	}
	fi := FileInfo{
		Meta:     n.meta,
		Owner:    n.owner,
		Group:    n.group,
		MD5:      n.md5,
		SHA1:     n.sha1,
		SHA256:   n.sha256,
		Complete: n.meta.Mode.IsRegular() && n.dynamic == dynNone && (n.full || n.meta.Size == 0),
	}
	if n.meta.Mode&fs.ModeDevice != 0 {
		fi.DevMajor, fi.DevMinor = devNumbers(n.rdev)
	}
	return fi, true
}

// readResolved is ReadFile for the persona's own lookups: nil when absent.
func (im *image) readResolved(p string) []byte {
	data, err := im.ReadFile(p)
	if err != nil {
		return nil
	}
	return data
}

func (im *image) lazy() *derived {
	im.lazyOnce.Do(func() {
		d := &derived{packageByName: map[string]int{}}
		d.accounts = newAccounts(parsePasswd(im.readResolved("/etc/passwd")), parseGroup(im.readResolved("/etc/group")))
		osr := im.readResolved("/etc/os-release")
		if osr == nil {
			osr = im.readResolved("/usr/lib/os-release")
		}
		d.osRelease = parseOSRelease(osr)
		d.packages = parseDpkgStatus(im.readResolved("/var/lib/dpkg/status"))
		for i, pk := range d.packages {
			if _, dup := d.packageByName[pk.Name]; !dup {
				d.packageByName[pk.Name] = i
			}
		}
		im.derived = d
	})
	return im.derived
}

// blobCache keeps recently read packs decompressed. It is bounded by bytes and simply
// starts over when full: the hot set (passwd, os-release, dpkg status) refills at once.
type blobCache struct {
	mu    sync.Mutex
	data  map[*zip.File][]byte
	bytes int
}

const blobCacheBytes = 8 << 20

func (im *image) packData(f *zip.File) ([]byte, error) {
	c := &im.cache
	c.mu.Lock()
	if d, ok := c.data[f]; ok {
		c.mu.Unlock()
		return d, nil
	}
	c.mu.Unlock()
	d, err := readZipFile(f, maxPackBytes)
	if err != nil {
		return nil, err
	}
	if len(d) > blobCacheBytes/4 {
		return d, nil
	}
	c.mu.Lock()
	if c.data == nil || c.bytes+len(d) > blobCacheBytes {
		c.data = map[*zip.File][]byte{}
		c.bytes = 0
	}
	c.data[f] = d
	c.bytes += len(d)
	c.mu.Unlock()
	return d, nil
}

// hexString is hex.EncodeToString, kept here so capture and load agree on case.
func hexString(b []byte) string { return hex.EncodeToString(b) }
