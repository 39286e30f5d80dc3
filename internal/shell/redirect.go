package shell

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync/atomic"

	"mvdan.cc/sh/v3/syntax"
)

// errEPIPE is a write into a pipe whose reader has gone: the writer dies as by SIGPIPE.
var errEPIPE = errors.New("Broken pipe")

// pipeWriter is the write end of a pipeline pipe.
type pipeWriter struct {
	w      *io.PipeWriter
	b      *budget
	broken atomic.Bool
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	if err := p.b.addMoved(len(b)); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	if err != nil {
		p.broken.Store(true)
		return n, errEPIPE
	}
	return n, nil
}

// redirFile is a file opened by a redirection. Writes are buffered and reach the vfs when
// the command ends; the file was already created (or truncated) at open, as bash does.
type redirFile struct {
	r      *runner
	path   string
	buf    bytes.Buffer
	max    int64
	err    error
	closed bool
}

// maxFileBuffer bounds one redirection's buffered writes (the vfs per-file quota is 4 MiB
// by default; past it the write fails as a full quota would).
const maxFileBuffer = 8 << 20

func (f *redirFile) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if err := f.r.b.addMoved(len(p)); err != nil {
		return 0, err
	}
	if int64(f.buf.Len()+len(p)) > f.max {
		f.err = errQuota
		return 0, f.err
	}
	return f.buf.Write(p)
}

var errQuota = errors.New("Disk quota exceeded")

func (f *redirFile) flush() error {
	if f.closed {
		return nil
	}
	f.closed = true
	if f.buf.Len() == 0 {
		return nil
	}
	err := f.r.fs().AppendFile(f.path, f.buf.Bytes(), 0o666&^fs.FileMode(f.r.umask))
	f.buf = bytes.Buffer{}
	return err
}

// sync writes what is buffered so far, keeping the file open (files held by `exec >file`
// must show their content to the next command, as a real fd would).
func (f *redirFile) sync() {
	if f.closed || f.buf.Len() == 0 {
		return
	}
	if err := f.r.fs().AppendFile(f.path, f.buf.Bytes(), 0o666&^fs.FileMode(f.r.umask)); err != nil {
		f.err = err
	}
	f.buf.Reset()
}

// closeFiles flushes files opened by redirections, newest first.
func (r *runner) closeFiles(files []*redirFile) {
	for i := len(files) - 1; i >= 0; i-- {
		if err := files[i].flush(); err != nil && !r.startup {
			r.errf("%s: %s\n", files[i].path, errText(err))
		}
	}
}

// closeExecFiles flushes files the shell itself holds open (exec >file).
func (r *runner) closeExecFiles() {
	r.closeFiles(r.execFiles)
	r.execFiles = nil
}

// devReader is /dev/zero or /dev/urandom: endless, but every byte counts as moved data.
type devReader struct {
	b    *budget
	zero bool
}

func (d devReader) Read(p []byte) (int, error) {
	if d.b.ctx.Err() != nil {
		return 0, io.EOF
	}
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	if err := d.b.addMoved(len(p)); err != nil {
		return 0, io.EOF
	}
	if d.zero {
		clear(p)
	} else {
		rand.Read(p)
	}
	return len(p), nil
}

// fullWriter is /dev/full.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("No space left on device") }

// nullWriter is /dev/null: discards, but counts.
type nullWriter struct{ b *budget }

func (n nullWriter) Write(p []byte) (int, error) {
	if err := n.b.addMoved(len(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redirect applies redirections to r.fd. It returns the files to flush afterwards and
// whether all redirections succeeded (on failure $? is 1 and the command must not run).
func (r *runner) redirect(rds []*syntax.Redirect) ([]*redirFile, bool) {
	var files []*redirFile
	for _, rd := range rds {
		f, ok := r.redirOne(rd)
		if f != nil {
			files = append(files, f)
		}
		if !ok {
			r.status = 1
			return files, false
		}
	}
	return files, true
}

func (r *runner) redirOne(rd *syntax.Redirect) (*redirFile, bool) {
	fd := -1
	if rd.N != nil {
		n, err := strconv.Atoi(rd.N.Value)
		if err != nil || n > 9 {
			// {var}>file: not supported; bash would allocate fd >= 10
			r.errf("%s: Bad file descriptor\n", rd.N.Value)
			return nil, false
		}
		fd = n
	}
	switch rd.Op {
	case syntax.Hdoc, syntax.DashHdoc:
		body, err := r.hdocBody(rd)
		if err != nil {
			r.expandFail(err)
			return nil, false
		}
		r.setFD(fd, 0, &ofile{r: strings.NewReader(body), name: "heredoc"})
		return nil, true
	case syntax.WordHdoc:
		s, err := r.literal(rd.Word)
		if err != nil {
			r.expandFail(err)
			return nil, false
		}
		r.setFD(fd, 0, &ofile{r: strings.NewReader(s + "\n"), name: "herestring"})
		return nil, true
	}
	target, err := r.literal(rd.Word)
	if err != nil {
		r.expandFail(err)
		return nil, false
	}
	switch rd.Op {
	case syntax.DplOut, syntax.DplIn: // >&N, <&N, >&-, >&file
		def := 1
		if rd.Op == syntax.DplIn {
			def = 0
		}
		if target == "-" {
			r.setFD(fd, def, &ofile{name: "closed"})
			return nil, true
		}
		src, err := strconv.Atoi(strings.TrimSuffix(target, "-"))
		if err != nil {
			if rd.Op == syntax.DplOut && fd < 0 {
				// >&file is &>file
				return r.openOut(target, -2, false)
			}
			r.errf("%s: ambiguous redirect\n", target)
			return nil, false
		}
		if src > 9 || r.fd[src] == nil || (r.fd[src].r == nil && r.fd[src].w == nil) {
			r.errf("%d: Bad file descriptor\n", src)
			return nil, false
		}
		cp := *r.fd[src]
		r.setFD(fd, def, &cp)
		if strings.HasSuffix(target, "-") {
			r.fd[src] = nil
		}
		return nil, true
	case syntax.RdrIn:
		return r.openIn(target, fd, 0)
	case syntax.RdrInOut:
		f, ok := r.openOut(target, fd, true)
		if !ok {
			return f, false
		}
		data, _ := r.fs().ReadFile(r.abs(target))
		n := fd
		if n < 0 {
			n = 0
		}
		r.fd[n] = &ofile{r: bytes.NewReader(data), w: f, name: target}
		return f, true
	case syntax.RdrOut, syntax.ClbOut:
		if rd.Op == syntax.RdrOut && r.opts.noclobber {
			if m, err := r.fs().Stat(r.abs(target)); err == nil && m.Mode.IsRegular() {
				r.errf("%s: cannot overwrite existing file\n", target)
				return nil, false
			}
		}
		return r.openOut(target, fd, false)
	case syntax.AppOut:
		return r.openOutMode(target, fd, true)
	case syntax.RdrAll:
		return r.openOut(target, -2, false)
	case syntax.AppAll:
		return r.openOutMode(target, -2, true)
	}
	r.errf("%s: unsupported redirection\n", target)
	return nil, false
}

// setFD installs f as fd n, or as def when no number was given.
func (r *runner) setFD(n, def int, f *ofile) {
	if n < 0 {
		n = def
	}
	r.fd[n] = f
}

// openIn opens a file for reading (< file).
func (r *runner) openIn(name string, fd, def int) (*redirFile, bool) {
	if dev, ok := r.devFile(name, false); ok {
		if dev == nil {
			return nil, false
		}
		r.setFD(fd, def, dev)
		return nil, true
	}
	data, err := r.readFileForRedir(name)
	if err != nil {
		r.errf("%s: %s\n", name, errText(err))
		return nil, false
	}
	r.setFD(fd, def, &ofile{r: bytes.NewReader(data), name: name})
	return nil, true
}

// readFileForRedir reads a vfs file for < and $(<file), with bash's errors.
func (r *runner) readFileForRedir(name string) ([]byte, error) {
	if name == "" {
		return nil, fs.ErrNotExist
	}
	abs := r.abs(name)
	m, err := r.fs().Stat(abs)
	if err != nil {
		return nil, err
	}
	if !r.canAccess(m, 4) {
		return nil, fs.ErrPermission
	}
	if m.Mode.IsDir() {
		// reading a directory fails later, at read(2): bash's `cat < /` says "Is a directory"
		return nil, nil
	}
	return r.fs().ReadFile(abs)
}

func (r *runner) openOut(name string, fd int, keep bool) (*redirFile, bool) {
	return r.openOutFile(name, fd, false, keep)
}

func (r *runner) openOutMode(name string, fd int, app bool) (*redirFile, bool) {
	return r.openOutFile(name, fd, app, false)
}

// openOutFile opens a file for writing: fd -2 means both stdout and stderr (&>). The file
// is created or truncated now; the data reaches it when the command ends.
func (r *runner) openOutFile(name string, fd int, app, keep bool) (*redirFile, bool) {
	if dev, ok := r.devFile(name, true); ok {
		if dev == nil {
			return nil, false
		}
		if fd == -2 {
			r.fd[1], r.fd[2] = dev, dev
		} else {
			r.setFD(fd, 1, dev)
		}
		return nil, true
	}
	if name == "" {
		r.errf(": No such file or directory\n")
		return nil, false
	}
	abs := r.abs(name)
	m, err := r.fs().Stat(abs)
	existed := err == nil
	switch {
	case err == nil && m.Mode.IsDir():
		r.errf("%s: Is a directory\n", name)
		return nil, false
	case err == nil && !r.canAccess(m, 2):
		r.errf("%s: Permission denied\n", name)
		return nil, false
	case err != nil && isNotExist(err):
		pm, perr := r.fs().Stat(path.Dir(abs))
		if perr != nil {
			r.errf("%s: %s\n", name, errText(perr))
			return nil, false
		}
		if !pm.Mode.IsDir() {
			r.errf("%s: Not a directory\n", name)
			return nil, false
		}
		if !r.canAccess(pm, 3) {
			r.errf("%s: Permission denied\n", name)
			return nil, false
		}
	case err != nil:
		r.errf("%s: %s\n", name, errText(err))
		return nil, false
	}
	perm := 0o666 &^ fs.FileMode(r.umask)
	if app || keep {
		err = r.fs().AppendFile(abs, nil, perm)
	} else {
		err = r.fs().WriteFile(abs, nil, perm)
	}
	if err != nil {
		r.errf("%s: %s\n", name, errText(err))
		return nil, false
	}
	if uid := r.sh.cfg.User.UID; uid != 0 && !existed {
		_ = r.fs().Chown(abs, uint32(uid), uint32(r.sh.cfg.User.GID))
	}
	f := &redirFile{r: r, path: abs, max: maxFileBuffer}
	of := &ofile{w: f, name: name}
	if fd == -2 {
		r.fd[1], r.fd[2] = of, of
	} else {
		r.setFD(fd, 1, of)
	}
	return f, true
}

// devFile answers the device files bash and the kernel give meaning to. nil with ok=true
// means an error was printed.
func (r *runner) devFile(name string, write bool) (*ofile, bool) {
	p := r.abs(name)
	switch p {
	case "/dev/null":
		return &ofile{r: strings.NewReader(""), w: nullWriter{r.b}, name: p}, true
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return r.dupFD(1, name)
	case "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2":
		return r.dupFD(2, name)
	case "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0":
		return r.dupFD(0, name)
	case "/dev/tty":
		if !r.sh.cfg.TTY {
			r.errf("%s: No such device or address\n", name)
			return nil, true
		}
		return &ofile{r: r.stdin(), w: r.outTerm, term: true, name: p}, true
	case "/dev/zero":
		return &ofile{r: devReader{b: r.b, zero: true}, w: nullWriter{r.b}, name: p}, true
	case "/dev/urandom", "/dev/random":
		return &ofile{r: devReader{b: r.b}, w: nullWriter{r.b}, name: p}, true
	case "/dev/full":
		return &ofile{r: devReader{b: r.b, zero: true}, w: fullWriter{}, name: p}, true
	}
	if strings.HasPrefix(p, "/dev/tcp/") || strings.HasPrefix(p, "/dev/udp/") {
		r.devNet(p)
		return nil, true
	}
	if n, ok := strings.CutPrefix(p, "/dev/fd/"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i <= 9 {
			return r.dupFD(i, name)
		}
	}
	return nil, false
}

func (r *runner) dupFD(n int, name string) (*ofile, bool) {
	f := r.fd[n]
	if f == nil || (f.r == nil && f.w == nil) {
		r.errf("%s: No such file or directory\n", name)
		return nil, true
	}
	cp := *f
	return &cp, true
}

// devNet answers bash's /dev/tcp/host/port: the emulated box has no route out, so the
// connection fails as it would there. Nothing leaves the sensor.
func (r *runner) devNet(p string) {
	parts := strings.Split(strings.TrimPrefix(p, "/dev/"), "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		r.errf("%s: No such file or directory\n", p)
		return
	}
	host := parts[1]
	if isIPv4(host) {
		r.errf("connect: Network is unreachable\n")
		r.errf("%s: Network is unreachable\n", p)
		return
	}
	r.errf("%s: Temporary failure in name resolution\n", host)
	r.errf("%s: Invalid argument\n", p)
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

// hdocBody returns a here-document's text: expanded unless the delimiter was quoted,
// leading tabs stripped for <<-.
func (r *runner) hdocBody(rd *syntax.Redirect) (string, error) {
	if rd.Hdoc == nil {
		return "", nil
	}
	quoted := false
	for _, wp := range rd.Word.Parts {
		switch wp := wp.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			quoted = true
		case *syntax.Lit:
			if strings.Contains(wp.Value, `\`) {
				quoted = true
			}
		}
	}
	expandPart := func(w *syntax.Word) (string, error) {
		if quoted {
			var sb strings.Builder
			for _, p := range w.Parts {
				if l, ok := p.(*syntax.Lit); ok {
					sb.WriteString(l.Value)
				}
			}
			return sb.String(), nil
		}
		return r.document(w)
	}
	if rd.Op != syntax.DashHdoc {
		return expandPart(rd.Hdoc)
	}
	// <<-: strip leading tabs from each line of the literal parts.
	var parts []syntax.WordPart
	lineStart := true
	for _, wp := range rd.Hdoc.Parts {
		lit, ok := wp.(*syntax.Lit)
		if !ok {
			parts = append(parts, wp)
			lineStart = false
			continue
		}
		var sb strings.Builder
		v := lit.Value
		for i := 0; i < len(v); i++ {
			if lineStart && v[i] == '\t' {
				continue
			}
			lineStart = v[i] == '\n'
			sb.WriteByte(v[i])
		}
		parts = append(parts, &syntax.Lit{ValuePos: lit.ValuePos, ValueEnd: lit.ValueEnd, Value: sb.String()})
	}
	return expandPart(&syntax.Word{Parts: parts})
}

// readLine reads one line byte by byte, so the rest of the input stays for the next reader
// (a while-read loop and the commands in it share stdin).
func readLine(rd io.Reader, delim byte) (string, bool) {
	var sb strings.Builder
	var b [1]byte
	for {
		n, err := rd.Read(b[:])
		if n == 1 {
			if b[0] == delim {
				return sb.String(), true
			}
			sb.WriteByte(b[0])
			if sb.Len() > 16<<20 {
				return sb.String(), true
			}
			continue
		}
		if err != nil {
			return sb.String(), false
		}
	}
}
