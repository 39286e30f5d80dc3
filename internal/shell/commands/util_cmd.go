package commands

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/lure-sensor/lure/internal/vfs"
)

// cmd wraps a Proc with what almost every emulated program needs: its invoked name, a
// buffered stdout that remembers the first write error (a closed pipe or the session's output
// cap), and error printing in the GNU "name: message" form. Helpers of every family may use it.
type cmd struct {
	*Proc
	name string
	out  *bufio.Writer
	werr error
}

// newCmd prepares a command run. Call c.done (or c.flush) before returning.
func newCmd(p *Proc) *cmd {
	name := "?"
	if len(p.Args) > 0 {
		name = p.Args[0]
	}
	c := &cmd{Proc: p, name: name}
	c.out = bufio.NewWriterSize(errWriter{c}, 32*1024)
	return c
}

// errWriter records the first error stdout returns so that loops can stop producing output.
type errWriter struct{ c *cmd }

func (w errWriter) Write(b []byte) (int, error) {
	if w.c.werr != nil {
		return 0, w.c.werr
	}
	if w.c.Stdout == nil {
		return len(b), nil
	}
	n, err := w.c.Stdout.Write(b)
	if err != nil {
		w.c.werr = err
	}
	return n, err
}

// failed reports whether output can no longer be written or the run was cancelled; long loops
// check it so that `yes | head` and a session's cancel end them.
func (c *cmd) failed() bool {
	if c.werr != nil {
		return true
	}
	if c.Ctx != nil && c.Ctx.Err() != nil {
		return true
	}
	return false
}

// write buffers b for stdout.
func (c *cmd) write(b []byte) { _, _ = c.out.Write(b) }

// print buffers s for stdout.
func (c *cmd) print(s string) { _, _ = c.out.WriteString(s) }

// printf formats to stdout.
func (c *cmd) printf(format string, a ...any) { fmt.Fprintf(c.out, format, a...) }

// flush sends buffered stdout and reports whether everything written so far arrived.
func (c *cmd) flush() bool {
	_ = c.out.Flush()
	return c.werr == nil
}

// done flushes stdout and turns the status into what the shell sees: a program whose stdout
// was closed under it dies of SIGPIPE (128+13), as the real one would.
func (c *cmd) done(status int) int {
	c.flush()
	if c.werr != nil {
		return 141
	}
	if c.Ctx != nil && c.Ctx.Err() != nil && status == 0 {
		return 130
	}
	return status
}

// errorf prints "name: message" on stderr. Stdout is flushed first so that on a terminal the
// two streams interleave as they do with the real, unbuffered-on-error programs.
func (c *cmd) errorf(format string, a ...any) {
	c.flush()
	if c.Stderr == nil {
		return
	}
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.name, fmt.Sprintf(format, a...))
}

// errRaw writes s to stderr as is (after flushing stdout).
func (c *cmd) errRaw(s string) {
	c.flush()
	if c.Stderr != nil {
		io.WriteString(c.Stderr, s)
	}
}

// tryHelp prints the coreutils-style hint after a usage error and returns status.
func (c *cmd) tryHelp(status int) int {
	c.errRaw(fmt.Sprintf("Try '%s --help' for more information.\n", c.name))
	return c.done(status)
}

// usage prints "name: msg" and the --help hint, returning status.
func (c *cmd) usage(status int, format string, a ...any) int {
	c.errorf(format, a...)
	return c.tryHelp(status)
}

// abs resolves a path operand against the working directory, as the kernel would: the result
// is what the vfs is asked for. Trailing slashes matter to some callers and are kept apart.
func (c *cmd) abs(name string) string {
	if name == "" {
		return ""
	}
	if !strings.HasPrefix(name, "/") {
		dir := c.Dir
		if dir == "" {
			dir = "/"
		}
		name = dir + "/" + name
	}
	return path.Clean(name)
}

// utf8Locale reports whether the session's locale (LC_ALL, LC_CTYPE, LANG in that order)
// uses UTF-8: it decides curly quotes in messages and character counting.
func (c *cmd) utf8Locale() bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := c.Env[k]; v != "" {
			l := strings.ToLower(v)
			return strings.Contains(l, "utf-8") || strings.Contains(l, "utf8")
		}
	}
	return false
}

// errText renders an error's errno as glibc's strerror does.
func errText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return vfs.Strerror(en)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrExist):
		return "File exists"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	case errors.Is(err, errMemory):
		return "memory exhausted"
	}
	return vfs.Strerror(err)
}

// isErrno reports whether err carries errno e (directly or as a well-known fs error).
func isErrno(err error, e syscall.Errno) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, e) {
		return true
	}
	switch e {
	case syscall.ENOENT:
		return errors.Is(err, fs.ErrNotExist)
	case syscall.EEXIST:
		return errors.Is(err, fs.ErrExist)
	case syscall.EACCES, syscall.EPERM:
		return errors.Is(err, fs.ErrPermission)
	}
	return false
}
