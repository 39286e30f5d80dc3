package ssh

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/sftp"

	"github.com/lure-sensor/lure/internal/session"
	"github.com/lure-sensor/lure/internal/vfs"
)

// maxUpload bounds one file received over SFTP or scp, held in memory until it is complete.
// The overlay's per-file quota (4 MiB by default) is usually the tighter bound.
const maxUpload = 16 << 20

// vpath maps a client path onto the virtual filesystem: always absolute and clean, so ".."
// can never climb above the virtual root. Relative paths are taken from home.
func vpath(home, p string) string {
	if p == "" {
		p = "."
	}
	if !path.IsAbs(p) {
		p = path.Join(home, p)
	}
	return path.Clean("/" + p)
}

// sftp serves the SFTP subsystem over the session's virtual filesystem.
func (h *chanHandler) sftp(ctx context.Context, ch io.ReadWriteCloser) int {
	home := h.sess.User().Home
	if home == "" {
		home = "/"
	}
	fsh := &sftpFS{sess: h.sess, fs: h.sess.FS(), home: home}
	// The request server closes its stream when it ends; the channel must stay open until
	// exit-status is sent, so it gets a wrapper whose Close does nothing.
	srv := sftp.NewRequestServer(noClose{ch}, sftp.Handlers{FileGet: fsh, FilePut: fsh, FileCmd: fsh, FileList: fsh}, sftp.WithStartDirectory(home))
	stop := context.AfterFunc(ctx, func() { ch.Close() })
	defer stop()
	err := srv.Serve()
	if err != nil && !errors.Is(err, io.EOF) {
		return 1
	}
	return 0
}

type noClose struct{ io.ReadWriter }

func (noClose) Close() error { return nil }

// sftpFS implements pkg/sftp's request handlers over a vfs.FS.
type sftpFS struct {
	sess *session.Session
	fs   *vfs.FS
	home string
}

func (f *sftpFS) p(r *sftp.Request) string { return vpath(f.home, r.Filepath) }

// Fileread opens a file for download.
func (f *sftpFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	data, err := f.fs.ReadFile(f.p(r))
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(data), nil
}

// Filewrite opens a file for upload. The content is kept in memory and written to the
// overlay (and captured) when the client closes the handle.
func (f *sftpFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	p := f.p(r)
	if st, err := f.fs.Stat(p); err == nil && st.Mode.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	var initial []byte
	pf := r.Pflags()
	if pf.Append || (!pf.Trunc && !pf.Creat) {
		initial, _ = f.fs.ReadFile(p)
	}
	// Create the file now, as open(2) with O_CREAT would: clients set its mode and times
	// through the open handle (fsetstat) before they close it.
	if err := f.fs.WriteFile(p, initial, 0o644); err != nil {
		return nil, err
	}
	return &uploadBuf{f: f, path: p, data: initial, appendMode: pf.Append}, nil
}

// uploadBuf collects one uploaded file.
type uploadBuf struct {
	f          *sftpFS
	path       string
	mu         sync.Mutex
	data       []byte
	appendMode bool
	tooBig     bool
	closed     bool
}

func (u *uploadBuf) WriteAt(p []byte, off int64) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.appendMode {
		off = int64(len(u.data))
	}
	end := off + int64(len(p))
	if off < 0 || end > maxUpload {
		u.tooBig = true
		return 0, &fs.PathError{Op: "write", Path: u.path, Err: syscall.EFBIG}
	}
	if end > int64(len(u.data)) {
		if end > int64(cap(u.data)) {
			nd := make([]byte, end, end*2)
			copy(nd, u.data)
			u.data = nd
		} else {
			u.data = u.data[:end]
		}
	}
	copy(u.data[off:], p)
	return len(p), nil
}

func (u *uploadBuf) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return nil
	}
	u.closed = true
	// Capture first: even content the overlay's quota refuses is evidence.
	if len(u.data) > 0 && !u.tooBig {
		_, _ = u.f.sess.Upload("SFTP", u.path, u.data)
	}
	return u.f.fs.WriteFile(u.path, u.data, 0o644)
}

// Filecmd handles the commands that change the filesystem.
func (f *sftpFS) Filecmd(r *sftp.Request) error {
	p := f.p(r)
	switch r.Method {
	case "Setstat":
		return f.setstat(p, r)
	case "Rename", "PosixRename":
		return f.fs.Rename(p, vpath(f.home, r.Target))
	case "Rmdir":
		st, err := f.fs.Lstat(p)
		if err != nil {
			return err
		}
		if !st.Mode.IsDir() {
			return &fs.PathError{Op: "rmdir", Path: p, Err: syscall.ENOTDIR}
		}
		return f.fs.Remove(p)
	case "Remove":
		st, err := f.fs.Lstat(p)
		if err != nil {
			return err
		}
		if st.Mode.IsDir() {
			return &fs.PathError{Op: "remove", Path: p, Err: syscall.EISDIR}
		}
		return f.fs.Remove(p)
	case "Mkdir":
		return f.fs.Mkdir(p, 0o755)
	case "Symlink":
		// pkg/sftp puts the link's own path in Target and its (uninterpreted) target in Filepath.
		return f.fs.Symlink(r.Filepath, vpath(f.home, r.Target))
	case "Link":
		return &fs.PathError{Op: "link", Path: p, Err: syscall.EPERM}
	}
	return sftp.ErrSSHFxOpUnsupported
}

func (f *sftpFS) setstat(p string, r *sftp.Request) error {
	fl := r.AttrFlags()
	a := r.Attributes()
	if fl.Size {
		data, err := f.fs.ReadFile(p)
		if err != nil {
			return err
		}
		n := int64(a.Size)
		if n > maxUpload {
			return &fs.PathError{Op: "truncate", Path: p, Err: syscall.EFBIG}
		}
		if n <= int64(len(data)) {
			data = data[:n]
		} else {
			data = append(data, make([]byte, n-int64(len(data)))...)
		}
		if err := f.fs.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	if fl.Permissions {
		if err := f.fs.Chmod(p, a.FileMode().Perm()|a.FileMode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
			return err
		}
	}
	if fl.UidGid {
		if err := f.fs.Chown(p, a.UID, a.GID); err != nil {
			return err
		}
	}
	if fl.Acmodtime {
		if err := f.fs.Chtimes(p, time.Unix(int64(a.Atime), 0), time.Unix(int64(a.Mtime), 0)); err != nil {
			return err
		}
	}
	return nil
}

// Filelist answers List and Stat.
func (f *sftpFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := f.p(r)
	switch r.Method {
	case "List":
		ents, err := f.fs.ReadDir(p)
		if err != nil {
			return nil, err
		}
		out := make(listerAt, 0, len(ents))
		for _, m := range ents {
			out = append(out, fileInfo{m})
		}
		return out, nil
	case "Stat":
		m, err := f.fs.Stat(p)
		if err != nil {
			return nil, err
		}
		m.Name = path.Base(p)
		return listerAt{fileInfo{m}}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// Lstat answers lstat without following a final symlink.
func (f *sftpFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	p := f.p(r)
	m, err := f.fs.Lstat(p)
	if err != nil {
		return nil, err
	}
	m.Name = path.Base(p)
	return listerAt{fileInfo{m}}, nil
}

// Readlink returns a symlink's target as stored.
func (f *sftpFS) Readlink(p string) (string, error) {
	return f.fs.Readlink(vpath(f.home, p))
}

// RealPath canonicalizes a path as sftp-server's realpath does: symlinks resolved, and
// always inside the virtual root.
func (f *sftpFS) RealPath(p string) (string, error) {
	vp := vpath(f.home, p)
	if rp, err := f.fs.Realpath(vp); err == nil {
		return rp, nil
	}
	return vp, nil
}

// LookupUserName names an owner for `ls -l` in the sftp client.
func (f *sftpFS) LookupUserName(uid string) string {
	if uid == "0" {
		return "root"
	}
	if u := f.sess.User(); strconv.Itoa(u.UID) == uid {
		return u.Name
	}
	return uid
}

// LookupGroupName names a group for `ls -l` in the sftp client.
func (f *sftpFS) LookupGroupName(gid string) string {
	if gid == "0" {
		return "root"
	}
	if u := f.sess.User(); strconv.Itoa(u.GID) == gid {
		return u.Name
	}
	return gid
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}

// fileInfo presents a vfs.Meta as an os.FileInfo with owner ids.
type fileInfo struct{ m vfs.Meta }

func (i fileInfo) Name() string       { return i.m.Name }
func (i fileInfo) Size() int64        { return i.m.Size }
func (i fileInfo) Mode() fs.FileMode  { return i.m.Mode }
func (i fileInfo) ModTime() time.Time { return i.m.MTime }
func (i fileInfo) IsDir() bool        { return i.m.Mode.IsDir() }
func (i fileInfo) Sys() any           { return nil }
func (i fileInfo) Uid() uint32        { return i.m.UID }
func (i fileInfo) Gid() uint32        { return i.m.GID }
