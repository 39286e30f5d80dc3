package commands

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// tar 1.34 over the vfs: create (-c), list (-t) and extract (-x) GNU-format archives, plain
// or gzip-compressed (-z, and detected when reading), with -v listings as tar prints them.

// tarRun holds one tar invocation.
type tarRun struct {
	*cmd
	verbose, gz bool
	samePerms   bool // -p: modes as archived, else (for non-root) less the umask
	file, dir   string
	dirShown    string // -C as given, for messages
	status      int
	ugswidth    int
	ids         *idNames
}

// tarExpandOld turns tar's old-style first argument ("czvf out.tgz") into dashed options.
func tarExpandOld(args []string) []string {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return args
	}
	var out []string
	rest := args[1:]
	for _, ch := range args[0] {
		out = append(out, "-"+string(ch))
		if strings.ContainsRune("fCTXbgKLNV", ch) && len(rest) > 0 {
			out = append(out, rest[0])
			rest = rest[1:]
		}
	}
	return append(out, rest...)
}

func tarMain(p *Proc) int {
	c := newCmd(p)
	args := tarExpandOld(c.Args[1:])
	opts, ops, err := parseOpts(c.name, args, optSpec{Short: "ctxvzf:C:pO", Long: []longOpt{
		{"create", argNone, "c"}, {"list", argNone, "t"}, {"extract", argNone, "x"}, {"get", argNone, "x"},
		{"verbose", argNone, "v"}, {"gzip", argNone, "z"}, {"gunzip", argNone, "z"}, {"file", argRequired, "f"},
		{"directory", argRequired, "C"}, {"preserve-permissions", argNone, "p"}, {"to-stdout", argNone, "O"},
		{"help", argNone, "help"}, {"version", argNone, "version"},
	}})
	usageHint := "Try 'tar --help' or 'tar --usage' for more information.\n"
	if err != nil {
		c.errRaw("tar: " + err.Msg + "\n" + usageHint)
		return c.done(64)
	}
	t := &tarRun{cmd: c, file: "-", dir: c.Dir, ugswidth: 18}
	mode := byte(0)
	toStdout := false
	for _, o := range opts {
		switch o.Key {
		case "c", "t", "x":
			if mode != 0 && mode != o.Key[0] {
				c.errRaw("tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option\n" + usageHint)
				return c.done(2)
			}
			mode = o.Key[0]
		case "v":
			t.verbose = true
		case "z":
			t.gz = true
		case "f":
			t.file = o.Val
		case "C":
			t.dir, t.dirShown = c.abs(o.Val), o.Val
		case "O":
			toStdout = true
		case "p":
			t.samePerms = true
		case "help":
			c.print("Usage: tar [OPTION...] [FILE]...\n")
			return c.done(0)
		case "version":
			c.print("tar (GNU tar) 1.34\n")
			return c.done(0)
		}
	}
	if mode == 0 {
		c.errRaw("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n" + usageHint)
		return c.done(2)
	}
	t.ids = c.loadIDNames()
	switch mode {
	case 'c':
		if len(ops) == 0 {
			c.errRaw("tar: Cowardly refusing to create an empty archive\n" + usageHint)
			return c.done(2)
		}
		t.create(ops)
	default:
		t.read(mode == 'x', toStdout, ops)
	}
	if t.status == -2 {
		return c.done(2)
	}
	if t.status == 2 && !c.failed() {
		c.errRaw("tar: Exiting with failure status due to previous errors\n")
	}
	return c.done(t.status)
}

// tarFatal reports an error tar cannot recover from.
func (t *tarRun) fatal(format string, a ...any) {
	t.errRaw("tar: " + fmt.Sprintf(format, a...) + "\ntar: Error is not recoverable: exiting now\n")
	t.status = -2
}

func (t *tarRun) create(ops []string) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	warnedSlash := false
	var add func(abs, member string)
	add = func(abs, member string) {
		if t.failed() {
			return
		}
		m, err := t.FS.Lstat(abs)
		if err != nil {
			t.errRaw(fmt.Sprintf("tar: %s: Cannot stat: %s\n", member, errText(err)))
			t.status = 2
			return
		}
		h := &tar.Header{Name: member, Mode: int64(m.Mode.Perm()), Uid: int(m.UID), Gid: int(m.GID),
			Uname: t.ids.user(m.UID), Gname: t.ids.group(m.GID), ModTime: m.MTime, Format: tar.FormatGNU}
		if m.Mode&fs.ModeSetuid != 0 {
			h.Mode |= 0o4000
		}
		if m.Mode&fs.ModeSetgid != 0 {
			h.Mode |= 0o2000
		}
		if m.Mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		var data []byte
		switch {
		case m.Mode.IsDir():
			h.Typeflag = tar.TypeDir
			if !strings.HasSuffix(h.Name, "/") {
				h.Name += "/"
			}
		case m.Mode&fs.ModeSymlink != 0:
			h.Typeflag, h.Linkname = tar.TypeSymlink, m.Target
		case m.Mode.IsRegular():
			data, err = t.FS.ReadFile(abs)
			if err != nil {
				t.errRaw(fmt.Sprintf("tar: %s: Cannot open: %s\n", member, errText(err)))
				t.status = 2
				return
			}
			h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		default:
			t.errRaw(fmt.Sprintf("tar: %s: socket ignored\n", member))
			return
		}
		if t.verbose {
			// With the archive on stdout, the listing goes to stderr.
			if t.file == "-" {
				t.errRaw(h.Name + "\n")
			} else {
				t.print(h.Name + "\n")
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.errRaw(fmt.Sprintf("tar: %s: %s\n", member, err))
			t.status = 2
			return
		}
		tw.Write(data)
		if m.Mode.IsDir() {
			ents, err := t.FS.ReadDir(abs)
			if err != nil {
				t.errRaw(fmt.Sprintf("tar: %s: Cannot open: %s\n", member, errText(err)))
				t.status = 2
				return
			}
			for _, e := range ents {
				add(path.Join(abs, e.Name), strings.TrimSuffix(h.Name, "/")+"/"+e.Name)
			}
		}
	}
	for _, op := range ops {
		member := op
		if strings.HasPrefix(member, "/") {
			if !warnedSlash {
				t.errRaw("tar: Removing leading `/' from member names\n")
				warnedSlash = true
			}
			member = strings.TrimLeft(member, "/")
		}
		src := op
		if !strings.HasPrefix(op, "/") {
			src = path.Join(t.dir, op)
		}
		add(src, member)
	}
	tw.Close()
	out := buf.Bytes()
	if t.gz {
		// tar pipes through gzip, which records no name and no time for a pipe.
		out = gzipBytes(out, "", time.Time{}, 6)
	}
	if t.file == "-" {
		t.write(out)
		return
	}
	if err := t.FS.WriteFile(t.abs(t.file), out, 0o666&^t.umask()); err != nil {
		t.fatal("%s: Cannot open: %s", t.file, errText(err))
	}
}

// read lists or extracts the archive.
func (t *tarRun) read(extract, toStdout bool, members []string) {
	found := make([]bool, len(members))
	// selected reports whether a member was asked for: by its name or a directory above it.
	selected := func(name string) bool {
		if len(members) == 0 {
			return true
		}
		n := strings.TrimSuffix(name, "/")
		hit := false
		for i, m := range members {
			m = strings.TrimSuffix(m, "/")
			if n == m || strings.HasPrefix(n, m+"/") {
				found[i], hit = true, true
			}
		}
		return hit
	}
	defer func() {
		if t.status == -2 {
			return
		}
		for i, m := range members {
			if !found[i] {
				t.errRaw(fmt.Sprintf("tar: %s: Not found in archive\n", m))
				t.status = 2
			}
		}
	}()
	var data []byte
	var err error
	if t.file == "-" {
		data, err = readCapped(t.Stdin)
	} else {
		data, err = t.FS.ReadFile(t.abs(t.file))
	}
	if err != nil {
		t.fatal("%s: Cannot open: %s", t.file, errText(err))
		return
	}
	if extract {
		if m, err := t.FS.Stat(t.dir); err != nil || !m.Mode.IsDir() {
			if err == nil {
				err = errNotDir
			}
			t.fatal("%s: Cannot open: %s", t.dirShown, errText(err))
			return
		}
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		out, msg := gunzipBytes(data, false)
		if msg != "" {
			t.errRaw("\ngzip: stdin: " + msg + "\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n")
			t.status = -2
			return
		}
		data = out
	} else if t.gz {
		t.errRaw("\ngzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n")
		t.status = -2
		return
	}
	if len(data) < 512 {
		t.errRaw("tar: This does not look like a tar archive\n")
		t.status = 2
		return
	}
	tr := tar.NewReader(bytes.NewReader(data))
	first := true
	for !t.failed() {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if first {
				t.errRaw("tar: This does not look like a tar archive\ntar: Skipping to next header\n")
			} else {
				t.errRaw("tar: Unexpected EOF in archive\ntar: Error is not recoverable: exiting now\n")
				t.status = -2
				return
			}
			t.status = 2
			return
		}
		first = false
		if !selected(h.Name) {
			continue
		}
		if t.verbose && !extract {
			t.print(t.listLine(h))
		} else if t.verbose || !extract {
			t.print(h.Name + "\n")
		}
		if !extract {
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(tr, gunzipMax))
		if toStdout {
			if h.Typeflag == tar.TypeReg {
				t.write(body)
			}
			continue
		}
		t.extractOne(h, body)
	}
}

var errNotDir = errors.New("Not a directory")

// extractOne writes one member under t.dir as tar does for root: owner, mode and mtime kept.
func (t *tarRun) extractOne(h *tar.Header, body []byte) {
	name := strings.TrimLeft(path.Clean(h.Name), "/")
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../") {
		t.errRaw(fmt.Sprintf("tar: %s: Member name contains '..'\n", h.Name))
		t.status = 2
		return
	}
	abs := path.Join(t.dir, name)
	t.FS.MkdirAll(path.Dir(abs), 0o755)
	perm := fs.FileMode(h.Mode) & fs.ModePerm
	// Root keeps the archived modes; other users get them less their umask, as tar does
	// without --same-permissions.
	if t.User.UID != 0 && !t.samePerms {
		perm &^= t.umask()
	}
	switch h.Typeflag {
	case tar.TypeDir:
		if err := t.FS.MkdirAll(abs, perm); err != nil {
			t.errRaw(fmt.Sprintf("tar: %s: Cannot mkdir: %s\n", h.Name, errText(err)))
			t.status = 2
			return
		}
	case tar.TypeSymlink:
		t.FS.Remove(abs)
		if err := t.FS.Symlink(h.Linkname, abs); err != nil {
			t.errRaw(fmt.Sprintf("tar: %s: Cannot create symlink to %s: %s\n", h.Name, t.quoteLoc(h.Linkname), errText(err)))
			t.status = 2
			return
		}
		// GNU tar restores a symlink's own mtime (utimensat with AT_SYMLINK_NOFOLLOW).
		t.FS.Lchtimes(abs, h.ModTime, h.ModTime)
		return
	case tar.TypeReg, tar.TypeRegA:
		if err := t.FS.WriteFile(abs, body, perm); err != nil {
			t.errRaw(fmt.Sprintf("tar: %s: Cannot open: %s\n", h.Name, errText(err)))
			t.status = 2
			return
		}
	default:
		return
	}
	mode := perm
	if t.User.UID != 0 && !t.samePerms {
		t.FS.Chmod(abs, mode)
		t.FS.Chtimes(abs, h.ModTime, h.ModTime)
		return
	}
	if h.Mode&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	t.FS.Chmod(abs, mode)
	if t.User.UID == 0 {
		uid, gid := uint32(h.Uid), uint32(h.Gid)
		if id, ok := t.ids.uids[h.Uname]; ok && h.Uname != "" {
			uid = id
		}
		if id, ok := t.ids.gids[h.Gname]; ok && h.Gname != "" {
			gid = id
		}
		t.FS.Chown(abs, uid, gid)
	}
	t.FS.Chtimes(abs, h.ModTime, h.ModTime)
}

// listLine is one "tar -tv" line; the user/group/size column widens as tar's does.
func (t *tarRun) listLine(h *tar.Header) string {
	mode := fs.FileMode(h.Mode) & fs.ModePerm
	switch h.Typeflag {
	case tar.TypeDir:
		mode |= fs.ModeDir
	case tar.TypeSymlink:
		mode |= fs.ModeSymlink
	case tar.TypeChar:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case tar.TypeBlock:
		mode |= fs.ModeDevice
	case tar.TypeFifo:
		mode |= fs.ModeNamedPipe
	}
	if h.Mode&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	modes := modeString(mode)
	if h.Typeflag == tar.TypeLink {
		modes = "h" + modes[1:]
	}
	user, group := h.Uname, h.Gname
	if user == "" {
		user = fmt.Sprint(h.Uid)
	}
	if group == "" {
		group = fmt.Sprint(h.Gid)
	}
	size := fmt.Sprint(h.Size)
	if h.Typeflag == tar.TypeChar || h.Typeflag == tar.TypeBlock {
		size = fmt.Sprintf("%d,%d", h.Devmajor, h.Devminor)
	}
	pad := len(user) + 1 + len(group) + len(size)
	if pad > t.ugswidth {
		t.ugswidth = pad
	}
	line := fmt.Sprintf("%s %s/%s %*s %-16s %s", modes, user, group, t.ugswidth-pad+len(size), size,
		h.ModTime.In(t.location()).Format("2006-01-02 15:04"), h.Name)
	switch h.Typeflag {
	case tar.TypeSymlink:
		line += " -> " + h.Linkname
	case tar.TypeLink:
		line += " link to " + h.Linkname
	}
	return line + "\n"
}
