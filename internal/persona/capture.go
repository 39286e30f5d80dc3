package persona

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CaptureOptions says what to capture and where the facts that a root filesystem does not
// hold come from. Every host fact can be given as a file, which makes a capture
// reproducible on any machine.
type CaptureOptions struct {
	// Root is the root filesystem to walk, for example a debootstrap tree.
	Root string
	// Hostname overrides Root/etc/hostname.
	Hostname string

	// CPUInfo, MemInfo and ProcVersion name files in /proc/cpuinfo, /proc/meminfo and
	// /proc/version format; empty means this host's. Mounts names a /proc/mounts text
	// served verbatim; empty means one is synthesized from Disks.
	CPUInfo, MemInfo, ProcVersion, Mounts string
	// Machine is uname -m ("x86_64"); empty means this host's.
	Machine string
	// Disks are the mounted filesystems df lists; nil means this host's (statfs of each
	// filesystem in the mounts table that has blocks).
	Disks []Disk
	// BootTime is when the persona booted; zero means this host's boot time.
	BootTime time.Time
	// SSHBanner overrides the banner derived from the openssh-server package.
	SSHBanner string

	// TextCap is the largest text file whose content is kept in full (default 64 KiB).
	// Everything in /etc and the dpkg status database are always kept in full.
	TextCap int64
	// HeadBytes is how much of any other file is kept (default 4 KiB).
	HeadBytes int64

	// MaxBytes, when positive, bounds the persona file: text files outside the trees
	// always kept whole are cut to their head, largest first, until it fits.
	MaxBytes int64

	// Progress, when set, is called now and then during the walk.
	Progress func(CaptureProgress)
}

// CaptureProgress reports how far a capture has come.
type CaptureProgress struct {
	Entries   int    // entries recorded so far
	ReadBytes int64  // file content read (and hashed) so far
	Path      string // the entry just recorded
}

// CaptureSummary describes a finished capture.
type CaptureSummary struct {
	Entries                     int // all entries, synthetic ones included
	Dirs, Files, Symlinks, Misc int // misc: devices, sockets, FIFOs
	Synthetic                   int // entries made up for /proc, /sys, /dev and /run
	FullFiles, HeadFiles        int // regular files kept whole / kept as a head
	Blobs                       int // distinct contents
	Packs                       int // compressed packs they are stored in
	BlobBytes                   int64
	ReadBytes                   int64 // file content read from Root
	OutBytes                    int64 // size of the persona file
	Users, Packages, Processes  int

	Hostname  string
	OS        string // PRETTY_NAME of os-release
	SSHBanner string
	Kernel    Kernel
	Hardware  Hardware
	BootTime  time.Time
}

const (
	defaultTextCap   = 64 << 10
	defaultHeadBytes = 4 << 10
)

// Capture walks opts.Root and writes a persona file to w. Symlinks are recorded, never
// followed; /proc, /sys, /dev and /run are not walked but synthesized from the facts, so
// the image agrees with Hardware and Kernel.
func Capture(ctx context.Context, w io.Writer, opts CaptureOptions) (CaptureSummary, error) {
	if opts.TextCap <= 0 {
		opts.TextCap = defaultTextCap
	}
	if opts.HeadBytes <= 0 {
		opts.HeadBytes = defaultHeadBytes
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return CaptureSummary{}, fmt.Errorf("capture: root %q: %w", opts.Root, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return CaptureSummary{}, fmt.Errorf("capture: root: %w", err)
	}
	if !st.IsDir() {
		return CaptureSummary{}, fmt.Errorf("capture: root %s is not a directory", root)
	}
	opts.Root = root

	host, err := gatherHostFacts(&opts)
	if err != nil {
		return CaptureSummary{}, fmt.Errorf("capture: %w", err)
	}
	c := &capturer{
		opts:    opts,
		index:   map[string]int{},
		blobIdx: map[[32]byte]int{},
	}
	c.acct = newAccounts(parsePasswd(c.readRootFile("/etc/passwd")), parseGroup(c.readRootFile("/etc/group")))

	if err := c.walk(ctx, root, "/"); err != nil {
		return CaptureSummary{}, err
	}

	if opts.Disks == nil {
		// Measured on this host: keep the filesystems mounted where the persona has a
		// directory, so df never lists a mount point ls cannot find.
		host.disks = c.mountedInTree(host.disks)
	}
	f, err := c.buildFacts(host)
	if err != nil {
		return CaptureSummary{}, fmt.Errorf("capture: %w", err)
	}
	if err := c.synthesize(&f, host); err != nil {
		return CaptureSummary{}, fmt.Errorf("capture: %w", err)
	}
	sort.Slice(c.entries, func(i, j int) bool { return c.entries[i].Path < c.entries[j].Path })

	var out int64
	if opts.MaxBytes <= 0 {
		if out, err = c.render(w, f); err != nil {
			return CaptureSummary{}, err
		}
	} else {
		var buf bytes.Buffer
		for {
			buf.Reset()
			n, err := c.render(&buf, f)
			if err != nil {
				return CaptureSummary{}, err
			}
			if n <= opts.MaxBytes {
				break
			}
			if !c.demote(n - opts.MaxBytes) {
				return CaptureSummary{}, fmt.Errorf("capture: the persona takes %d bytes even with every text file outside the kept trees cut to its head, over the %d allowed", n, opts.MaxBytes)
			}
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return CaptureSummary{}, fmt.Errorf("capture: %w", err)
		}
		out = int64(buf.Len())
	}

	s := &c.sum
	s.Entries = len(c.entries)
	for _, e := range c.entries {
		switch e.Mode & sIFMT {
		case sIFDIR:
			s.Dirs++
		case sIFREG:
			s.Files++
		case sIFLNK:
			s.Symlinks++
		default:
			s.Misc++
		}
	}
	s.OutBytes = out
	s.Users = len(c.acct.users)
	s.Packages = len(parseDpkgStatus(c.readRootFile("/var/lib/dpkg/status")))
	s.Processes = len(f.Processes)
	s.Hostname = f.Hostname
	s.OS = parseOSRelease(c.osRelease())["PRETTY_NAME"]
	s.SSHBanner = f.SSHBanner
	s.Kernel = f.Kernel
	s.Hardware = f.Hardware
	s.BootTime = f.BootTime
	return *s, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type capturer struct {
	opts    CaptureOptions
	entries []entry
	index   map[string]int // path -> entries index
	acct    *accounts
	sum     CaptureSummary
	blobs   []*blob
	blobIdx map[[32]byte]int
	rootDev uint64
	units   map[int]string // pid -> systemd unit, for /proc/<pid>/cgroup
}

// virtualDirs are filled by synthesize instead of being walked: on a live system they are
// kernel filesystems, in a debootstrap tree they are stale or empty.
var virtualDirs = map[string]bool{"/proc": true, "/sys": true, "/dev": true, "/run": true}

// walk records dir and everything below it, in name order.
func (c *capturer) walk(ctx context.Context, hostPath, p string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(hostPath, &st); err != nil {
		return fmt.Errorf("capture: %s: %w", hostPath, err)
	}
	if p == "/" {
		c.rootDev = st.Dev
	}
	e := c.statEntry(p, &st)
	switch st.Mode & sIFMT {
	case sIFLNK:
		t, err := os.Readlink(hostPath)
		if err != nil {
			return fmt.Errorf("capture: %s: %w", hostPath, err)
		}
		e.Target = t
		// Reading the link just changed its access time on disk; recording the old one
		// would make the next capture differ, so a link's atime is its mtime.
		e.ATime = e.MTime
	case sIFREG:
		if err := c.captureFile(hostPath, &e); err != nil {
			return err
		}
	}
	c.add(e)
	if c.opts.Progress != nil && len(c.entries)%500 == 0 {
		c.opts.Progress(CaptureProgress{Entries: len(c.entries), ReadBytes: c.sum.ReadBytes, Path: p})
	}
	if st.Mode&sIFMT != sIFDIR || virtualDirs[p] || (p != "/" && st.Dev != c.rootDev) {
		return nil
	}
	names, err := readDirNames(hostPath)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	for _, name := range names {
		if err := c.walk(ctx, filepath.Join(hostPath, name), path.Join(p, name)); err != nil {
			return err
		}
	}
	return nil
}

// readDirNames lists a directory sorted by name, without touching its access time.
func readDirNames(dir string) ([]string, error) {
	f, err := openNoATime(dir, syscall.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sort.Strings(names)
	return names, nil
}

// openNoATime opens read-only with O_NOATIME, so capturing twice gives the same access
// times; it needs to own the file or CAP_FOWNER, and falls back to a plain open.
func openNoATime(name string, flag int) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NOATIME|flag, 0)
	if errors.Is(err, syscall.EPERM) {
		f, err = os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|flag, 0)
	}
	return f, err
}

func (c *capturer) statEntry(p string, st *syscall.Stat_t) entry {
	return entry{
		Path:  p,
		Mode:  st.Mode,
		UID:   st.Uid,
		GID:   st.Gid,
		Owner: c.acct.userName(st.Uid),
		Group: c.acct.groupName(st.Gid),
		Size:  st.Size,
		MTime: st.Mtim.Nano(),
		ATime: st.Atim.Nano(),
		CTime: st.Ctim.Nano(),
		Nlink: uint32(st.Nlink),
		Ino:   st.Ino,
		Rdev:  st.Rdev,
	}
}

// add records e, replacing an earlier entry of the same path.
func (c *capturer) add(e entry) {
	if i, ok := c.index[e.Path]; ok {
		c.entries[i] = e
		return
	}
	c.index[e.Path] = len(c.entries)
	c.entries = append(c.entries, e)
}

// keepWhole says whether a file's content is kept in full regardless of its size and
// kind: the configuration and state an intruder reads first.
func keepWhole(p string) bool {
	for _, pre := range []string{"/etc/", "/root/", "/home/", "/var/log/", "/var/spool/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return p == "/var/lib/dpkg/status"
}

// contentClass is what a file's first bytes say it is.
type contentClass uint8

const (
	classText contentClass = iota
	classELF
	classCompressed // gzip, xz, bzip2, zstd: a head is noise beyond the magic
	classBinary
)

func classify(b []byte) contentClass {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return classELF
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}), bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")),
		bytes.HasPrefix(b, []byte("BZh")), bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return classCompressed
	case isText(b):
		return classText
	}
	return classBinary
}

// headSize is how much of a file that is not kept whole is kept: all of HeadBytes for
// programs and text (enough for file, od, xxd, head and ELF checks), less for data whose
// head is only read for its magic number.
func (c *capturer) headSize(cl contentClass) int {
	h := int(c.opts.HeadBytes)
	switch cl {
	case classCompressed:
		return min(h, 64)
	case classBinary:
		return min(h, 512)
	}
	return h
}

func (c *capturer) captureFile(hostPath string, e *entry) error {
	f, err := openNoATime(hostPath, 0)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	defer f.Close()
	hm, h1, h256 := md5.New(), sha1.New(), sha256.New()
	hashes := io.MultiWriter(hm, h1, h256)
	whole := keepWhole(e.Path) || e.Size <= c.opts.TextCap
	var content []byte
	var n int64
	if whole {
		content, err = io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("capture: reading %s: %w", hostPath, err)
		}
		hashes.Write(content)
		n = int64(len(content))
	} else {
		head := make([]byte, c.opts.HeadBytes)
		k, err := io.ReadFull(f, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("capture: reading %s: %w", hostPath, err)
		}
		content = head[:k]
		hashes.Write(content)
		rest, err := io.Copy(hashes, f)
		if err != nil {
			return fmt.Errorf("capture: reading %s: %w", hostPath, err)
		}
		n = int64(k) + rest
	}
	c.sum.ReadBytes += n
	// The size must agree with the hashes even if the file changed under us.
	e.Size = n
	e.MD5 = hexString(hm.Sum(nil))
	e.SHA1 = hexString(h1.Sum(nil))
	e.SHA256 = hexString(h256.Sum(nil))
	cl := classify(content[:min(len(content), 64<<10)])
	full := n == int64(len(content)) && (keepWhole(e.Path) || cl == classText)
	if !full {
		content = content[:min(len(content), c.headSize(cl))]
	}
	e.Full = full
	if full {
		c.sum.FullFiles++
	} else {
		c.sum.HeadFiles++
	}
	c.putBlob(e, content)
	return nil
}

// isText is the test the capture uses to keep a small file whole: no NUL bytes and almost
// no control characters, as in source, configuration and documentation.
func isText(b []byte) bool {
	ctl := 0
	for _, ch := range b {
		switch {
		case ch == 0:
			return false
		case ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r' && ch != '\f' && ch != '\v' && ch != '\b' && ch != 0x1b:
			ctl++
		}
	}
	return ctl*100 <= len(b)
}

// putBlob records content for e, sharing one copy between files with equal content.
func (c *capturer) putBlob(e *entry, content []byte) {
	e.bi = 0
	if len(content) == 0 {
		return
	}
	key := sha256.Sum256(content)
	i, ok := c.blobIdx[key]
	if !ok {
		i = len(c.blobs)
		c.blobIdx[key] = i
		c.blobs = append(c.blobs, &blob{data: content})
	}
	e.bi = i + 1
}

// render writes the persona file: the content packs, then the manifest.
func (c *capturer) render(w io.Writer, f facts) (int64, error) {
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	if err := c.writePacks(zw); err != nil {
		return 0, err
	}
	mw, err := zw.CreateHeader(&zip.FileHeader{Name: manifestName, Method: zip.Deflate})
	if err != nil {
		return 0, fmt.Errorf("capture: writing the manifest: %w", err)
	}
	if err := json.NewEncoder(mw).Encode(manifest{Format: formatVersion, Facts: f, Entries: c.entries}); err != nil {
		return 0, fmt.Errorf("capture: writing the manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("capture: finishing the archive: %w", err)
	}
	return cw.n, nil
}

// demote cuts whole text files (outside the trees keepWhole protects) to their head,
// largest first, until about excess bytes of compressed output are saved. It reports
// false when nothing is left to cut.
func (c *capturer) demote(excess int64) bool {
	var cand []int
	pinned := map[int]bool{} // content also kept whole for a file that is never cut
	for i := range c.entries {
		e := &c.entries[i]
		if e.bi == 0 {
			continue
		}
		if e.Mode&sIFMT != sIFREG || !e.Full || keepWhole(e.Path) || virtualDirs[firstDir(e.Path)] {
			pinned[e.bi] = true
			continue
		}
		if len(c.blobs[e.bi-1].data) > int(c.opts.HeadBytes) {
			cand = append(cand, i)
		}
	}
	cand = slices.DeleteFunc(cand, func(i int) bool { return pinned[c.entries[i].bi] })
	if len(cand) == 0 {
		return false
	}
	size := func(i int) int { return len(c.blobs[c.entries[i].bi-1].data) }
	sort.SliceStable(cand, func(a, b int) bool { return size(cand[a]) > size(cand[b]) })
	// Text deflates to about a third; aim a little past the excess so few rounds are needed.
	target := excess + excess/10 + 16<<10
	var saved int64
	for _, i := range cand {
		if saved >= target {
			break
		}
		e := &c.entries[i]
		data := c.blobs[e.bi-1].data
		head := data[:c.opts.HeadBytes]
		saved += int64(len(data)-len(head)) / 3
		e.Full = false
		c.sum.FullFiles--
		c.sum.HeadFiles++
		c.putBlob(e, head)
	}
	return true
}

func firstDir(p string) string {
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}

// blob is one distinct content and, once packed, where it lives.
type blob struct {
	data           []byte
	packed         bool
	pack, off, len int64
}

// packBytes is the target size of a pack before compression: small enough that reading a
// cold file costs well under a millisecond, large enough that neighbouring files (same
// directory, same package) compress together and zip headers stay few.
const packBytes = 64 << 10

// writePacks lays the blobs out in packs, in entry order, and points the entries at them.
func (c *capturer) writePacks(zw *zip.Writer) error {
	for _, b := range c.blobs {
		b.packed = false
	}
	c.sum.Blobs, c.sum.BlobBytes = 0, 0
	var cur bytes.Buffer
	npack := int64(0)
	flush := func() error {
		if cur.Len() == 0 {
			return nil
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%s%d", packPrefix, npack), Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := w.Write(cur.Bytes()); err != nil {
			return err
		}
		npack++
		cur.Reset()
		return nil
	}
	for i := range c.entries {
		e := &c.entries[i]
		if e.bi == 0 {
			continue
		}
		b := c.blobs[e.bi-1]
		if !b.packed {
			if cur.Len() > 0 && cur.Len()+len(b.data) > packBytes {
				if err := flush(); err != nil {
					return fmt.Errorf("capture: writing content: %w", err)
				}
			}
			b.pack, b.off, b.len, b.packed = npack, int64(cur.Len()), int64(len(b.data)), true
			cur.Write(b.data)
			c.sum.Blobs++
			c.sum.BlobBytes += int64(len(b.data))
		}
		e.Blob = []int64{b.pack, b.off, b.len}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("capture: writing content: %w", err)
	}
	c.sum.Packs = int(npack)
	return nil
}

// mountedInTree drops the disks whose mount point the persona lacks, and the host's
// own kernel-filesystem mounts below /proc and /sys.
func (c *capturer) mountedInTree(ds []Disk) []Disk {
	made := map[string]bool{"/dev": true, "/dev/shm": true, "/run": true, "/run/lock": true}
	var out []Disk
	for _, d := range ds {
		if strings.HasPrefix(d.Mount, "/proc/") || strings.HasPrefix(d.Mount, "/sys/") {
			continue
		}
		i, ok := c.index[d.Mount]
		if made[d.Mount] || ok && c.entries[i].Mode&sIFMT == sIFDIR {
			out = append(out, d)
		}
	}
	return out
}

// readRootFile reads a captured regular file by its persona path; nil when absent. Only
// used for the handful of files the capture itself interprets.
func (c *capturer) readRootFile(p string) []byte {
	hp := filepath.Join(c.opts.Root, filepath.FromSlash(p))
	for range 8 {
		fi, err := os.Lstat(hp)
		if err != nil {
			return nil
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			break
		}
		// Resolve inside the root, never on the host.
		t, err := os.Readlink(hp)
		if err != nil {
			return nil
		}
		if strings.HasPrefix(t, "/") {
			p = path.Clean(t)
		} else {
			p = path.Join(path.Dir(p), t)
		}
		hp = filepath.Join(c.opts.Root, filepath.FromSlash(p))
	}
	f, err := openNoATime(hp, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil
	}
	return data
}

func (c *capturer) osRelease() []byte {
	if b := c.readRootFile("/etc/os-release"); b != nil {
		return b
	}
	return c.readRootFile("/usr/lib/os-release")
}

// hostFacts are the facts that come from files or from the capturing host.
type hostFacts struct {
	cpuinfo, meminfo, version, mounts []byte
	machine                           string
	disks                             []Disk
	boot                              time.Time
}

func gatherHostFacts(o *CaptureOptions) (*hostFacts, error) {
	h := &hostFacts{machine: o.Machine, disks: o.Disks, boot: o.BootTime}
	read := func(name, def string, dst *[]byte) error {
		if name == "" {
			name = def
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		*dst = b
		return nil
	}
	if err := read(o.CPUInfo, "/proc/cpuinfo", &h.cpuinfo); err != nil {
		return nil, err
	}
	if err := read(o.MemInfo, "/proc/meminfo", &h.meminfo); err != nil {
		return nil, err
	}
	if err := read(o.ProcVersion, "/proc/version", &h.version); err != nil {
		return nil, err
	}
	if o.Mounts != "" {
		if err := read(o.Mounts, "", &h.mounts); err != nil {
			return nil, err
		}
	}
	if h.machine == "" {
		var u syscall.Utsname
		if err := syscall.Uname(&u); err != nil {
			return nil, fmt.Errorf("uname: %w", err)
		}
		h.machine = utsString(u.Machine[:])
	}
	if h.boot.IsZero() {
		b, err := hostBootTime()
		if err != nil {
			return nil, err
		}
		h.boot = b
	}
	if h.disks == nil {
		tab := h.mounts
		if tab == nil {
			if err := read("", "/proc/mounts", &tab); err != nil {
				return nil, err
			}
		}
		h.disks = hostDisks(tab)
	}
	return h, nil
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

func hostBootTime() (time.Time, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading /proc/stat for the boot time: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				break
			}
			return time.Unix(n, 0).UTC(), nil
		}
	}
	return time.Time{}, errors.New("no btime in /proc/stat")
}

// hostDisks measures the filesystems of a mounts table that hold blocks, as df does.
func hostDisks(tab []byte) []Disk {
	var out []Disk
	seen := map[string]int{}
	for _, l := range strings.Split(string(tab), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || pseudoFS[f[2]] {
			continue
		}
		var st syscall.Statfs_t
		if err := syscall.Statfs(unescapeMount(f[1]), &st); err != nil || st.Blocks == 0 {
			continue
		}
		bs := int64(st.Bsize)
		d := Disk{
			Device:  unescapeMount(f[0]),
			Mount:   unescapeMount(f[1]),
			FSType:  f[2],
			SizeKB:  int64(st.Blocks) * bs / 1024,
			UsedKB:  int64(st.Blocks-st.Bfree) * bs / 1024,
			AvailKB: int64(st.Bavail) * bs / 1024,
		}
		if i, ok := seen[d.Mount]; ok {
			out[i] = d // the later mount hides the earlier one
			continue
		}
		seen[d.Mount] = len(out)
		out = append(out, d)
	}
	return out
}

// unescapeMount undoes the octal escapes of /proc/mounts ("\040" for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// pseudoFS are filesystems without blocks, which df leaves out.
var pseudoFS = map[string]bool{
	"sysfs": true, "proc": true, "devpts": true, "securityfs": true, "cgroup": true,
	"cgroup2": true, "pstore": true, "bpf": true, "autofs": true, "hugetlbfs": true,
	"mqueue": true, "debugfs": true, "tracefs": true, "fusectl": true, "configfs": true,
	"binfmt_misc": true, "efivarfs": true, "nsfs": true, "rpc_pipefs": true, "selinuxfs": true,
}

// buildFacts derives the identity facts from the tree and the host facts.
func (c *capturer) buildFacts(h *hostFacts) (facts, error) {
	var f facts
	f.Hostname = c.opts.Hostname
	if f.Hostname == "" {
		f.Hostname = strings.TrimSpace(string(c.readRootFile("/etc/hostname")))
	}
	if f.Hostname == "" {
		return f, errors.New("no host name: give --hostname or put one in the root's /etc/hostname")
	}
	rel, ver, err := parseProcVersion(string(h.version))
	if err != nil {
		return f, fmt.Errorf("kernel version: %w", err)
	}
	f.Kernel = Kernel{Sysname: "Linux", Release: rel, Version: ver, Machine: h.machine}

	model, cpus := parseCPUInfo(h.cpuinfo)
	if cpus == 0 {
		return f, errors.New("cpuinfo lists no processor")
	}
	mem, ok := meminfoField(h.meminfo, "MemTotal")
	if !ok {
		return f, errors.New("meminfo has no MemTotal")
	}
	f.Hardware = Hardware{CPUModel: model, CPUs: cpus, MemTotalKB: mem, Disks: mountOrder(h.disks)}
	f.BootTime = h.boot.UTC()

	pkgs := parseDpkgStatus(c.readRootFile("/var/lib/dpkg/status"))
	installed := map[string]string{}
	for _, p := range pkgs {
		if strings.HasSuffix(p.Status, " installed") {
			installed[p.Name] = p.Version
		}
	}
	f.SSHBanner = c.opts.SSHBanner
	if f.SSHBanner == "" {
		if v, ok := installed["openssh-server"]; ok {
			f.SSHBanner, _ = sshBannerFor(v)
		}
	}
	if f.SSHBanner == "" {
		f.SSHBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"
	}
	f.Processes, c.units = processTable(installed, cpus, rootDiskDevice(f.Hardware.Disks))
	return f, nil
}

func rootDiskDevice(ds []Disk) string {
	for _, d := range ds {
		if d.Mount == "/" {
			return d.Device
		}
	}
	return ""
}
