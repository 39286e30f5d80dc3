package commands

import (
	"context"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// The misc family: shells run as programs (bash, sh, dash), wrappers that run a command
// (nohup, timeout), terminal programs (clear, reset, tput, mesg) and ext4 attributes
// (chattr, lsattr).

func registerMisc(r *Registry) {
	r.Register("bash", bashCmd)
	r.Register("rbash", bashCmd)
	r.Register("sh", dashCmd)
	r.Register("dash", dashCmd)
	r.Register("nohup", nohupCmd)
	r.Register("timeout", timeoutCmd)
	r.Register("clear", clearCmd)
	r.Register("reset", resetCmd)
	r.Register("tput", tputCmd)
	r.Register("mesg", mesgCmd)
	r.Register("chattr", chattrCmd)
	r.Register("lsattr", lsattrCmd)
}

const bashVersion = `GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>

This is free software; you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.
`

// bashShortUsage is what bash prints after an invalid option.
const bashShortUsage = "Usage:\tbash [GNU long option] [option] ...\n\tbash [GNU long option] [option] script-file ...\n" +
	"GNU long options:\n\t--debug\n\t--debugger\n\t--dump-po-strings\n\t--dump-strings\n\t--help\n\t--init-file\n" +
	"\t--login\n\t--noediting\n\t--noprofile\n\t--norc\n\t--posix\n\t--pretty-print\n\t--rcfile\n\t--restricted\n" +
	"\t--verbose\n\t--version\nShell options:\n\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)\n" +
	"\t-abefhkmnptuvxBCEHPT or -o option\n"

// shellInvocation is a parsed "bash [options] [-c string | file] [args]".
type shellInvocation struct {
	command    string
	hasCommand bool
	file       string
	args       []string
	setOpts    []string // -e, -x, -u, ... turned into "set" lines
	stdin      bool
}

func parseShellArgs(args []string, bash bool) (shellInvocation, string) {
	var inv shellInvocation
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" {
			i++
			break
		}
		if strings.HasPrefix(a, "--") {
			switch a {
			case "--version":
				if bash {
					return inv, "version"
				}
				return inv, "badopt:-"
			case "--login", "--norc", "--noprofile", "--posix", "--noediting", "--restricted", "--verbose":
				continue
			case "--rcfile", "--init-file":
				i++
				continue
			case "--help":
				return inv, "help"
			}
			if bash {
				return inv, "badlong:" + a
			}
			return inv, "badopt:-"
		}
		if (strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+")) && len(a) > 1 {
			for k := 1; k < len(a); k++ {
				switch ch := a[k]; ch {
				case 'c':
					inv.hasCommand = true
				case 's':
					inv.stdin = true
				case 'e', 'x', 'u', 'v', 'f', 'n', 'a', 'b', 'h', 'k', 'm', 'p', 't', 'B', 'C', 'E', 'H', 'P', 'T':
					if a[0] == '-' {
						inv.setOpts = append(inv.setOpts, "-"+string(ch))
					}
				case 'o':
					if i+1 < len(args) {
						i++
						inv.setOpts = append(inv.setOpts, "-o "+args[i])
					}
				case 'i', 'l', 'r':
				default:
					return inv, "badopt:" + string(ch)
				}
			}
			continue
		}
		break
	}
	rest := args[i:]
	if inv.hasCommand {
		if len(rest) == 0 {
			return inv, "cneedsarg"
		}
		inv.command = rest[0]
		inv.args = rest[1:]
		return inv, ""
	}
	if len(rest) > 0 && !inv.stdin {
		inv.file = rest[0]
		inv.args = rest
		return inv, ""
	}
	inv.args = rest
	inv.stdin = true
	return inv, ""
}

// runShell runs a script for bash or dash with positional parameters.
func (c *cmd) runShell(inv shellInvocation, script string, arg0 string, params []string) int {
	if len(inv.setOpts) > 0 {
		script = "set " + strings.Join(inv.setOpts, " ") + "\n" + script
	}
	if c.Sub == nil {
		return c.done(0)
	}
	c.flush()
	return c.Sub(c.ctx(), script, append([]string{arg0}, params...), c.Stdin, c.Stdout, c.Stderr)
}

func bashCmd(p *Proc) int {
	c := newCmd(p)
	inv, bad := parseShellArgs(c.Args[1:], true)
	switch {
	case bad == "version":
		c.print(bashVersion)
		return c.done(0)
	case bad == "help":
		c.print("GNU bash, version 5.2.15(1)-release-(x86_64-pc-linux-gnu)\nUsage:\tbash [GNU long option] [option] ...\n\tbash [GNU long option] [option] script-file ...\nGNU long options:\n\t--debug\n\t--debugger\n\t--dump-po-strings\n\t--dump-strings\n\t--help\n\t--init-file\n\t--login\n\t--noediting\n\t--noprofile\n\t--norc\n\t--posix\n\t--pretty-print\n\t--rcfile\n\t--restricted\n\t--verbose\n\t--version\nShell options:\n\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)\n\t-abefhkmnptuvxBCEHPT or -o option\nType `bash -c \"help set\"' for more information about shell options.\nType `bash -c help' for more information about shell builtin commands.\nUse the `bashbug' command to report bugs.\n\nbash home page: <http://www.gnu.org/software/bash>\nGeneral help using GNU software: <http://www.gnu.org/gethelp/>\n")
		return c.done(0)
	case strings.HasPrefix(bad, "badlong:"):
		c.errRaw("bash: " + strings.TrimPrefix(bad, "badlong:") + ": invalid option\n" + bashShortUsage)
		return c.done(2)
	case strings.HasPrefix(bad, "badopt:"):
		c.errRaw("bash: -" + strings.TrimPrefix(bad, "badopt:") + ": invalid option\n" + bashShortUsage)
		return c.done(2)
	case bad == "cneedsarg":
		c.errRaw("bash: -c: option requires an argument\n")
		return c.done(2)
	}
	name := c.name
	switch {
	case inv.hasCommand:
		arg0 := name
		var params []string
		if len(inv.args) > 0 {
			arg0, params = inv.args[0], inv.args[1:]
		}
		return c.runShell(inv, inv.command, arg0, params)
	case inv.file != "":
		b, err := c.FS.ReadFile(c.abs(inv.file))
		if err != nil {
			c.errRaw(name + ": " + inv.file + ": " + errText(err) + "\n")
			if isErrnoNotFound(err) {
				return c.done(127)
			}
			return c.done(126)
		}
		c.captureScript(b)
		return c.runShell(inv, string(b), inv.file, inv.args[1:])
	}
	if c.StdoutTTY && c.session().Interactive {
		// An interactive subshell on the session's terminal: the session's own shell keeps
		// reading the terminal, which is what the attacker sees of a nested bash.
		return c.done(0)
	}
	b, err := readCapped(c.Stdin)
	if err != nil {
		c.errRaw(name + ": " + errText(err) + "\n")
		return c.done(1)
	}
	c.captureScript(b)
	saved := c.Stdin
	c.Stdin = strings.NewReader("")
	st := c.runShell(inv, string(b), name, inv.args)
	c.Stdin = saved
	return st
}

// captureScript keeps a script an attacker ran through a shell (sh x.sh, curl | bash).
func (c *cmd) captureScript(b []byte) {
	if s := c.session(); s.Sink != nil && len(b) > 0 {
		_, _ = s.Sink.SaveFile(b)
	}
}

func isErrnoNotFound(err error) bool {
	return errText(err) == "No such file or directory"
}

func dashCmd(p *Proc) int {
	c := newCmd(p)
	inv, bad := parseShellArgs(c.Args[1:], false)
	name := c.name
	switch {
	case strings.HasPrefix(bad, "badopt:"):
		opt := strings.TrimPrefix(bad, "badopt:")
		c.errRaw(name + ": 0: Illegal option -" + opt + "\n")
		return c.done(2)
	case bad == "help":
		c.errRaw(name + ": 0: Illegal option --\n")
		return c.done(2)
	case bad == "cneedsarg":
		c.errRaw(name + ": 0: -c requires an argument\n")
		return c.done(2)
	}
	switch {
	case inv.hasCommand:
		arg0 := name
		var params []string
		if len(inv.args) > 0 {
			arg0, params = inv.args[0], inv.args[1:]
		}
		return c.runShell(inv, inv.command, arg0, params)
	case inv.file != "":
		b, err := c.FS.ReadFile(c.abs(inv.file))
		if err != nil {
			msg := "No such file"
			if !isErrnoNotFound(err) {
				msg = errText(err)
			}
			c.errRaw(name + ": 0: cannot open " + inv.file + ": " + msg + "\n")
			return c.done(2)
		}
		c.captureScript(b)
		return c.runShell(inv, string(b), inv.file, inv.args[1:])
	}
	if c.StdoutTTY && c.session().Interactive {
		return c.done(0)
	}
	b, err := readCapped(c.Stdin)
	if err != nil {
		return c.done(2)
	}
	c.captureScript(b)
	saved := c.Stdin
	c.Stdin = strings.NewReader("")
	st := c.runShell(inv, string(b), name, inv.args)
	c.Stdin = saved
	return st
}

// vfsAppender appends what a program writes to a vfs file (nohup.out).
type vfsAppender struct {
	c    *cmd
	path string
	err  error
}

func (w *vfsAppender) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if err := w.c.FS.AppendFile(w.path, b, 0o600); err != nil {
		w.err = err
		return 0, err
	}
	return len(b), nil
}

func nohupCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	if len(args) > 0 && (args[0] == "--help" || args[0] == "--version") {
		return c.sysHelp(strings.TrimPrefix(args[0], "--"), "nohup")
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.usage(125, "missing operand")
	}
	if _, ok := c.lookPath(args[0]); !ok && !c.isShellBuiltinLike(args[0]) {
		c.errorf("failed to run command %s: No such file or directory", c.quoteAF(args[0]))
		return c.done(127)
	}
	stdinTTY := c.tty() != "" && c.session().Interactive
	var out io.Writer = c.Stdout
	if c.StdoutTTY {
		target := "nohup.out"
		abs := c.abs(target)
		if err := c.FS.AppendFile(abs, nil, 0o600); err != nil {
			home := c.Env["HOME"]
			if home == "" {
				home = "/"
			}
			target = path.Join(home, "nohup.out")
			abs = target
			if err := c.FS.AppendFile(abs, nil, 0o600); err != nil {
				c.errorf("failed to open %s: %s", c.quoteAF(target), errText(err))
				return c.done(125)
			}
		}
		if stdinTTY {
			c.errorf("ignoring input and appending output to %s", c.quoteAF(target))
		} else {
			c.errorf("appending output to %s", c.quoteAF(target))
		}
		out = &vfsAppender{c: c, path: abs}
	} else if stdinTTY {
		c.errorf("ignoring input")
	}
	c.flush()
	stderr := c.Stderr
	if c.StdoutTTY {
		stderr = out
	}
	return c.Sub(c.ctx(), sysQuoteWords(args), nil, strings.NewReader(""), out, stderr)
}

// isShellBuiltinLike reports names nohup and timeout may run that are not files (none on
// a real box: they exec programs, so builtins fail there too).
func (c *cmd) isShellBuiltinLike(string) bool { return false }

func timeoutCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	signal := "TERM"
	preserve := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		a := args[0]
		switch {
		case a == "--help" || a == "--version":
			return c.sysHelp(strings.TrimPrefix(a, "--"), "timeout")
		case a == "--preserve-status":
			preserve = true
		case a == "--foreground" || a == "-v" || a == "--verbose":
		case a == "-s" || a == "--signal" || a == "-k" || a == "--kill-after":
			if len(args) < 2 {
				return c.usage(125, "option requires an argument -- '%s'", strings.TrimLeft(a, "-")[:1])
			}
			if a == "-s" || a == "--signal" {
				signal = args[1]
			}
			args = args[1:]
		case strings.HasPrefix(a, "-s") || strings.HasPrefix(a, "-k") || strings.HasPrefix(a, "--signal=") || strings.HasPrefix(a, "--kill-after="):
		case a == "--":
			args = args[1:]
			goto operands
		default:
			if _, err := strconv.ParseFloat(a, 64); err == nil {
				goto operands
			}
			if strings.HasPrefix(a, "--") {
				return c.usage(125, "unrecognized option '%s'", a)
			}
			return c.usage(125, "invalid option -- '%c'", a[1])
		}
		args = args[1:]
	}
operands:
	_ = signal
	if len(args) < 2 {
		// coreutils' timeout prints only the --help hint here.
		return c.tryHelp(125)
	}
	secs, ok := parseSleep(args[0])
	if !ok {
		return c.usage(125, "invalid time interval %s", c.quoteLoc(args[0]))
	}
	if _, ok := c.lookPath(args[1]); !ok {
		c.errorf("failed to run command %s: No such file or directory", c.quoteAF(args[1]))
		return c.done(127)
	}
	ctx := c.ctx()
	if secs > 0 && secs < math.MaxInt64/float64(time.Second) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(secs*float64(time.Second)))
		defer cancel()
	}
	c.flush()
	st := c.Sub(ctx, sysQuoteWords(args[1:]), nil, c.Stdin, c.Stdout, c.Stderr)
	if ctx.Err() == context.DeadlineExceeded && (c.Ctx == nil || c.Ctx.Err() == nil) {
		if preserve {
			return 128 + 15
		}
		return 124
	}
	return st
}

func clearCmd(p *Proc) int {
	c := newCmd(p)
	term := c.Env["TERM"]
	if term == "" {
		c.errRaw("TERM environment variable not set.\n")
		return c.done(1)
	}
	if term == "dumb" {
		c.errRaw("'dumb': I need something more specific.\n")
		return c.done(1)
	}
	for _, a := range c.Args[1:] {
		if a == "-x" {
			c.print("\x1b[H\x1b[2J")
			return c.done(0)
		}
		if a == "-V" {
			c.print("ncurses 6.4.20221231\n")
			return c.done(0)
		}
	}
	c.print("\x1b[H\x1b[2J\x1b[3J")
	return c.done(0)
}

func resetCmd(p *Proc) int {
	c := newCmd(p)
	if c.tty() == "" {
		c.errRaw("reset: terminal attributes: No such device or address\n\n")
		return c.done(1)
	}
	c.print("\x1bc\x1b]104\x07\x1b[!p\x1b[?3;4l\x1b[4l\x1b>\x1b[?69l")
	return c.done(0)
}

func tputCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if args[0] == "-T" && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 {
		c.errRaw("usage: tput [-V] [-S] [-T term] capname\n")
		return c.done(2)
	}
	term := c.Env["TERM"]
	if term == "" {
		c.errRaw("tput: No value for $TERM and no -T specified\n")
		return c.done(2)
	}
	colors := "8"
	if strings.Contains(term, "256color") {
		colors = "256"
	}
	cols := c.Columns
	if cols <= 0 {
		cols = 80
	}
	switch args[0] {
	case "cols":
		c.printf("%d\n", cols)
	case "lines":
		c.print("24\n")
	case "colors":
		c.print(colors + "\n")
	case "clear":
		c.print("\x1b[H\x1b[2J\x1b[3J")
	case "sgr0":
		c.print("\x1b(B\x1b[m")
	case "bold":
		c.print("\x1b[1m")
	case "smul":
		c.print("\x1b[4m")
	case "rmul":
		c.print("\x1b[24m")
	case "rev":
		c.print("\x1b[7m")
	case "civis":
		c.print("\x1b[?25l")
	case "cnorm":
		c.print("\x1b[?12l\x1b[?25h")
	case "setaf", "setab":
		n := 0
		if len(args) > 1 {
			n, _ = strconv.Atoi(args[1])
		}
		base := 3
		if args[0] == "setab" {
			base = 4
		}
		switch {
		case n < 8:
			c.printf("\x1b[%d%dm", base, n)
		case n < 16 && colors == "256":
			c.printf("\x1b[%d%dm", base+6, n-8)
		default:
			c.printf("\x1b[%d8;5;%dm", base, n)
		}
	case "longname":
		c.print("xterm with 256 colors")
	default:
		c.errRaw(fmt.Sprintf("tput: unknown terminfo capability '%s'\n", args[0]))
		return c.done(4)
	}
	return c.done(0)
}

func mesgCmd(p *Proc) int {
	c := newCmd(p)
	if c.tty() == "" {
		c.errRaw("mesg: ttyname failed: Inappropriate ioctl for device\n")
		return c.done(2)
	}
	if len(c.Args) == 1 {
		c.print("is y\n")
		return c.done(0)
	}
	switch c.Args[1] {
	case "y", "n":
		return c.done(0)
	}
	c.errRaw("mesg: invalid argument: '" + c.Args[1] + "'\n")
	return c.done(1)
}

// chattr accepts attribute changes without recording them: the vfs keeps no ext4 flags,
// and lsattr shows the default extent flag, as a fresh Debian file has.
func chattrCmd(p *Proc) int {
	c := newCmd(p)
	var files []string
	mode := ""
	for _, a := range c.Args[1:] {
		switch {
		case a == "-R" || a == "-V" || a == "-f":
		case (strings.HasPrefix(a, "+") || strings.HasPrefix(a, "-") || strings.HasPrefix(a, "=")) && mode == "":
			mode = a
		default:
			files = append(files, a)
		}
	}
	if mode == "" || len(files) == 0 {
		c.errRaw("Usage: chattr [-RVf] [-+=aAcCdDeijPsStTuFx] [-p project] [-v version] files...\n")
		return c.done(1)
	}
	status := 0
	for _, f := range files {
		if _, err := c.FS.Stat(c.abs(f)); err != nil {
			c.errRaw("chattr: " + errText(err) + " while trying to stat " + f + "\n")
			status = 1
			continue
		}
		if !c.isRoot() {
			c.errRaw("chattr: Operation not permitted while setting flags on " + f + "\n")
			status = 1
		}
	}
	return c.done(status)
}

func lsattrCmd(p *Proc) int {
	c := newCmd(p)
	var files []string
	for _, a := range c.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			files = append(files, a)
		}
	}
	const flags = "--------------e-------"
	status := 0
	listDir := func(dir, shown string) {
		ents, err := c.FS.ReadDir(c.abs(dir))
		if err != nil {
			return
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name, ".") {
				continue
			}
			c.print(flags + " " + shown + "/" + e.Name + "\n")
		}
	}
	if len(files) == 0 {
		listDir(".", ".")
		return c.done(0)
	}
	for _, f := range files {
		m, err := c.FS.Stat(c.abs(f))
		if err != nil {
			c.errRaw("lsattr: " + errText(err) + " while trying to stat " + f + "\n")
			status = 1
			continue
		}
		if m.Mode.IsDir() {
			listDir(f, strings.TrimSuffix(f, "/"))
			continue
		}
		c.print(flags + " " + f + "\n")
	}
	return c.done(status)
}
