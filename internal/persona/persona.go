// Package persona owns who the fake host is: identity and hardware facts, the filesystem
// image, capture from a real root filesystem, and the embedded default.
package persona

import (
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
}

// CONTRACT STUBS below: the persona helper implements them.

// Default returns the embedded default persona (a Debian 12 server). Loaded once, lazily,
// and shared.
func Default() (*Persona, error) { return nil, nil }

// Load reads a persona file written by Capture.
func Load(path string) (*Persona, error) { return nil, nil }

// LookupUser finds an account in the persona's /etc/passwd.
func (p *Persona) LookupUser(name string) (User, bool) { return User{}, false }
