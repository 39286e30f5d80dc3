package commands

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// The file tools of coreutils 9.1 over the session's vfs. Each prints what Debian 12's
// program prints, down to its quoting of names in messages and its exit status.

func registerFileutils(r *Registry) {
	r.Register("ls", lsMain)
	r.Register("dir", lsMain)
	r.Register("cat", catMain)
	r.Register("cp", cpMain)
	r.Register("mv", mvMain)
	r.Register("rm", rmMain)
	r.Register("mkdir", mkdirMain)
	r.Register("rmdir", rmdirMain)
	r.Register("touch", touchMain)
	r.Register("chmod", chmodMain)
	r.Register("chown", chownMain)
	r.Register("chgrp", chownMain)
	r.Register("ln", lnMain)
	r.Register("head", headMain)
	r.Register("tail", tailMain)
	r.Register("wc", wcMain)
	r.Register("basename", basenameMain)
	r.Register("dirname", dirnameMain)
	r.Register("readlink", readlinkMain)
	r.Register("realpath", realpathMain)
	r.Register("find", findMain)
	r.Register("du", duMain)
	r.Register("mktemp", mktempMain)
	r.Register("tee", teeMain)
	r.Register("seq", seqMain)
	r.Register("yes", yesMain)
}

// helpVersion answers --help/--version from the generated tables; handled reports whether
// the caller should return status.
func (c *cmd) helpVersion(opts []opt, table map[string][2]string, base string) (bool, int) {
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(table[base][0])
			return true, c.done(0)
		case "version":
			c.print(table[base][1])
			return true, c.done(0)
		}
	}
	return false, 0
}

var helpLong = []longOpt{{"help", argNone, "help"}, {"version", argNone, "version"}}

func withHelp(l ...longOpt) []longOpt { return append(l, helpLong...) }

// baseName is the program's base name (for table lookups).
func (c *cmd) base() string { return path.Base(c.name) }

// umask is the calling shell's file creation mask.
func (c *cmd) umask() fs.FileMode { return c.Umask & fs.ModePerm }

// ---- cat ----

func catMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "AbeEnstTuv", Long: withHelp(
		longOpt{"show-all", argNone, "A"}, longOpt{"number-nonblank", argNone, "b"},
		longOpt{"show-ends", argNone, "E"}, longOpt{"number", argNone, "n"},
		longOpt{"squeeze-blank", argNone, "s"}, longOpt{"show-tabs", argNone, "T"},
		longOpt{"show-nonprinting", argNone, "v"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "cat"); h {
		return st
	}
	var number, nonblank, ends, squeeze, tabs, nonprint bool
	for _, o := range opts {
		switch o.Key {
		case "A":
			nonprint, ends, tabs = true, true, true
		case "b":
			number, nonblank = true, true
		case "e":
			nonprint, ends = true, true
		case "E":
			ends = true
		case "n":
			number = true
		case "s":
			squeeze = true
		case "t":
			nonprint, tabs = true, true
		case "T":
			tabs = true
		case "v":
			nonprint = true
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	plain := !number && !ends && !squeeze && !tabs && !nonprint
	status := 0
	lineNo := 0
	blankRun := 0
	for _, f := range files {
		if c.failed() {
			break
		}
		if f != "-" {
			if m, err := c.FS.Stat(c.abs(f)); err == nil && m.Mode.IsDir() {
				c.errorf("%s: Is a directory", c.quoteF(f))
				status = 1
				continue
			}
		}
		r, err := c.openReader(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		if plain {
			c.copyStream(r)
			continue
		}
		lr := newLineReader(c.Ctx, r)
		var out []byte
		for {
			line, nl, ok := lr.next()
			if !ok || c.failed() {
				break
			}
			out = out[:0]
			blank := len(line) == 0
			if blank && nl {
				blankRun++
				if squeeze && blankRun > 1 {
					continue
				}
			} else {
				blankRun = 0
			}
			if number && (!nonblank || !blank) {
				lineNo++
				out = append(out, padLeft(strconv.Itoa(lineNo), 6)...)
				out = append(out, '\t')
			}
			for _, ch := range line {
				switch {
				case ch == '\t':
					if tabs {
						out = append(out, '^', 'I')
					} else {
						out = append(out, ch)
					}
				case nonprint:
					out = appendVisible(out, ch)
				default:
					out = append(out, ch)
				}
			}
			if nl {
				if ends {
					out = append(out, '$')
				}
				out = append(out, '\n')
			}
			c.write(out)
		}
	}
	return c.done(status)
}

// appendVisible renders a byte as cat -v does (^X, M-x, ^?).
func appendVisible(out []byte, ch byte) []byte {
	if ch >= 128 {
		out = append(out, 'M', '-')
		ch -= 128
	}
	switch {
	case ch < 32:
		return append(out, '^', ch+64)
	case ch == 127:
		return append(out, '^', '?')
	}
	return append(out, ch)
}

// copyStream copies r to stdout in chunks, stopping on cancel or a failed write.
func (c *cmd) copyStream(r io.Reader) {
	buf := make([]byte, 32*1024)
	for !c.failed() {
		n, err := r.Read(buf)
		if n > 0 {
			c.write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// ---- cp / mv ----

func cpMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "abdfHilLnprst:uvxPRT", Long: withHelp(
		longOpt{"archive", argNone, "a"}, longOpt{"force", argNone, "f"},
		longOpt{"interactive", argNone, "i"}, longOpt{"no-clobber", argNone, "n"},
		longOpt{"recursive", argNone, "R"}, longOpt{"verbose", argNone, "v"},
		longOpt{"preserve", argOptional, "preserve"}, longOpt{"no-dereference", argNone, "P"},
		longOpt{"dereference", argNone, "L"}, longOpt{"symbolic-link", argNone, "s"},
		longOpt{"target-directory", argRequired, "t"}, longOpt{"no-target-directory", argNone, "T"},
		longOpt{"update", argNone, "u"}, longOpt{"link", argNone, "l"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "cp"); h {
		return st
	}
	t := &copier{c: c}
	target := ""
	noTarget := false
	for _, o := range opts {
		switch o.Key {
		case "a":
			t.recursive, t.preserve, t.noDeref = true, true, true
		case "r", "R":
			t.recursive = true
		case "p", "preserve":
			t.preserve = true
		case "d", "P":
			t.noDeref = true
		case "v":
			t.verbose = true
		case "n":
			t.noClobber = true
		case "i":
			t.interactive = true
		case "s":
			t.symlink = true
		case "t":
			target = o.Val
		case "T":
			noTarget = true
		case "u":
			t.update = true
		}
	}
	return t.run(ops, target, noTarget, false)
}

func mvMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "bfint:uvS:TZ", Long: withHelp(
		longOpt{"force", argNone, "f"}, longOpt{"interactive", argNone, "i"},
		longOpt{"no-clobber", argNone, "n"}, longOpt{"verbose", argNone, "v"},
		longOpt{"target-directory", argRequired, "t"}, longOpt{"no-target-directory", argNone, "T"},
		longOpt{"update", argNone, "u"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "mv"); h {
		return st
	}
	t := &copier{c: c, recursive: true, preserve: true, noDeref: true}
	target := ""
	noTarget := false
	for _, o := range opts {
		switch o.Key {
		case "v":
			t.verbose = true
		case "n":
			t.noClobber = true
		case "i":
			t.interactive = true
		case "t":
			target = o.Val
		case "T":
			noTarget = true
		case "u":
			t.update = true
		}
	}
	return t.run(ops, target, noTarget, true)
}

type copier struct {
	c                                       *cmd
	recursive, preserve, noDeref, verbose   bool
	noClobber, interactive, symlink, update bool
	move                                    bool
	status                                  int
}

func (t *copier) run(ops []string, target string, noTarget, move bool) int {
	c := t.c
	t.move = move
	if target == "" {
		if len(ops) == 0 {
			return c.usage(1, "missing file operand")
		}
		if len(ops) == 1 {
			return c.usage(1, "missing destination file operand after %s", c.quoteAF(ops[0]))
		}
		last := ops[len(ops)-1]
		if !noTarget {
			if m, err := c.FS.Stat(c.abs(last)); err == nil && m.Mode.IsDir() {
				target = last
				ops = ops[:len(ops)-1]
			}
		}
		if target == "" {
			if len(ops) > 2 {
				if _, err := c.FS.Stat(c.abs(last)); err != nil {
					c.errorf("target %s: %s", c.quoteAF(last), errText(err))
				} else {
					c.errorf("target %s: Not a directory", c.quoteAF(last))
				}
				return c.done(1)
			}
			t.one(ops[0], last, false)
			return c.done(t.status)
		}
	} else {
		if m, err := c.FS.Stat(c.abs(target)); err != nil {
			c.errorf("target directory %s: %s", c.quoteAF(target), errText(err))
			return c.done(1)
		} else if !m.Mode.IsDir() {
			c.errorf("target %s is not a directory", c.quoteAF(target))
			return c.done(1)
		}
		if len(ops) == 0 {
			return c.usage(1, "missing file operand")
		}
	}
	for _, src := range ops {
		if c.failed() {
			break
		}
		base := path.Base(strings.TrimRight(src, "/"))
		if src == "/" {
			base = "/"
		}
		dst := strings.TrimRight(target, "/") + "/" + base
		if target == "/" {
			dst = "/" + base
		}
		t.one(src, dst, true)
	}
	return c.done(t.status)
}

func (t *copier) fail(format string, a ...any) {
	t.c.errorf(format, a...)
	t.status = 1
}

func (t *copier) one(src, dst string, intoDir bool) {
	c := t.c
	sabs, dabs := c.abs(src), c.abs(dst)
	var sm vfs.Meta
	var err error
	if t.noDeref || t.move {
		sm, err = c.FS.Lstat(sabs)
	} else {
		sm, err = c.FS.Stat(sabs)
	}
	if err != nil {
		if t.move {
			t.fail("cannot stat %s: %s", c.quoteAF(src), errText(err))
		} else {
			t.fail("cannot stat %s: %s", c.quoteAF(src), errText(err))
		}
		return
	}
	dm, derr := c.FS.Lstat(dabs)
	if derr == nil {
		if sameFile(sm, dm, sabs, dabs) {
			if t.move {
				t.fail("%s and %s are the same file", c.quoteAF(src), c.quoteAF(dst))
			} else {
				t.fail("%s and %s are the same file", c.quoteAF(src), c.quoteAF(dst))
			}
			return
		}
		if t.noClobber {
			return
		}
		if dm.Mode.IsDir() && !sm.Mode.IsDir() {
			t.fail("cannot overwrite directory %s with non-directory", c.quoteAF(dst))
			return
		}
		if !dm.Mode.IsDir() && sm.Mode.IsDir() {
			t.fail("cannot overwrite non-directory %s with directory %s", c.quoteAF(dst), c.quoteAF(src))
			return
		}
	}
	if sm.Mode.IsDir() {
		if sabs == dabs || strings.HasPrefix(dabs, sabs+"/") {
			if t.move {
				t.fail("cannot move %s to a subdirectory of itself, %s", c.quoteAF(src), c.quoteAF(dst))
			} else {
				t.fail("cannot copy a directory, %s, into itself, %s", c.quoteAF(src), c.quoteAF(dst))
			}
			return
		}
	}
	if t.move {
		if derr == nil && dm.Mode.IsDir() {
			// rename(2) replaces only an empty directory.
			if kids, _ := c.FS.ReadDir(dabs); len(kids) > 0 {
				t.fail("cannot move %s to %s: Directory not empty", c.quoteAF(src), c.quoteAF(dst))
				return
			}
		}
		if err := c.FS.Rename(sabs, dabs); err != nil {
			t.fail("cannot move %s to %s: %s", c.quoteAF(src), c.quoteAF(dst), errText(err))
			return
		}
		if t.verbose {
			c.printf("renamed %s -> %s\n", c.quoteAF(src), c.quoteAF(dst))
		}
		return
	}
	if sm.Mode.IsDir() && !t.recursive {
		t.fail("-r not specified; omitting directory %s", c.quoteAF(src))
		return
	}
	t.copyTree(src, dst, sabs, dabs, sm, derr == nil)
}

func sameFile(a, b vfs.Meta, pa, pb string) bool {
	if pa == pb {
		return true
	}
	return a.Ino != 0 && a.Ino == b.Ino && a.Mode.Type() == b.Mode.Type() && a.Size == b.Size && a.MTime.Equal(b.MTime) && a.Ino > 1000
}

func (t *copier) copyTree(src, dst, sabs, dabs string, sm vfs.Meta, exists bool) {
	c := t.c
	if c.failed() {
		return
	}
	switch {
	case sm.Mode&fs.ModeSymlink != 0:
		if exists {
			_ = c.FS.Remove(dabs)
		}
		if err := c.FS.Symlink(sm.Target, dabs); err != nil {
			t.fail("cannot create symbolic link %s: %s", c.quoteAF(dst), errText(err))
			return
		}
	case sm.Mode.IsDir():
		if !exists {
			perm := sm.Mode.Perm() &^ c.umask()
			if t.preserve {
				perm = sm.Mode.Perm()
			}
			if err := c.FS.Mkdir(dabs, perm|0o700); err != nil {
				t.fail("cannot create directory %s: %s", c.quoteAF(dst), errText(err))
				return
			}
		}
		if t.verbose {
			c.printf("%s -> %s\n", c.quoteAF(src), c.quoteAF(dst))
		}
		kids, err := c.FS.ReadDir(sabs)
		if err != nil {
			t.fail("cannot access %s: %s", c.quoteAF(src), errText(err))
			return
		}
		for _, k := range kids {
			km, err := c.FS.Lstat(sabs + "/" + k.Name)
			if err != nil {
				continue
			}
			_, derr := c.FS.Lstat(dabs + "/" + k.Name)
			t.copyTree(src+"/"+k.Name, dst+"/"+k.Name, sabs+"/"+k.Name, dabs+"/"+k.Name, km, derr == nil)
		}
		perm := sm.Mode.Perm() &^ c.umask()
		if t.preserve {
			perm = goMode(unixMode(sm.Mode))
		}
		if !exists || t.preserve {
			_ = c.FS.Chmod(dabs, perm)
		}
		if t.preserve {
			_ = c.FS.Chtimes(dabs, sm.ATime, sm.MTime)
		}
		return
	default:
		data, err := c.FS.ReadFile(sabs)
		if err != nil {
			t.fail("cannot open %s for reading: %s", c.quoteAF(src), errText(err))
			return
		}
		perm := sm.Mode.Perm() &^ c.umask()
		if err := c.FS.WriteFile(dabs, data, perm); err != nil {
			t.fail("cannot create regular file %s: %s", c.quoteAF(dst), errText(err))
			return
		}
		if t.preserve {
			_ = c.FS.Chmod(dabs, goMode(unixMode(sm.Mode)))
		}
	}
	if t.preserve {
		_ = c.FS.Chtimes(dabs, sm.ATime, sm.MTime)
		_ = c.FS.Chown(dabs, sm.UID, sm.GID)
	}
	if t.verbose {
		c.printf("%s -> %s\n", c.quoteAF(src), c.quoteAF(dst))
	}
}

// ---- rm ----

func rmMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "dfirvIR", Long: withHelp(
		longOpt{"force", argNone, "f"}, longOpt{"interactive", argOptional, "interactive"},
		longOpt{"one-file-system", argNone, "one-file-system"},
		longOpt{"no-preserve-root", argNone, "no-preserve-root"},
		longOpt{"preserve-root", argOptional, "preserve-root"},
		longOpt{"recursive", argNone, "r"}, longOpt{"dir", argNone, "d"},
		longOpt{"verbose", argNone, "v"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "rm"); h {
		return st
	}
	var force, recursive, dirs, verbose, interactive, noPreserve bool
	for _, o := range opts {
		switch o.Key {
		case "f":
			force, interactive = true, false
		case "i":
			interactive, force = true, false
		case "r", "R":
			recursive = true
		case "d":
			dirs = true
		case "v":
			verbose = true
		case "no-preserve-root":
			noPreserve = true
		}
	}
	if len(ops) == 0 {
		if force {
			return c.done(0)
		}
		return c.usage(1, "missing operand")
	}
	r := &remover{c: c, force: force, recursive: recursive, dirs: dirs, verbose: verbose, interactive: interactive}
	if interactive {
		r.in = newLineReader(c.Ctx, c.Stdin)
	}
	for _, op := range ops {
		if c.failed() {
			break
		}
		last := path.Base(strings.TrimRight(op, "/"))
		if last == "." || last == ".." {
			c.errorf("refusing to remove '.' or '..' directory: skipping %s", c.quoteAF(op))
			r.status = 1
			continue
		}
		abs := c.abs(op)
		if recursive && abs == "/" && !noPreserve {
			c.errorf("it is dangerous to operate recursively on %s", c.quoteAF("/"))
			c.errorf("use --no-preserve-root to override this failsafe")
			r.status = 1
			continue
		}
		r.remove(op, abs)
	}
	return c.done(r.status)
}

type remover struct {
	c                                            *cmd
	force, recursive, dirs, verbose, interactive bool
	in                                           *lineReader
	status                                       int
}

func (r *remover) ask(q string) bool {
	r.c.errRaw(r.c.name + ": " + q)
	line, _, ok := r.in.next()
	if !ok {
		return false
	}
	s := strings.TrimSpace(string(line))
	return strings.HasPrefix(s, "y") || strings.HasPrefix(s, "Y")
}

func fileKind(m vfs.Meta) string {
	switch {
	case m.Mode.IsDir():
		return "directory"
	case m.Mode&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.Mode&fs.ModeNamedPipe != 0:
		return "fifo"
	case m.Mode&fs.ModeSocket != 0:
		return "socket"
	case m.Mode&fs.ModeCharDevice != 0:
		return "character special file"
	case m.Mode&fs.ModeDevice != 0:
		return "block special file"
	case m.Size == 0:
		return "regular empty file"
	}
	return "regular file"
}

func (r *remover) remove(name, abs string) bool {
	c := r.c
	m, err := c.FS.Lstat(abs)
	if err != nil {
		if r.force && isErrno(err, syscall.ENOENT) {
			return true
		}
		c.errorf("cannot remove %s: %s", c.quoteAF(name), errText(err))
		r.status = 1
		return false
	}
	if m.Mode.IsDir() {
		if !r.recursive {
			if r.dirs {
				if r.interactive && !r.ask("remove directory "+c.quoteAF(name)+"? ") {
					return false
				}
				if err := c.FS.Remove(abs); err != nil {
					c.errorf("cannot remove %s: %s", c.quoteAF(name), errText(err))
					r.status = 1
					return false
				}
				if r.verbose {
					c.printf("removed directory %s\n", c.quoteAF(name))
				}
				return true
			}
			c.errorf("cannot remove %s: Is a directory", c.quoteAF(name))
			r.status = 1
			return false
		}
		kids, err := c.FS.ReadDir(abs)
		if err != nil {
			c.errorf("cannot remove %s: %s", c.quoteAF(name), errText(err))
			r.status = 1
			return false
		}
		if r.interactive && len(kids) > 0 && !r.ask("descend into directory "+c.quoteAF(name)+"? ") {
			return false
		}
		all := true
		for _, k := range kids {
			if c.failed() {
				return false
			}
			child := strings.TrimRight(name, "/") + "/" + k.Name
			if !r.remove(child, abs+"/"+k.Name) {
				all = false
			}
		}
		if !all {
			return false
		}
		if r.interactive && !r.ask("remove directory "+c.quoteAF(name)+"? ") {
			return false
		}
		if err := c.FS.Remove(abs); err != nil {
			c.errorf("cannot remove %s: %s", c.quoteAF(name), errText(err))
			r.status = 1
			return false
		}
		if r.verbose {
			c.printf("removed directory %s\n", c.quoteAF(name))
		}
		return true
	}
	if r.interactive && !r.ask("remove "+fileKind(m)+" "+c.quoteAF(name)+"? ") {
		return false
	}
	if err := c.FS.Remove(abs); err != nil {
		c.errorf("cannot remove %s: %s", c.quoteAF(name), errText(err))
		r.status = 1
		return false
	}
	if r.verbose {
		c.printf("removed %s\n", c.quoteAF(name))
	}
	return true
}

// ---- mkdir / rmdir ----

func mkdirMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "m:pvZ", Long: withHelp(
		longOpt{"mode", argRequired, "m"}, longOpt{"parents", argNone, "p"},
		longOpt{"verbose", argNone, "v"}, longOpt{"context", argOptional, "Z"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "mkdir"); h {
		return st
	}
	parents, verbose := false, false
	mode := fs.FileMode(0o777) &^ c.umask()
	for _, o := range opts {
		switch o.Key {
		case "p":
			parents = true
		case "v":
			verbose = true
		case "m":
			m, ok := parseChmod(o.Val, 0o777, c.umask(), true)
			if !ok {
				c.errorf("invalid mode %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			mode = goMode(m)
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	status := 0
	for _, op := range ops {
		abs := c.abs(op)
		if parents {
			// Create each missing ancestor, reporting them with -v as mkdir -p does.
			var chain []string
			for d := abs; d != "/"; d = path.Dir(d) {
				if _, err := c.FS.Stat(d); err == nil {
					break
				}
				chain = append(chain, d)
			}
			failed := false
			for i := len(chain) - 1; i >= 0; i-- {
				d := chain[i]
				perm := fs.FileMode(0o777)&^c.umask() | 0o300
				if i == 0 {
					perm = mode
				}
				if err := c.FS.Mkdir(d, perm); err != nil && !isErrno(err, syscall.EEXIST) {
					shown := op
					if i != 0 {
						shown = relShown(op, abs, d)
					}
					c.errorf("cannot create directory %s: %s", c.quoteLoc(shown), errText(err))
					status, failed = 1, true
					break
				}
				if verbose {
					shown := op
					if i != 0 {
						shown = relShown(op, abs, d)
					}
					c.printf("%s: created directory %s\n", c.name, c.quoteLoc(shown))
				}
			}
			if !failed {
				if m, err := c.FS.Stat(abs); err == nil && !m.Mode.IsDir() {
					c.errorf("cannot create directory %s: File exists", c.quoteLoc(op))
					status = 1
				}
			}
			continue
		}
		if err := c.FS.Mkdir(abs, mode); err != nil {
			c.errorf("cannot create directory %s: %s", c.quoteLoc(op), errText(err))
			status = 1
			continue
		}
		if mode&^fs.ModePerm != 0 || unixMode(mode)&0o777 != uint32(mode.Perm()) {
			_ = c.FS.Chmod(abs, mode)
		}
		if verbose {
			c.printf("%s: created directory %s\n", c.name, c.quoteLoc(op))
		}
	}
	return c.done(status)
}

// relShown is how mkdir -p names an ancestor: the operand's own prefix.
func relShown(op, abs, d string) string {
	rest := strings.TrimPrefix(abs, d)
	op = strings.TrimRight(op, "/")
	if strings.HasSuffix(op, rest) {
		return strings.TrimSuffix(op, rest)
	}
	return d
}

func rmdirMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "pv", Long: withHelp(
		longOpt{"parents", argNone, "p"}, longOpt{"verbose", argNone, "v"},
		longOpt{"ignore-fail-on-non-empty", argNone, "ignore"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "rmdir"); h {
		return st
	}
	parents, verbose, ignore := hasOpt(opts, "p"), hasOpt(opts, "v"), hasOpt(opts, "ignore")
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	status := 0
	for _, op := range ops {
		names := []string{op}
		if parents {
			for d := path.Dir(strings.TrimRight(op, "/")); d != "." && d != "/"; d = path.Dir(d) {
				names = append(names, d)
			}
		}
		for _, n := range names {
			if verbose {
				c.printf("%s: removing directory, %s\n", c.name, c.quoteAF(n))
			}
			abs := c.abs(n)
			m, err := c.FS.Lstat(abs)
			if err == nil && !m.Mode.IsDir() {
				err = &fs.PathError{Op: "rmdir", Path: abs, Err: syscall.ENOTDIR}
			}
			if err == nil {
				err = c.FS.Remove(abs)
			}
			if err != nil {
				if ignore && isErrno(err, syscall.ENOTEMPTY) {
					break
				}
				c.errorf("failed to remove %s: %s", c.quoteAF(n), errText(err))
				status = 1
				break
			}
		}
	}
	return c.done(status)
}

// ---- touch ----

func touchMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "acd:fhmr:t:", Long: withHelp(
		longOpt{"no-create", argNone, "c"}, longOpt{"date", argRequired, "d"},
		longOpt{"reference", argRequired, "r"}, longOpt{"time", argRequired, "time"},
		longOpt{"no-dereference", argNone, "h"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "touch"); h {
		return st
	}
	now := time.Now()
	when := now
	noCreate, onlyA, onlyM, noDeref := false, false, false, false
	loc := c.location()
	for _, o := range opts {
		switch o.Key {
		case "h":
			noDeref = true
		case "c":
			noCreate = true
		case "a":
			onlyA = true
		case "m":
			onlyM = true
		case "d":
			t, ok := parseDate(o.Val, now, loc)
			if !ok {
				c.errorf("invalid date format %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			when = t
		case "t":
			t, ok := parseTouchStamp(o.Val, now, loc)
			if !ok {
				c.errorf("invalid date format %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			when = t
		case "r":
			m, err := c.FS.Stat(c.abs(o.Val))
			if err != nil {
				c.errorf("failed to get attributes of %s: %s", c.quoteAF(o.Val), errText(err))
				return c.done(1)
			}
			when = m.MTime
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing file operand")
	}
	status := 0
	for _, op := range ops {
		abs := c.abs(op)
		stat, chtimes := c.FS.Stat, c.FS.Chtimes
		if noDeref { // the link itself; GNU touch then never creates a file
			stat, chtimes = c.FS.Lstat, c.FS.Lchtimes
		}
		m, err := stat(abs)
		if err != nil && noDeref && !noCreate {
			c.errorf("setting times of %s: %s", c.quoteAF(op), errText(err))
			status = 1
			continue
		}
		if err != nil {
			if noCreate {
				continue
			}
			if strings.HasSuffix(op, "/") {
				c.errorf("cannot touch %s: %s", c.quoteAF(op), "Is a directory")
				status = 1
				continue
			}
			if werr := c.FS.WriteFile(abs, nil, 0o666&^c.umask()); werr != nil {
				c.errorf("cannot touch %s: %s", c.quoteAF(op), errText(werr))
				status = 1
				continue
			}
			m, _ = c.FS.Stat(abs)
		}
		at, mt := when, when
		if onlyA && !onlyM {
			mt = m.MTime
		}
		if onlyM && !onlyA {
			at = m.ATime
		}
		if err := chtimes(abs, at, mt); err != nil {
			c.errorf("setting times of %s: %s", c.quoteAF(op), errText(err))
			status = 1
		}
	}
	return c.done(status)
}

// parseTouchStamp parses touch -t's [[CC]YY]MMDDhhmm[.ss].
func parseTouchStamp(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	sec := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		v, err := strconv.Atoi(s[i+1:])
		if err != nil || len(s[i+1:]) != 2 {
			return time.Time{}, false
		}
		sec = v
		s = s[:i]
	}
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return time.Time{}, false
		}
	}
	year := now.In(loc).Year()
	switch len(s) {
	case 8:
	case 10:
		yy, _ := strconv.Atoi(s[:2])
		if yy < 69 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
		s = s[2:]
	case 12:
		year, _ = strconv.Atoi(s[:4])
		s = s[4:]
	default:
		return time.Time{}, false
	}
	mo, _ := strconv.Atoi(s[0:2])
	d, _ := strconv.Atoi(s[2:4])
	h, _ := strconv.Atoi(s[4:6])
	mi, _ := strconv.Atoi(s[6:8])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mo), d, h, mi, sec, 0, loc), true
}

// parseDate understands the date strings scripts give touch -d and date -d: ISO forms,
// "@epoch", "now", "yesterday", "N days ago" and RFC-like forms.
func parseDate(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "@") {
		v, err := strconv.ParseFloat(s[1:], 64)
		if err != nil {
			return time.Time{}, false
		}
		sec := int64(v)
		return time.Unix(sec, int64((v-float64(sec))*1e9)).In(loc), true
	}
	low := strings.ToLower(s)
	switch low {
	case "", "now", "today":
		return now, true
	case "yesterday":
		return now.AddDate(0, 0, -1), true
	case "tomorrow":
		return now.AddDate(0, 0, 1), true
	}
	f := strings.Fields(low)
	if len(f) >= 2 {
		n, err := strconv.Atoi(f[0])
		unit := strings.TrimSuffix(f[1], "s")
		ago := len(f) == 3 && f[2] == "ago"
		if err == nil && (len(f) == 2 || ago) {
			if ago {
				n = -n
			}
			switch unit {
			case "sec", "second":
				return now.Add(time.Duration(n) * time.Second), true
			case "min", "minute":
				return now.Add(time.Duration(n) * time.Minute), true
			case "hour":
				return now.Add(time.Duration(n) * time.Hour), true
			case "day":
				return now.AddDate(0, 0, n), true
			case "week":
				return now.AddDate(0, 0, 7*n), true
			case "month":
				return now.AddDate(0, n, 0), true
			case "year":
				return now.AddDate(n, 0, 0), true
			}
		}
	}
	layouts := []string{
		"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02",
		"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05Z07:00",
		"Mon Jan _2 15:04:05 MST 2006", "Mon Jan _2 15:04:05 2006", "Mon, 02 Jan 2006 15:04:05 -0700",
		"Jan 2 2006", "Jan 2 15:04", "2 Jan 2006", "January 2 2006", "2006/01/02", "01/02/2006", "15:04", "15:04:05",
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			if l == "15:04" || l == "15:04:05" {
				n := now.In(loc)
				t = time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
			}
			if l == "Jan 2 15:04" {
				t = t.AddDate(now.In(loc).Year(), 0, 0)
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// ---- chmod ----

// parseChmod applies a chmod mode string (octal or symbolic, comma-separated clauses) to
// old. isDir matters for X. umask applies to clauses without who letters.
func parseChmod(spec string, old uint32, umask fs.FileMode, isDir bool) (uint32, bool) {
	if spec == "" {
		return 0, false
	}
	if spec[0] >= '0' && spec[0] <= '7' {
		v, err := strconv.ParseUint(spec, 8, 32)
		if err != nil || v > 0o7777 {
			return 0, false
		}
		// Octal modes of up to four digits keep a directory's set-id bits, as coreutils does.
		if isDir && len(spec) < 5 {
			return uint32(v) | old&0o6000&^uint32(v), true
		}
		return uint32(v), true
	}
	mode := old
	um := uint32(umask)
	for _, clause := range strings.Split(spec, ",") {
		i := 0
		var who uint32
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			switch clause[i] {
			case 'u':
				who |= 0o4700
			case 'g':
				who |= 0o2070
			case 'o':
				who |= 0o1007
			case 'a':
				who |= 0o7777
			}
			i++
		}
		if i >= len(clause) {
			return 0, false
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, false
			}
			i++
			var perm uint32
			if i < len(clause) && strings.IndexByte("ugo", clause[i]) >= 0 {
				var src uint32
				switch clause[i] {
				case 'u':
					src = (mode >> 6) & 7
				case 'g':
					src = (mode >> 3) & 7
				case 'o':
					src = mode & 7
				}
				perm = src<<6 | src<<3 | src
				i++
			} else {
				for i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0 {
					switch clause[i] {
					case 'r':
						perm |= 0o444
					case 'w':
						perm |= 0o222
					case 'x':
						perm |= 0o111
					case 'X':
						if isDir || mode&0o111 != 0 {
							perm |= 0o111
						}
					case 's':
						perm |= 0o6000
					case 't':
						perm |= 0o1000
					}
					i++
				}
			}
			mask := who
			if who == 0 {
				mask = 0o7777 &^ um
			}
			switch op {
			case '+':
				mode |= perm & mask
			case '-':
				mode &^= perm & mask
			case '=':
				clear := who
				if who == 0 {
					clear = 0o7777
				}
				if isDir {
					clear &^= 0o6000
				}
				mode = (mode &^ clear) | (perm & mask)
			}
		}
	}
	return mode, true
}

func chmodMain(p *Proc) int {
	c := newCmd(p)
	// Mode strings like -w or -x look like options: pull them out first, as chmod does.
	args := []string{c.name}
	modeFromOpt := ""
	for i, a := range p.Args[1:] {
		if a == "--" {
			args = append(args, p.Args[1+i:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], "rwxXstugoa,+-=0123456789") == "" && a[1] != '-' && modeFromOpt == "" {
			modeFromOpt = a
			continue
		}
		args = append(args, a)
	}
	saved := c.Args
	c.Args = args
	opts, ops, ok, st := c.parse(optSpec{Short: "cfvR", Long: withHelp(
		longOpt{"changes", argNone, "c"}, longOpt{"silent", argNone, "f"}, longOpt{"quiet", argNone, "f"},
		longOpt{"verbose", argNone, "v"}, longOpt{"recursive", argNone, "R"},
		longOpt{"reference", argRequired, "reference"},
		longOpt{"no-preserve-root", argNone, "npr"}, longOpt{"preserve-root", argNone, "pr"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "chmod"); h {
		return st
	}
	recursive, verbose, changes, quiet := hasOpt(opts, "R"), hasOpt(opts, "v"), hasOpt(opts, "c"), hasOpt(opts, "f")
	spec := modeFromOpt
	if spec == "" {
		if len(ops) == 0 {
			return c.usage(1, "missing operand")
		}
		spec, ops = ops[0], ops[1:]
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand after %s", c.quoteLoc(spec))
	}
	if _, ok := parseChmod(spec, 0, 0, false); !ok {
		c.errorf("invalid mode: %s", c.quoteLoc(spec))
		return c.tryHelp(1)
	}
	status := 0
	var apply func(name, abs string, top bool)
	apply = func(name, abs string, top bool) {
		var m vfs.Meta
		var err error
		if top {
			m, err = c.FS.Stat(abs)
		} else {
			m, err = c.FS.Lstat(abs)
		}
		if err != nil {
			if !quiet {
				c.errorf("cannot access %s: %s", c.quoteAF(name), errText(err))
			}
			status = 1
			return
		}
		if m.Mode&fs.ModeSymlink != 0 {
			return
		}
		old := unixMode(m.Mode)
		nm, _ := parseChmod(spec, old, c.umask(), m.Mode.IsDir())
		if nm != old {
			if err := c.FS.Chmod(abs, goMode(nm)); err != nil {
				if !quiet {
					c.errorf("changing permissions of %s: %s", c.quoteAF(name), errText(err))
				}
				status = 1
				return
			}
		}
		if verbose || (changes && nm != old) {
			t := m.Mode.Type()
			if nm != old {
				c.printf("mode of %s changed from %04o (%s) to %04o (%s)\n", c.quoteAF(name), old, modeString(t | goMode(old))[1:], nm, modeString(t | goMode(nm))[1:])
			} else {
				c.printf("mode of %s retained as %04o (%s)\n", c.quoteAF(name), old, modeString(t | goMode(old))[1:])
			}
		}
		if recursive && m.Mode.IsDir() {
			kids, _ := c.FS.ReadDir(abs)
			for _, k := range kids {
				if c.failed() {
					return
				}
				apply(strings.TrimRight(name, "/")+"/"+k.Name, abs+"/"+k.Name, false)
			}
		}
	}
	for _, op := range ops {
		apply(op, c.abs(op), true)
	}
	return c.done(status)
}

// ---- chown / chgrp ----

func chownMain(p *Proc) int {
	c := newCmd(p)
	isChgrp := c.base() == "chgrp"
	opts, ops, ok, st := c.parse(optSpec{Short: "cfhvHLPR", Long: withHelp(
		longOpt{"changes", argNone, "c"}, longOpt{"silent", argNone, "f"}, longOpt{"quiet", argNone, "f"},
		longOpt{"verbose", argNone, "v"}, longOpt{"recursive", argNone, "R"},
		longOpt{"no-dereference", argNone, "h"}, longOpt{"dereference", argNone, "deref"},
		longOpt{"reference", argRequired, "reference"}, longOpt{"from", argRequired, "from"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, c.base()); h {
		return st
	}
	recursive, verbose, quiet, noDeref := hasOpt(opts, "R"), hasOpt(opts, "v"), hasOpt(opts, "f"), hasOpt(opts, "h")
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	spec := ops[0]
	ops = ops[1:]
	if len(ops) == 0 {
		return c.usage(1, "missing operand after %s", c.quoteLoc(spec))
	}
	ids := c.loadIDNames()
	uid, gid := int64(-1), int64(-1)
	userPart, groupPart, hasGroup := spec, "", false
	if isChgrp {
		userPart, groupPart, hasGroup = "", spec, true
	} else if i := strings.IndexAny(spec, ":."); i >= 0 {
		userPart, groupPart, hasGroup = spec[:i], spec[i+1:], true
	}
	if userPart != "" {
		if v, ok := ids.uids[userPart]; ok {
			uid = int64(v)
		} else if n, err := strconv.ParseUint(userPart, 10, 32); err == nil {
			uid = int64(n)
		} else {
			c.errorf("invalid user: %s", c.quoteLoc(spec))
			return c.done(1)
		}
	}
	if hasGroup && groupPart != "" {
		if v, ok := ids.gids[groupPart]; ok {
			gid = int64(v)
		} else if n, err := strconv.ParseUint(groupPart, 10, 32); err == nil {
			gid = int64(n)
		} else {
			if isChgrp {
				c.errorf("invalid group: %s", c.quoteLoc(groupPart))
			} else {
				c.errorf("invalid group: %s", c.quoteLoc(spec))
			}
			return c.done(1)
		}
	} else if hasGroup && userPart != "" && !isChgrp {
		gid = int64(ids.userGID[userPart])
	}
	status := 0
	var apply func(name, abs string, top bool)
	apply = func(name, abs string, top bool) {
		var m vfs.Meta
		var err error
		if top && !noDeref {
			m, err = c.FS.Stat(abs)
		} else {
			m, err = c.FS.Lstat(abs)
		}
		if err != nil {
			if !quiet {
				c.errorf("cannot access %s: %s", c.quoteAF(name), errText(err))
			}
			status = 1
			return
		}
		nu, ng := m.UID, m.GID
		if uid >= 0 {
			nu = uint32(uid)
		}
		if gid >= 0 {
			ng = uint32(gid)
		}
		if err := c.FS.Chown(abs, nu, ng); err != nil {
			if !quiet {
				c.errorf("changing ownership of %s: %s", c.quoteAF(name), errText(err))
			}
			status = 1
			return
		}
		// chown(2) on anything but a directory drops set-user-ID, and set-group-ID when
		// the group may execute (the kernel's ATTR_KILL_SUID/SGID), root's calls included.
		if !m.Mode.IsDir() && m.Mode&fs.ModeSymlink == 0 && m.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			mode := m.Mode &^ fs.ModeSetuid
			if m.Mode&0o010 != 0 {
				mode &^= fs.ModeSetgid
			}
			_ = c.FS.Chmod(abs, mode)
		}
		if verbose {
			if isChgrp {
				c.printf("group of %s retained as %s\n", c.quoteAF(name), ids.group(ng))
			} else {
				c.printf("ownership of %s retained as %s\n", c.quoteAF(name), ids.user(nu)+":"+ids.group(ng))
			}
		}
		if recursive && m.Mode.IsDir() {
			kids, _ := c.FS.ReadDir(abs)
			for _, k := range kids {
				apply(strings.TrimRight(name, "/")+"/"+k.Name, abs+"/"+k.Name, false)
			}
		}
	}
	for _, op := range ops {
		apply(op, c.abs(op), true)
	}
	return c.done(status)
}

// ---- ln ----

func lnMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "bdfinrst:vLPTS:", Long: withHelp(
		longOpt{"force", argNone, "f"}, longOpt{"interactive", argNone, "i"},
		longOpt{"no-dereference", argNone, "n"}, longOpt{"relative", argNone, "r"},
		longOpt{"symbolic", argNone, "s"}, longOpt{"target-directory", argRequired, "t"},
		longOpt{"no-target-directory", argNone, "T"}, longOpt{"verbose", argNone, "v"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "ln"); h {
		return st
	}
	sym, force, verbose, noDeref := hasOpt(opts, "s"), hasOpt(opts, "f"), hasOpt(opts, "v"), hasOpt(opts, "n")
	target := ""
	for _, o := range opts {
		if o.Key == "t" {
			target = o.Val
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing file operand")
	}
	type pair struct{ src, dst string }
	var pairs []pair
	if target == "" {
		if len(ops) == 1 {
			pairs = []pair{{ops[0], path.Base(strings.TrimRight(ops[0], "/"))}}
		} else {
			last := ops[len(ops)-1]
			var m vfs.Meta
			var err error
			if noDeref {
				m, err = c.FS.Lstat(c.abs(last))
			} else {
				m, err = c.FS.Stat(c.abs(last))
			}
			if err == nil && m.Mode.IsDir() {
				target = last
				ops = ops[:len(ops)-1]
			} else if len(ops) > 2 {
				c.errorf("target %s is not a directory", c.quoteAF(last))
				return c.done(1)
			} else {
				pairs = []pair{{ops[0], last}}
			}
		}
	}
	if target != "" {
		for _, s := range ops {
			pairs = append(pairs, pair{s, strings.TrimRight(target, "/") + "/" + path.Base(strings.TrimRight(s, "/"))})
		}
	}
	status := 0
	for _, pr := range pairs {
		dabs := c.abs(pr.dst)
		if !sym {
			sm, err := c.FS.Stat(c.abs(pr.src))
			if err != nil {
				c.errorf("failed to access %s: %s", c.quoteAF(pr.src), errText(err))
				status = 1
				continue
			}
			if sm.Mode.IsDir() {
				c.errorf("%s: hard link not allowed for directory", c.quoteAF(pr.src))
				status = 1
				continue
			}
		}
		if _, err := c.FS.Lstat(dabs); err == nil {
			if !force {
				if sym {
					c.errorf("failed to create symbolic link %s: File exists", c.quoteAF(pr.dst))
				} else {
					c.errorf("failed to create hard link %s: File exists", c.quoteAF(pr.dst))
				}
				status = 1
				continue
			}
			if err := c.FS.Remove(dabs); err != nil {
				c.errorf("cannot remove %s: %s", c.quoteAF(pr.dst), errText(err))
				status = 1
				continue
			}
		}
		var err error
		if sym {
			err = c.FS.Symlink(pr.src, dabs)
		} else {
			// The vfs has no hard links: a copy shows the same content and mode.
			sabs := c.abs(pr.src)
			var data []byte
			var sm vfs.Meta
			if data, err = c.FS.ReadFile(sabs); err == nil {
				sm, _ = c.FS.Stat(sabs)
				err = c.FS.WriteFile(dabs, data, sm.Mode.Perm())
				if err == nil {
					_ = c.FS.Chtimes(dabs, sm.ATime, sm.MTime)
				}
			}
		}
		if err != nil {
			kind := "hard link"
			if sym {
				kind = "symbolic link"
			}
			c.errorf("failed to create %s %s: %s", kind, c.quoteAF(pr.dst), errText(err))
			status = 1
			continue
		}
		if verbose {
			if sym {
				c.printf("%s -> %s\n", c.quoteAF(pr.dst), c.quoteAF(pr.src))
			} else {
				c.printf("%s => %s\n", c.quoteAF(pr.dst), c.quoteAF(pr.src))
			}
		}
	}
	return c.done(status)
}

// ---- basename / dirname / readlink / realpath ----

func basenameMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "as:z", Long: withHelp(
		longOpt{"multiple", argNone, "a"}, longOpt{"suffix", argRequired, "s"}, longOpt{"zero", argNone, "z"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "basename"); h {
		return st
	}
	multiple, suffix, eol := false, "", "\n"
	for _, o := range opts {
		switch o.Key {
		case "a":
			multiple = true
		case "s":
			multiple, suffix = true, o.Val
		case "z":
			eol = "\x00"
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	if !multiple {
		if len(ops) > 2 {
			return c.usage(1, "extra operand %s", c.quoteAF(ops[2]))
		}
		if len(ops) == 2 {
			suffix = ops[1]
		}
		ops = ops[:1]
	}
	for _, op := range ops {
		b := baseOf(op)
		if suffix != "" && b != suffix && strings.HasSuffix(b, suffix) && b != "/" {
			b = strings.TrimSuffix(b, suffix)
		}
		c.print(b + eol)
	}
	return c.done(0)
}

// baseOf is POSIX basename: trailing slashes are ignored, "/" stays "/".
func baseOf(s string) string {
	if s == "" {
		return ""
	}
	t := strings.TrimRight(s, "/")
	if t == "" {
		return "/"
	}
	if i := strings.LastIndexByte(t, '/'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// dirOf is POSIX dirname.
func dirOf(s string) string {
	t := strings.TrimRight(s, "/")
	if t == "" {
		if s == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	d := strings.TrimRight(t[:i], "/")
	if d == "" {
		return "/"
	}
	return d
}

func dirnameMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "z", Long: withHelp(longOpt{"zero", argNone, "z"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "dirname"); h {
		return st
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	eol := "\n"
	if hasOpt(opts, "z") {
		eol = "\x00"
	}
	for _, op := range ops {
		c.print(dirOf(op) + eol)
	}
	return c.done(0)
}

// canonical resolves name as readlink -f/-e/-m do. mode 'f': all but the last component
// must exist; 'e': all must; 'm': none must.
func (c *cmd) canonical(name string, mode byte) (string, error) {
	abs := c.abs(name)
	if mode == 'm' {
		if r, err := c.FS.Realpath(abs); err == nil {
			return r, nil
		}
		// Resolve the longest existing prefix, then append the rest textually.
		parts := strings.Split(strings.TrimPrefix(abs, "/"), "/")
		for i := len(parts); i > 0; i-- {
			pre := "/" + strings.Join(parts[:i], "/")
			if r, err := c.FS.Realpath(pre); err == nil {
				return path.Clean(r + "/" + strings.Join(parts[i:], "/")), nil
			}
		}
		return abs, nil
	}
	r, err := c.FS.Realpath(abs)
	if err == nil {
		return r, nil
	}
	if mode == 'e' {
		return "", err
	}
	if isErrno(err, syscall.ENOENT) {
		parent, perr := c.FS.Realpath(path.Dir(abs))
		if perr != nil {
			return "", perr
		}
		// A dangling symlink as the last component resolves through its target.
		if m, lerr := c.FS.Lstat(abs); lerr == nil && m.Mode&fs.ModeSymlink != 0 {
			t := m.Target
			if !strings.HasPrefix(t, "/") {
				t = parent + "/" + t
			}
			tp, terr := c.FS.Realpath(path.Dir(path.Clean(t)))
			if terr != nil {
				return "", terr
			}
			return path.Join(tp, path.Base(t)), nil
		}
		return path.Join(parent, path.Base(abs)), nil
	}
	return "", err
}

func readlinkMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "efmnqsvz", Long: withHelp(
		longOpt{"canonicalize", argNone, "f"}, longOpt{"canonicalize-existing", argNone, "e"},
		longOpt{"canonicalize-missing", argNone, "m"}, longOpt{"no-newline", argNone, "n"},
		longOpt{"quiet", argNone, "q"}, longOpt{"silent", argNone, "s"}, longOpt{"verbose", argNone, "v"},
		longOpt{"zero", argNone, "z"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "readlink"); h {
		return st
	}
	var mode byte
	verbose, noNL := false, false
	eol := "\n"
	for _, o := range opts {
		switch o.Key {
		case "f", "e", "m":
			mode = o.Key[0]
		case "v":
			verbose = true
		case "q", "s":
			verbose = false
		case "n":
			noNL = true
		case "z":
			eol = "\x00"
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	if noNL && len(ops) > 1 {
		c.errorf("ignoring --no-newline with multiple arguments")
		noNL = false
	}
	status := 0
	for _, op := range ops {
		var out string
		var err error
		if mode == 0 {
			out, err = c.FS.Readlink(c.abs(op))
		} else {
			out, err = c.canonical(op, mode)
		}
		if err != nil {
			if verbose {
				c.errorf("%s: %s", op, errText(err))
			}
			status = 1
			continue
		}
		if noNL {
			c.print(out)
		} else {
			c.print(out + eol)
		}
	}
	return c.done(status)
}

func realpathMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "eLmPqsz", Long: withHelp(
		longOpt{"canonicalize-existing", argNone, "e"}, longOpt{"canonicalize-missing", argNone, "m"},
		longOpt{"logical", argNone, "L"}, longOpt{"physical", argNone, "P"}, longOpt{"quiet", argNone, "q"},
		longOpt{"strip", argNone, "s"}, longOpt{"no-symlinks", argNone, "s"}, longOpt{"zero", argNone, "z"},
		longOpt{"relative-to", argRequired, "relative-to"}, longOpt{"relative-base", argRequired, "relative-base"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "realpath"); h {
		return st
	}
	mode := byte('f')
	quiet, strip := false, false
	eol := "\n"
	for _, o := range opts {
		switch o.Key {
		case "e", "m":
			mode = o.Key[0]
		case "q":
			quiet = true
		case "s":
			strip = true
		case "z":
			eol = "\x00"
		}
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	status := 0
	for _, op := range ops {
		var out string
		var err error
		if strip {
			out = c.abs(op)
		} else {
			out, err = c.canonical(op, mode)
		}
		if err != nil {
			if !quiet {
				c.errorf("%s: %s", c.quoteF(op), errText(err))
			}
			status = 1
			continue
		}
		c.print(out + eol)
	}
	return c.done(status)
}

// ---- du ----

func duMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "0abd:chHklmsLPSxB:X:", Long: withHelp(
		longOpt{"all", argNone, "a"}, longOpt{"bytes", argNone, "b"}, longOpt{"total", argNone, "c"},
		longOpt{"max-depth", argRequired, "d"}, longOpt{"human-readable", argNone, "h"},
		longOpt{"si", argNone, "si"}, longOpt{"summarize", argNone, "s"},
		longOpt{"apparent-size", argNone, "apparent"}, longOpt{"block-size", argRequired, "B"},
		longOpt{"null", argNone, "0"}, longOpt{"dereference", argNone, "L"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "du"); h {
		return st
	}
	var all, total, human, summarize, bytesMode, apparent, mega bool
	maxDepth := -1
	for _, o := range opts {
		switch o.Key {
		case "a":
			all = true
		case "c":
			total = true
		case "h", "si":
			human = true
		case "s":
			summarize = true
		case "b":
			bytesMode, apparent = true, true
		case "apparent":
			apparent = true
		case "m":
			mega = true
		case "k":
			mega = false
		case "d":
			n, err := strconv.Atoi(o.Val)
			if err != nil || n < 0 {
				c.errorf("invalid maximum depth %s", c.quoteAF(o.Val))
				return c.tryHelp(1)
			}
			maxDepth = n
		}
	}
	if summarize {
		if maxDepth > 0 {
			c.errorf("warning: summarizing conflicts with --max-depth=%d", maxDepth)
			return c.tryHelp(1)
		}
		maxDepth = 0
	}
	if len(ops) == 0 {
		ops = []string{"."}
	}
	show := func(n int64, name string) {
		var s string
		switch {
		case human:
			s = humanSize(n, false)
		case bytesMode:
			s = strconv.FormatInt(n, 10)
		case mega:
			s = strconv.FormatInt(ceilDiv(n, 1<<20), 10)
		default:
			s = strconv.FormatInt(ceilDiv(n, 1024), 10)
		}
		c.print(s + "\t" + name + "\n")
	}
	size := func(m vfs.Meta) int64 {
		if apparent {
			if m.Mode.IsDir() || m.Mode.IsRegular() || m.Mode&fs.ModeSymlink != 0 {
				return m.Size
			}
			return 0
		}
		return blocks1K(m) * 1024
	}
	status := 0
	var grand int64
	var walk func(name, abs string, depth int) int64
	walk = func(name, abs string, depth int) int64 {
		m, err := c.FS.Lstat(abs)
		if err != nil {
			c.errorf("cannot access %s: %s", c.quoteAF(name), errText(err))
			status = 1
			return 0
		}
		n := size(m)
		if m.Mode.IsDir() {
			kids, err := c.FS.ReadDir(abs)
			if err != nil {
				c.errorf("cannot read directory %s: %s", c.quoteAF(name), errText(err))
				status = 1
			}
			for _, k := range kids {
				if c.failed() {
					break
				}
				cn := strings.TrimRight(name, "/") + "/" + k.Name
				if name == "/" {
					cn = "/" + k.Name
				}
				n += walk(cn, abs+"/"+k.Name, depth+1)
			}
			if maxDepth < 0 || depth <= maxDepth {
				show(n, name)
			}
		} else if depth == 0 || (all && (maxDepth < 0 || depth <= maxDepth)) {
			show(n, name)
		}
		return n
	}
	for _, op := range ops {
		grand += walk(op, c.abs(op), 0)
	}
	if total {
		show(grand, "total")
	}
	return c.done(status)
}

// ---- mktemp ----

func mktempMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "dp:qtu", Long: withHelp(
		longOpt{"directory", argNone, "d"}, longOpt{"dry-run", argNone, "u"}, longOpt{"quiet", argNone, "q"},
		longOpt{"suffix", argRequired, "suffix"}, longOpt{"tmpdir", argOptional, "p"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "mktemp"); h {
		return st
	}
	dir, dry, quiet := false, false, false
	tmpdir, suffix := "", ""
	useTmp := false
	for _, o := range opts {
		switch o.Key {
		case "d":
			dir = true
		case "u":
			dry = true
		case "q":
			quiet = true
		case "suffix":
			suffix = o.Val
		case "p":
			useTmp = true
			tmpdir = o.Val
		case "t":
			useTmp = true
		}
	}
	if len(ops) > 1 {
		return c.usage(1, "too many templates")
	}
	tmpl := "tmp.XXXXXXXXXX"
	if len(ops) == 1 {
		tmpl = ops[0]
	} else {
		useTmp = true
	}
	if useTmp {
		if tmpdir == "" {
			tmpdir = c.Env["TMPDIR"]
		}
		if tmpdir == "" {
			tmpdir = "/tmp"
		}
		if !strings.Contains(tmpl, "/") || len(ops) == 0 {
			tmpl = strings.TrimRight(tmpdir, "/") + "/" + tmpl
		}
	}
	i := strings.LastIndex(tmpl, "XXX")
	if i < 0 {
		c.errorf("too few X's in template %s", c.quoteAF(tmpl))
		return c.done(1)
	}
	j := i + 3
	start := i
	for start > 0 && tmpl[start-1] == 'X' {
		start--
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	seed := uint64(time.Now().UnixNano())
	for attempt := 0; attempt < 100; attempt++ {
		b := []byte(tmpl[:start])
		for k := start; k < j; k++ {
			seed = seed*6364136223846793005 + 1442695040888963407
			b = append(b, letters[(seed>>33)%uint64(len(letters))])
		}
		name := string(b) + tmpl[j:] + suffix
		abs := c.abs(name)
		if _, err := c.FS.Lstat(abs); err == nil {
			continue
		}
		if !dry {
			var err error
			if dir {
				err = c.FS.Mkdir(abs, 0o700)
			} else {
				err = c.FS.WriteFile(abs, nil, 0o600)
			}
			if err != nil {
				if !quiet {
					kind := "file"
					if dir {
						kind = "directory"
					}
					c.errorf("failed to create %s via template %s: %s", kind, c.quoteAF(tmpl+suffix), errText(err))
				}
				return c.done(1)
			}
		}
		c.print(name + "\n")
		return c.done(0)
	}
	return c.done(1)
}

// ---- tee ----

func teeMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "aip", Long: withHelp(
		longOpt{"append", argNone, "a"}, longOpt{"ignore-interrupts", argNone, "i"},
		longOpt{"output-error", argOptional, "output-error"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "tee"); h {
		return st
	}
	appendMode := hasOpt(opts, "a")
	status := 0
	var targets []string
	for _, f := range ops {
		abs := c.abs(f)
		var err error
		if appendMode {
			err = c.FS.AppendFile(abs, nil, 0o666&^c.umask())
		} else {
			err = c.FS.WriteFile(abs, nil, 0o666&^c.umask())
		}
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		targets = append(targets, abs)
	}
	buf := make([]byte, 32*1024)
	in := c.Stdin
	if in == nil {
		in = bytes.NewReader(nil)
	}
	stdoutOK := true
	for {
		if c.Ctx != nil && c.Ctx.Err() != nil {
			break
		}
		n, err := in.Read(buf)
		if n > 0 {
			if stdoutOK {
				c.write(buf[:n])
				c.flush()
				if c.werr != nil {
					stdoutOK = false
				}
			}
			kept := targets[:0]
			for _, t := range targets {
				if aerr := c.FS.AppendFile(t, buf[:n], 0o666&^c.umask()); aerr != nil {
					c.errorf("%s: %s", c.quoteF(t), errText(aerr))
					status = 1
					continue
				}
				kept = append(kept, t)
			}
			targets = kept
			if !stdoutOK && len(targets) == 0 {
				break
			}
		}
		if err != nil {
			break
		}
	}
	return c.done(status)
}

// ---- seq ----

func seqMain(p *Proc) int {
	c := newCmd(p)
	// Negative numbers are operands, not options.
	args := []string{c.name}
	var nums []string
	sep, format, equal := "\n", "", false
	raw := p.Args[1:]
	for i := 0; i < len(raw); i++ {
		a := raw[i]
		if len(a) > 1 && a[0] == '-' && (isDigit(a[1]) || a[1] == '.') {
			nums = append(nums, a)
			continue
		}
		args = append(args, a)
	}
	saved := c.Args
	c.Args = args
	opts, ops, ok, st := c.parse(optSpec{Short: "f:s:w", Long: withHelp(
		longOpt{"format", argRequired, "f"}, longOpt{"separator", argRequired, "s"},
		longOpt{"equal-width", argNone, "w"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "seq"); h {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "f":
			format = o.Val
		case "s":
			sep = o.Val
		case "w":
			equal = true
		}
	}
	// Keep the operand order: re-merge by scanning the original args.
	ops = nil
	for _, a := range raw {
		if (len(a) > 1 && a[0] == '-' && (isDigit(a[1]) || a[1] == '.')) || (len(a) > 0 && a[0] != '-') {
			ops = append(ops, a)
		}
	}
	_ = nums
	// Drop option values that were attached as separate args.
	ops = seqOperands(raw)
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	if len(ops) > 3 {
		return c.usage(1, "extra operand %s", c.quoteAF(ops[3]))
	}
	vals := make([]float64, len(ops))
	prec := 0
	for i, s := range ops {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || strings.ContainsAny(s, "xXpP") {
			c.errorf("invalid floating point argument: %s", c.quoteAF(s))
			return c.tryHelp(1)
		}
		vals[i] = v
		if i != 2 || len(ops) < 3 {
			if j := strings.IndexByte(s, '.'); j >= 0 && !strings.ContainsAny(s, "eE") {
				prec = max(prec, len(s)-j-1)
			}
		}
	}
	if len(ops) == 3 {
		if j := strings.IndexByte(ops[1], '.'); j >= 0 {
			prec = max(prec, len(ops[1])-j-1)
		}
	}
	first, step, last := 1.0, 1.0, vals[0]
	switch len(vals) {
	case 2:
		first, last = vals[0], vals[1]
	case 3:
		first, step, last = vals[0], vals[1], vals[2]
		if step == 0 {
			c.errorf("invalid Zero increment value: %s", c.quoteAF(ops[1]))
			return c.tryHelp(1)
		}
	}
	width := 0
	if equal {
		for _, v := range []float64{first, last} {
			width = max(width, len(strconv.FormatFloat(v, 'f', prec, 64)))
		}
	}
	n := 0
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if (step > 0 && v > last+1e-12*absF(last)) || (step < 0 && v < last-1e-12*absF(last)) {
			break
		}
		if c.failed() {
			break
		}
		if n > 0 {
			c.print(sep)
		}
		n++
		var s string
		if format != "" {
			s = cFormatFloat(format, v)
		} else {
			s = strconv.FormatFloat(v, 'f', prec, 64)
			if prec == 0 && absF(v) >= 1e6 && v == float64(int64(v)) {
				s = strconv.FormatInt(int64(v), 10)
			}
			if equal && len(s) < width {
				neg := strings.HasPrefix(s, "-")
				s = strings.TrimPrefix(s, "-")
				s = strings.Repeat("0", width-len(s)-boolInt(neg)) + s
				if neg {
					s = "-" + s
				}
			}
		}
		c.print(s)
	}
	if n > 0 {
		c.print("\n")
	}
	return c.done(0)
}

func seqOperands(raw []string) []string {
	var ops []string
	for i := 0; i < len(raw); i++ {
		a := raw[i]
		switch {
		case a == "--":
			return append(ops, raw[i+1:]...)
		case a == "-f" || a == "-s" || a == "--format" || a == "--separator":
			i++
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && a[0] == '-' && !(isDigit(a[1]) || a[1] == '.'):
			// option cluster like -w or -s, (value attached)
		default:
			ops = append(ops, a)
		}
	}
	return ops
}

func absF(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cFormatFloat formats v with a single printf float directive (seq -f).
func cFormatFloat(format string, v float64) string {
	i := strings.IndexByte(format, '%')
	if i < 0 {
		return format
	}
	j := i + 1
	for j < len(format) && strings.IndexByte("-+ #0123456789.'", format[j]) >= 0 {
		j++
	}
	if j >= len(format) {
		return format
	}
	spec := format[i : j+1]
	return format[:i] + sprintfC(spec, v) + format[j+1:]
}

// ---- yes ----

func yesMain(p *Proc) int {
	c := newCmd(p)
	if len(p.Args) == 2 && (p.Args[1] == "--help" || p.Args[1] == "--version") {
		if p.Args[1] == "--help" {
			c.print(fileutilsHelp["yes"][0])
		} else {
			c.print(fileutilsHelp["yes"][1])
		}
		return c.done(0)
	}
	args := p.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	line := "y\n"
	if len(args) > 0 {
		line = strings.Join(args, " ") + "\n"
	}
	chunk := []byte(strings.Repeat(line, max(1, 8192/len(line))))
	for !c.failed() {
		c.write(chunk)
	}
	return c.done(0)
}
