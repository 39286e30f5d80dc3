package commands

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// idNames maps numeric ids to names as the persona's /etc/passwd and /etc/group say (read
// through the vfs, so an attacker's edits to them show, as on a real box).
type idNames struct {
	users  map[uint32]string
	groups map[uint32]string
	uids   map[string]uint32
	gids   map[string]uint32
	// userGID is each user's primary group, for chown user: forms.
	userGID map[string]uint32
}

// loadIDNames reads /etc/passwd and /etc/group from the session's filesystem.
func (c *cmd) loadIDNames() *idNames {
	n := &idNames{users: map[uint32]string{}, groups: map[uint32]string{}, uids: map[string]uint32{}, gids: map[string]uint32{}, userGID: map[string]uint32{}}
	if c.FS == nil {
		return n
	}
	if b, err := c.FS.ReadFile("/etc/passwd"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, ":")
			if len(f) < 4 || f[0] == "" {
				continue
			}
			id, err := strconv.ParseUint(f[2], 10, 32)
			if err != nil {
				continue
			}
			if _, dup := n.users[uint32(id)]; !dup {
				n.users[uint32(id)] = f[0]
			}
			if _, dup := n.uids[f[0]]; !dup {
				n.uids[f[0]] = uint32(id)
				if g, err := strconv.ParseUint(f[3], 10, 32); err == nil {
					n.userGID[f[0]] = uint32(g)
				}
			}
		}
	}
	if b, err := c.FS.ReadFile("/etc/group"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, ":")
			if len(f) < 3 || f[0] == "" {
				continue
			}
			id, err := strconv.ParseUint(f[2], 10, 32)
			if err != nil {
				continue
			}
			if _, dup := n.groups[uint32(id)]; !dup {
				n.groups[uint32(id)] = f[0]
			}
			if _, dup := n.gids[f[0]]; !dup {
				n.gids[f[0]] = uint32(id)
			}
		}
	}
	return n
}

// user returns the name for uid, or the number when /etc/passwd has none.
func (n *idNames) user(uid uint32) string {
	if s, ok := n.users[uid]; ok {
		return s
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// group returns the name for gid, or the number.
func (n *idNames) group(gid uint32) string {
	if s, ok := n.groups[gid]; ok {
		return s
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// location is the persona's local time zone: its /etc/localtime (TZif data read from the
// vfs), UTC when absent. TZ in the environment may name UTC explicitly.
func (c *cmd) location() *time.Location {
	if tz, ok := c.Env["TZ"]; ok {
		switch strings.TrimPrefix(tz, ":") {
		case "", "UTC", "UTC0", "Etc/UTC", "GMT", "GMT0", "Etc/GMT", "Universal", "Zulu":
			return time.UTC
		}
	}
	if c.FS != nil {
		if b, err := c.FS.ReadFile("/etc/localtime"); err == nil && len(b) > 4 && string(b[:4]) == "TZif" {
			if loc, err := time.LoadLocationFromTZData("Local", b); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

// blocks1K is the disk usage of an entry in 1 KiB units, as an ext4 filesystem with 4 KiB
// blocks allocates it (the image records no block counts, so sizes decide).
func blocks1K(m vfs.Meta) int64 {
	switch {
	case m.Mode&fs.ModeSymlink != 0:
		return 0
	case m.Mode.IsDir(), m.Mode.IsRegular():
		return (m.Size + 4095) / 4096 * 4
	}
	return 0
}

// modeString renders a mode as ls -l does ("-rwxr-xr-x", "drwxrwxrwt", "crw-rw-rw-").
func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m&fs.ModeDir != 0:
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	if m&fs.ModeSetuid != 0 {
		if b[3] == 'x' {
			b[3] = 's'
		} else {
			b[3] = 'S'
		}
	}
	if m&fs.ModeSetgid != 0 {
		if b[6] == 'x' {
			b[6] = 's'
		} else {
			b[6] = 'S'
		}
	}
	if m&fs.ModeSticky != 0 {
		if b[9] == 'x' {
			b[9] = 't'
		} else {
			b[9] = 'T'
		}
	}
	return string(b)
}

// unixMode converts a Go FileMode's permission bits to the octal st_mode permission part.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// goMode converts octal permission bits (with setuid/setgid/sticky) to a FileMode's.
func goMode(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// readInput returns the content of a file operand ("-" is stdin, read in full). Used by
// programs that must see all input anyway.
func (c *cmd) readAll(name string) ([]byte, error) {
	if name == "-" {
		return readCapped(c.Stdin)
	}
	return c.FS.ReadFile(c.abs(name))
}
