// Package persona owns who the fake host is: identity and hardware facts, the filesystem
// image, capture from a real root filesystem, and the embedded default.
//
// A persona file is a zip archive: a JSON manifest (the facts and one record per
// filesystem entry, with owner names and hashes) plus content blobs named by their SHA-256.
// Blobs are decompressed on demand, so loading a persona costs one manifest parse and
// serving one costs a map lookup per stat. A loaded Persona is immutable and safe to share
// between all sessions.
package persona

import (
	"io/fs"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// Persona is one imitated host. It is immutable after loading and shared by all sessions.
type Persona struct {
	Hostname  string
	SSHBanner string // e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"

	Kernel   Kernel
	Hardware Hardware
	BootTime time.Time // uptime is derived from it

	Processes []Process // a plausible process list for ps/top
	Image     vfs.Image // the root filesystem, including /etc, /proc and /sys content

	// img is Image when the persona was loaded from a persona file; it answers the
	// lookups (hashes, accounts, packages) the bare vfs.Image interface cannot.
	img *image
}

// Kernel is what uname and /proc/version report.
type Kernel struct {
	Sysname string // "Linux"
	Release string // "6.1.0-28-amd64"
	Version string // "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	Machine string // "x86_64"
}

// Hardware holds the facts that several commands must agree on.
type Hardware struct {
	CPUModel   string
	CPUs       int
	MemTotalKB int64
	// Disks as df reports them: one per mounted filesystem.
	Disks []Disk
}

// Disk is one mounted filesystem.
type Disk struct {
	Device string // "/dev/vda1"
	Mount  string // "/"
	FSType string // "ext4"
	SizeKB int64
	UsedKB int64
	// AvailKB is what df shows as available. It is less than SizeKB-UsedKB on filesystems
	// that reserve blocks for root (ext4 keeps 5%); 0 means SizeKB-UsedKB.
	AvailKB int64
}

// Avail returns the kilobytes df reports as available.
func (d Disk) Avail() int64 {
	if d.AvailKB > 0 {
		return d.AvailKB
	}
	if d.SizeKB > d.UsedKB {
		return d.SizeKB - d.UsedKB
	}
	return 0
}

// Process is one entry of the fake process table.
type Process struct {
	PID, PPID int
	User      string
	Command   string        // full command line as ps -ef shows it
	TTY       string        // "?" for daemons
	Start     time.Duration // after boot
	CPUTime   time.Duration
	RSSKB     int64
	VSZKB     int64
	Stat      string // "Ss", "S", "R+", ...
}

// User is an account of the persona (from its /etc/passwd).
type User struct {
	Name  string
	UID   int
	GID   int
	Home  string
	Shell string
	Gecos string // the comment field: "Deploy User,,,"
}

// Group is a group of the persona (from its /etc/group).
type Group struct {
	Name    string
	GID     int
	Members []string // supplementary members, as listed in /etc/group
}

// Package is one package of the persona's dpkg status database.
type Package struct {
	Name         string
	Version      string
	Architecture string
	Status       string // "install ok installed"
	Description  string // the first (synopsis) line
}

// FileInfo is everything the persona knows about one entry: its stat data plus what the
// capture recorded beside it.
type FileInfo struct {
	vfs.Meta
	Owner, Group      string // names resolved through the persona's passwd and group
	MD5, SHA1, SHA256 string // hex digests of the whole file, for regular files
	// Complete is true when the image holds the whole content; false for large files
	// (binaries keep their first 4 KiB, enough for file, xxd, od and ELF checks).
	Complete bool
	// DevMajor and DevMinor are the device numbers of character and block devices.
	DevMajor, DevMinor uint32
}

// Default returns the embedded default persona (a Debian 12 server). Loaded once, lazily,
// and shared.
func Default() (*Persona, error) { return loadDefault() }

// Load reads a persona file written by Capture.
func Load(path string) (*Persona, error) { return load(path) }

// Lstat returns the entry at p without following a final symlink (vfs.Image).
func (p *Persona) Lstat(path string) (vfs.Meta, bool) {
	if p == nil || p.Image == nil {
		return vfs.Meta{}, false
	}
	return p.Image.Lstat(path)
}

// ReadDir lists the directory at p sorted by name (vfs.Image).
func (p *Persona) ReadDir(path string) ([]vfs.Meta, bool) {
	if p == nil || p.Image == nil {
		return nil, false
	}
	return p.Image.ReadDir(path)
}

// ReadFile returns the content the image holds for the regular file at p (vfs.Image).
func (p *Persona) ReadFile(path string) ([]byte, error) {
	if p == nil || p.Image == nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return p.Image.ReadFile(path)
}

// Info returns what the persona recorded about the entry at path (no symlink following).
func (p *Persona) Info(path string) (FileInfo, bool) {
	if p == nil || p.img == nil {
		return FileInfo{}, false
	}
	return p.img.info(path)
}

// Hashes returns the hex MD5, SHA-1 and SHA-256 of the regular file at path, as md5sum,
// sha1sum and sha256sum print them for the whole file (also for files whose content the
// image holds only in part). ok is false for anything that is not a captured regular file.
func (p *Persona) Hashes(path string) (md5, sha1, sha256 string, ok bool) {
	fi, found := p.Info(path)
	if !found || !fi.Mode.IsRegular() || fi.SHA256 == "" {
		return "", "", "", false
	}
	return fi.MD5, fi.SHA1, fi.SHA256, true
}

// LookupUser finds an account in the persona's /etc/passwd.
func (p *Persona) LookupUser(name string) (User, bool) {
	a := p.accountDB()
	if a == nil {
		return User{}, false
	}
	i, ok := a.userByName[name]
	if !ok {
		return User{}, false
	}
	return a.users[i], true
}

// LookupUID finds the first account with the given uid, as getpwuid does.
func (p *Persona) LookupUID(uid int) (User, bool) {
	a := p.accountDB()
	if a == nil {
		return User{}, false
	}
	i, ok := a.userByUID[uid]
	if !ok {
		return User{}, false
	}
	return a.users[i], true
}

// Users lists the accounts in /etc/passwd order.
func (p *Persona) Users() []User {
	a := p.accountDB()
	if a == nil {
		return nil
	}
	return append([]User(nil), a.users...)
}

// LookupGroup finds a group in the persona's /etc/group.
func (p *Persona) LookupGroup(name string) (Group, bool) {
	a := p.accountDB()
	if a == nil {
		return Group{}, false
	}
	i, ok := a.groupByName[name]
	if !ok {
		return Group{}, false
	}
	return a.groups[i].clone(), true
}

// LookupGID finds the first group with the given gid, as getgrgid does.
func (p *Persona) LookupGID(gid int) (Group, bool) {
	a := p.accountDB()
	if a == nil {
		return Group{}, false
	}
	i, ok := a.groupByGID[gid]
	if !ok {
		return Group{}, false
	}
	return a.groups[i].clone(), true
}

// Groups lists the groups in /etc/group order.
func (p *Persona) Groups() []Group {
	a := p.accountDB()
	if a == nil {
		return nil
	}
	out := make([]Group, len(a.groups))
	for i, g := range a.groups {
		out[i] = g.clone()
	}
	return out
}

// GroupsOf returns the groups the id command lists for an account: its primary group
// first, then every group naming it as a member, in /etc/group order.
func (p *Persona) GroupsOf(name string) []Group {
	u, ok := p.LookupUser(name)
	if !ok {
		return nil
	}
	var out []Group
	if g, ok := p.LookupGID(u.GID); ok {
		out = append(out, g)
	}
	for _, g := range p.Groups() {
		if g.GID == u.GID {
			continue
		}
		for _, m := range g.Members {
			if m == name {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// OSRelease returns one field of the persona's /etc/os-release ("ID", "VERSION_ID",
// "PRETTY_NAME", ...), unquoted, or "" when absent.
func (p *Persona) OSRelease(key string) string {
	if p == nil || p.img == nil {
		return ""
	}
	return p.img.lazy().osRelease[key]
}

// OSReleaseFields returns a copy of every field of /etc/os-release.
func (p *Persona) OSReleaseFields() map[string]string {
	out := map[string]string{}
	if p == nil || p.img == nil {
		return out
	}
	for k, v := range p.img.lazy().osRelease {
		out[k] = v
	}
	return out
}

// Packages lists the dpkg status database in file order (which dpkg keeps sorted by name).
func (p *Persona) Packages() []Package {
	if p == nil || p.img == nil {
		return nil
	}
	return append([]Package(nil), p.img.lazy().packages...)
}

// LookupPackage finds a package in the dpkg status database.
func (p *Persona) LookupPackage(name string) (Package, bool) {
	if p == nil || p.img == nil {
		return Package{}, false
	}
	l := p.img.lazy()
	i, ok := l.packageByName[name]
	if !ok {
		return Package{}, false
	}
	return l.packages[i], true
}

// Uptime is how long the persona has been up at now.
func (p *Persona) Uptime(now time.Time) time.Duration {
	if p == nil || p.BootTime.IsZero() || now.Before(p.BootTime) {
		return 0
	}
	return now.Sub(p.BootTime)
}

// DynamicFile renders a /proc file whose content changes with time (/proc/uptime,
// /proc/loadavg, /proc/stat) as it reads at now. ok is false for any other path. The
// image serves these files at the wall clock; commands with a session clock call this.
func (p *Persona) DynamicFile(path string, now time.Time) ([]byte, bool) {
	kind, ok := dynamicKinds[path]
	if !ok || p == nil {
		return nil, false
	}
	return renderDynamic(p.dynFacts(), kind, now), true
}

func (p *Persona) accountDB() *accounts {
	if p == nil || p.img == nil {
		return nil
	}
	return p.img.lazy().accounts
}

func (p *Persona) dynFacts() dynFacts {
	return dynFacts{boot: p.BootTime, cpus: p.Hardware.CPUs, procs: len(p.Processes), lastPID: lastPID(p.Processes)}
}

func (g Group) clone() Group {
	g.Members = append([]string(nil), g.Members...)
	return g
}
