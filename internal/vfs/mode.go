package vfs

import (
	"io/fs"
	"syscall"
)

// UnixMode converts a Go file mode to the st_mode bits of stat(2) (type, setuid, setgid,
// sticky and permissions), as ls, stat and SFTP need them.
func UnixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	switch {
	case m.IsDir():
		u |= syscall.S_IFDIR
	case m&fs.ModeSymlink != 0:
		u |= syscall.S_IFLNK
	case m&fs.ModeNamedPipe != 0:
		u |= syscall.S_IFIFO
	case m&fs.ModeSocket != 0:
		u |= syscall.S_IFSOCK
	case m&fs.ModeCharDevice != 0:
		u |= syscall.S_IFCHR
	case m&fs.ModeDevice != 0:
		u |= syscall.S_IFBLK
	default:
		u |= syscall.S_IFREG
	}
	if m&fs.ModeSetuid != 0 {
		u |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		u |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		u |= syscall.S_ISVTX
	}
	return u
}

// FromUnixMode converts st_mode bits (or a chmod argument such as 0o4755) to a Go file mode.
func FromUnixMode(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	switch u & syscall.S_IFMT {
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	}
	if u&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if u&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if u&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// normPerm returns the permission bits of perm, accepting both Go's flags and the Unix
// octal spelling (0o4755, 0o1777) for setuid, setgid and sticky: fs.FileMode leaves bits
// 0o7000 unused, so reading them the Unix way is unambiguous.
func normPerm(perm fs.FileMode) fs.FileMode {
	out := perm & permBits
	if perm&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if perm&0o2000 != 0 {
		out |= fs.ModeSetgid
	}
	if perm&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}
