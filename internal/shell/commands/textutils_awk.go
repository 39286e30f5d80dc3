package commands

import (
	"context"
	"io"
	"io/fs"

	"github.com/lure-sensor/lure/internal/shell/commands/awk"
)

// awkMain is awk (and mawk): Debian 12's default awk, mawk 1.3.4, interpreted by the awk
// package over the session's filesystem; commands it starts (system(), pipes) run in a
// subshell of the calling shell.
func awkMain(p *Proc) int {
	c := newCmd(p)
	env := &awk.Env{
		Ctx:       p.Ctx,
		Stdin:     p.Stdin,
		Stdout:    p.Stdout,
		Stderr:    p.Stderr,
		StdoutTTY: p.StdoutTTY,
		Environ:   p.Env,
		ReadFile: func(name string) ([]byte, error) {
			if c.FS == nil {
				return nil, fs.ErrNotExist
			}
			return c.FS.ReadFile(c.abs(name))
		},
		WriteFile: func(name string, data []byte, appendData bool) error {
			if c.FS == nil {
				return fs.ErrPermission
			}
			if appendData {
				return c.FS.AppendFile(c.abs(name), data, 0o644)
			}
			return c.FS.WriteFile(c.abs(name), data, 0o644)
		},
		Run: func(ctx context.Context, cmdline string, stdin io.Reader, stdout, stderr io.Writer) int {
			if p.Sub == nil {
				return 127
			}
			return p.Sub(ctx, cmdline, nil, stdin, stdout, stderr)
		},
		ErrText:  errText,
		Now:      c.now,
		Location: c.location(),
		Strftime: strftime,
	}
	return awk.Main(env, p.Args)
}
