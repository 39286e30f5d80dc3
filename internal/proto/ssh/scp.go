package ssh

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// scpCmd is a parsed `scp -t` (sink: the client uploads) or `scp -f` (source: the client
// downloads) exec request, as OpenSSH's scp runs on the remote side in its legacy mode
// (`scp -O`, and every scp before OpenSSH 9.0).
type scpCmd struct {
	sink, source bool
	recursive    bool
	preserve     bool
	targetDir    bool // -d: the target must be a directory
	paths        []string
}

// parseSCP recognizes "scp [-v] [-r] [-p] [-d] -t|-f [--] path...".
func parseSCP(cmd string) (scpCmd, bool) {
	var c scpCmd
	f := strings.Fields(cmd)
	if len(f) < 2 || (f[0] != "scp" && f[0] != "/usr/bin/scp") {
		return c, false
	}
	i := 1
	for ; i < len(f); i++ {
		a := f[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		for _, r := range a[1:] {
			switch r {
			case 't':
				c.sink = true
			case 'f':
				c.source = true
			case 'r':
				c.recursive = true
			case 'p':
				c.preserve = true
			case 'd':
				c.targetDir = true
			case 'v', 'q', 'E', 'A':
			default:
				return c, false
			}
		}
	}
	c.paths = f[i:]
	if c.sink == c.source || len(c.paths) == 0 {
		return c, false
	}
	if c.sink && len(c.paths) != 1 {
		return c, false
	}
	return c, true
}

// scp runs the scp protocol over the channel.
func (h *chanHandler) scp(ctx context.Context, ch io.ReadWriter, c scpCmd) int {
	home := h.sess.User().Home
	if home == "" {
		home = "/"
	}
	s := &scpSession{h: h, fs: h.sess.FS(), home: home, r: bufio.NewReader(ch), w: ch, ctx: ctx, cmd: c}
	if c.sink {
		return s.runSink(vpath(home, c.paths[0]))
	}
	return s.runSource(c.paths)
}

type scpSession struct {
	h    *chanHandler
	fs   *vfs.FS
	home string
	r    *bufio.Reader
	w    io.Writer
	ctx  context.Context
	cmd  scpCmd
	errs int
}

func (s *scpSession) ack() error {
	_, err := s.w.Write([]byte{0})
	return err
}

// warn sends a non-fatal error line, as scp's run_err does ("scp: ...").
func (s *scpSession) warn(msg string) {
	s.errs++
	_, _ = fmt.Fprintf(s.w, "\x01scp: %s\n", msg)
}

func errText(err error) string { return vfs.Strerror(err) }

// runSink receives files into target.
func (s *scpSession) runSink(target string) int {
	st, err := s.fs.Stat(target)
	isDir := err == nil && st.Mode.IsDir()
	if s.cmd.targetDir && !isDir {
		s.warn(target + ": Not a directory")
		return 1
	}
	if err := s.ack(); err != nil {
		return 1
	}
	dirs := []string{}
	cur := target
	var mtime, atime time.Time
	for s.ctx.Err() == nil {
		line, err := s.r.ReadString('\n')
		if err != nil {
			break
		}
		if len(line) > 4096 {
			s.warn("protocol error: line too long")
			return 1
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			continue
		}
		switch line[0] {
		case '\x01', '\x02':
			// An error reported by the other side.
			continue
		case 'T':
			var mt, ma, at, aa int64
			if _, err := fmt.Sscanf(line[1:], "%d %d %d %d", &mt, &ma, &at, &aa); err != nil {
				s.warn("protocol error: mtime.sec not delimited")
				return 1
			}
			mtime, atime = time.Unix(mt, 0), time.Unix(at, 0)
			_ = s.ack()
		case 'E':
			if len(dirs) == 0 {
				s.warn("protocol error: unexpected <newline>")
				return 1
			}
			cur = dirs[len(dirs)-1]
			dirs = dirs[:len(dirs)-1]
			_ = s.ack()
		case 'C', 'D':
			mode, size, name, ok := parseSCPHeader(line[1:])
			if !ok {
				s.warn("protocol error: bad mode")
				return 1
			}
			if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
				s.warn(fmt.Sprintf("error: unexpected filename: %s", name))
				return 1
			}
			dst := cur
			if st, err := s.fs.Stat(cur); (err == nil && st.Mode.IsDir()) || len(dirs) > 0 {
				dst = path.Join(cur, name)
			}
			if line[0] == 'D' {
				if !s.cmd.recursive {
					s.warn("received directory without -r")
					return 1
				}
				if st, err := s.fs.Stat(dst); err != nil {
					if err := s.fs.Mkdir(dst, mode); err != nil {
						s.warn(dst + ": " + errText(err))
						return 1
					}
				} else if !st.Mode.IsDir() {
					s.warn(dst + ": Not a directory")
					return 1
				}
				dirs = append(dirs, cur)
				cur = dst
				_ = s.ack()
				continue
			}
			if size < 0 || size > maxUpload {
				s.warn(dst + ": File too large")
				return 1
			}
			_ = s.ack()
			data := make([]byte, size)
			if _, err := io.ReadFull(s.r, data); err != nil {
				return 1
			}
			// The sender ends each file with one status byte.
			if b, err := s.r.ReadByte(); err != nil || b != 0 {
				return 1
			}
			_, _ = s.h.sess.Upload("SCP", dst, data)
			if err := s.fs.WriteFile(dst, data, mode); err != nil {
				s.warn(dst + ": " + errText(err))
				continue
			}
			if s.cmd.preserve && !mtime.IsZero() {
				_ = s.fs.Chtimes(dst, atime, mtime)
			}
			mtime = time.Time{}
			_ = s.ack()
		default:
			s.warn("protocol error: expected control record")
			return 1
		}
	}
	if s.errs > 0 {
		return 1
	}
	return 0
}

// parseSCPHeader parses "0644 123 name".
func parseSCPHeader(s string) (fs.FileMode, int64, string, bool) {
	parts := strings.SplitN(s, " ", 3)
	if len(parts) != 3 || len(parts[0]) < 3 || len(parts[0]) > 5 {
		return 0, 0, "", false
	}
	m, err := strconv.ParseUint(parts[0], 8, 32)
	if err != nil {
		return 0, 0, "", false
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, 0, "", false
	}
	return fs.FileMode(m & 0o777), n, parts[2], true
}

// runSource sends files to the client.
func (s *scpSession) runSource(paths []string) int {
	if !s.waitAck() {
		return 1
	}
	for _, p := range paths {
		for _, vp := range s.expand(vpath(s.home, p)) {
			if s.ctx.Err() != nil {
				return 1
			}
			if !s.send(vp, 0) {
				return 1
			}
		}
	}
	if s.errs > 0 {
		return 1
	}
	return 0
}

// expand does the remote shell's globbing of the last path element.
func (s *scpSession) expand(p string) []string {
	base := path.Base(p)
	if !strings.ContainsAny(base, "*?[") {
		return []string{p}
	}
	dir := path.Dir(p)
	ents, err := s.fs.ReadDir(dir)
	if err != nil {
		return []string{p}
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if ok, _ := path.Match(base, e.Name); ok {
			out = append(out, path.Join(dir, e.Name))
		}
	}
	if len(out) == 0 {
		return []string{p}
	}
	return out
}

// waitAck reads the client's status byte; a non-zero status carries a message line.
func (s *scpSession) waitAck() bool {
	b, err := s.r.ReadByte()
	if err != nil {
		return false
	}
	if b != 0 {
		_, _ = s.r.ReadString('\n')
		return b == 1
	}
	return true
}

func (s *scpSession) send(p string, depth int) bool {
	st, err := s.fs.Stat(p)
	if err != nil {
		s.warn(p + ": " + errText(err))
		return true
	}
	if s.cmd.preserve {
		fmt.Fprintf(s.w, "T%d 0 %d 0\n", st.MTime.Unix(), st.ATime.Unix())
		if !s.waitAck() {
			return false
		}
	}
	name := path.Base(p)
	if st.Mode.IsDir() {
		if !s.cmd.recursive {
			s.warn(p + ": not a regular file")
			return true
		}
		if depth > 64 {
			s.warn(p + ": Too many levels of symbolic links")
			return true
		}
		fmt.Fprintf(s.w, "D%04o 0 %s\n", st.Mode.Perm(), name)
		if !s.waitAck() {
			return false
		}
		ents, err := s.fs.ReadDir(p)
		if err != nil {
			s.warn(p + ": " + errText(err))
		}
		for _, e := range ents {
			if !s.send(path.Join(p, e.Name), depth+1) {
				return false
			}
		}
		fmt.Fprintf(s.w, "E\n")
		return s.waitAck()
	}
	if !st.Mode.IsRegular() {
		s.warn(p + ": not a regular file")
		return true
	}
	data, err := s.fs.ReadFile(p)
	if err != nil {
		s.warn(p + ": " + errText(err))
		return true
	}
	fmt.Fprintf(s.w, "C%04o %d %s\n", st.Mode.Perm(), len(data), name)
	if !s.waitAck() {
		return false
	}
	if _, err := s.w.Write(data); err != nil {
		return false
	}
	if err := s.ack(); err != nil {
		return false
	}
	return s.waitAck()
}
