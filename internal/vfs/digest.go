package vfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"syscall"
)

// Digest returns a stable hash of the observable state of the given paths: for each, its
// metadata as Lstat reports it, the entry a symlink leads to, a regular file's content
// hash and a directory's listing (names and metadata of the entries). Missing paths and
// other errors are part of the state. Inode numbers, access and change times are left
// out: they differ between overlays without changing what a command prints in the common
// cases, and leaving them out lets identical states of different IPs share a digest.
// The order of paths matters.
func (f *FS) Digest(paths ...string) string {
	h := sha256.New()
	if f.released.Load() {
		io.WriteString(h, "released")
		return hex.EncodeToString(h.Sum(nil))
	}
	f.ov.mu.RLock()
	defer f.ov.mu.RUnlock()
	o := f.ov
	for _, p := range paths {
		fmt.Fprintf(h, "path %q\n", p)
		w, err := o.walk(f.cred, p, false)
		if err == nil && !w.found {
			err = syscall.ENOENT
		}
		if err != nil {
			digestErr(h, err)
			continue
		}
		r := w.node
		digestMeta(h, o.public(r, baseName(p)))
		if r.isSymlink() {
			fw, err := o.walk(f.cred, p, true)
			if err == nil && !fw.found {
				err = syscall.ENOENT
			}
			if err != nil {
				digestErr(h, err)
				continue
			}
			r = fw.node
			io.WriteString(h, "-> ")
			digestMeta(h, o.public(r, r.m.Name))
		}
		switch {
		case r.m.Mode.IsRegular():
			data, err := o.content(r)
			if err != nil {
				digestErr(h, err)
				continue
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(h, "content %x\n", sum)
		case r.isDir():
			for _, c := range o.list(r) {
				io.WriteString(h, "entry ")
				digestMeta(h, o.public(c, c.m.Name))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func digestMeta(h hash.Hash, m Meta) {
	fmt.Fprintf(h, "%q %v %d %d %d %d %d %q\n", m.Name, m.Mode, m.UID, m.GID, m.Size,
		m.MTime.UnixNano(), m.Nlink, m.Target)
}

func digestErr(h hash.Hash, err error) {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		fmt.Fprintf(h, "errno %d\n", int(errno))
		return
	}
	fmt.Fprintf(h, "error %q\n", err.Error())
}
