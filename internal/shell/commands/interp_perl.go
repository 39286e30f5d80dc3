package commands

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// perl (Debian 12's 5.36.0): perl -v, and -e programs in the philosophy of python3: print of
// strings, assignments of literals, system/exec through the calling shell, eval of
// base64-decoded payloads, and socket connects that fail as on a box without a route out
// (perl's connect returns false silently; "or die" prints $!). Statements not recognised run
// nothing and print nothing, which is what the common `if(connect(...)){...}` reverse shell
// does on an offline box anyway.

const perlINC = "/etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0 /usr/local/share/perl/5.36.0 /usr/lib/x86_64-linux-gnu/perl5/5.36 /usr/share/perl5 /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/perl/5.36 /usr/share/perl/5.36 /usr/local/lib/site_perl"

// perlModules are the modules perl-base and perl-modules provide on Debian 12.
var perlModules = map[string]bool{
	"strict": true, "warnings": true, "Socket": true, "IO": true, "IO::Socket": true, "IO::Socket::INET": true,
	"IO::Handle": true, "MIME::Base64": true, "POSIX": true, "FileHandle": true, "File::Basename": true,
	"File::Path": true, "File::Temp": true, "Getopt::Long": true, "Getopt::Std": true, "Sys::Hostname": true,
	"Time::HiRes": true, "Data::Dumper": true, "Cwd": true, "Fcntl": true, "Carp": true, "Exporter": true,
	"constant": true, "vars": true, "utf8": true, "bytes": true, "integer": true, "lib": true, "IO::Select": true,
	"Digest::MD5": true, "Errno": true, "Encode": true, "Storable": true, "Time::Local": true, "English": true,
}

// perlExit ends a program with a status.
type perlExit struct{ status int }

type perlInterp struct {
	c     *cmd
	file  string // "-e" or the script's path
	vars  map[string]string
	line  int
	depth int
}

func perlCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	var prog []string
	var mods []string
	for len(args) > 0 {
		a := args[0]
		if a == "-v" || a == "--version" {
			c.print(perlVersion)
			return c.done(0)
		}
		if a == "-e" || a == "-E" {
			if len(args) < 2 {
				c.errRaw("No code specified for -e.\n")
				return c.done(29)
			}
			prog = append(prog, args[1])
			args = args[2:]
			continue
		}
		if a == "--" {
			args = args[1:]
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		if strings.HasPrefix(a, "-M") || strings.HasPrefix(a, "-m") {
			m := a[2:]
			if k := strings.IndexAny(m, "=("); k >= 0 {
				m = m[:k]
			}
			mods = append(mods, m)
		}
		args = args[1:]
	}
	in := &perlInterp{c: c, file: "-e", vars: map[string]string{}}
	code := strings.Join(prog, "\n")
	if len(prog) == 0 {
		if len(args) == 0 {
			b, _ := readCapped(c.Stdin)
			code, in.file = string(b), "-"
		} else {
			b, err := c.readAll(c.abs(args[0]))
			if err != nil {
				c.errRaw(fmt.Sprintf("Can't open perl script \"%s\": No such file or directory\n", args[0]))
				return c.done(2)
			}
			code, in.file = string(b), args[0]
		}
	}
	for _, m := range mods {
		if !perlModules[m] {
			c.errRaw(perlCantLocate(m) + ".\nBEGIN failed--compilation aborted.\n")
			return c.done(2)
		}
	}
	return c.done(in.run(code))
}

func perlCantLocate(m string) string {
	return fmt.Sprintf("Can't locate %s.pm in @INC (you may need to install the %s module) (@INC contains: %s)",
		strings.ReplaceAll(m, "::", "/"), m, perlINC)
}

func (in *perlInterp) run(code string) (status int) {
	in.depth++
	defer func() { in.depth-- }()
	if in.depth > 20 {
		return 0
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(perlExit)
			if !ok {
				panic(r)
			}
			if in.depth > 1 {
				panic(e)
			}
			status = e.status
		}
	}()
	stmts := perlSplit(code)
	// use statements run at compile time, before anything else
	for _, st := range stmts {
		if strings.HasPrefix(st.text, "use ") || strings.HasPrefix(st.text, "require ") {
			f := strings.Fields(strings.TrimSuffix(st.text, ";"))
			if len(f) >= 2 {
				m := strings.TrimRight(f[1], ";")
				if m != "" && (m[0] < '0' || m[0] > '9') && !perlModules[m] {
					in.c.errRaw(fmt.Sprintf("%s at %s line %d.\nBEGIN failed--compilation aborted at %s line %d.\n", perlCantLocate(m), in.file, st.line, in.file, st.line))
					return 2
				}
			}
		}
	}
	for _, st := range stmts {
		in.line = st.line
		in.stmt(st.text)
		if in.c.failed() {
			break
		}
	}
	return 0
}

// perlSplit cuts a program at semicolons outside strings, parentheses and braces.
func perlSplit(code string) []pyStmt {
	var out []pyStmt
	line, startLine, start, depth := 1, 1, 0, 0
	var quote byte
	for i := 0; i <= len(code); i++ {
		if i == len(code) || (quote == 0 && depth == 0 && code[i] == ';') || (quote == 0 && depth == 0 && code[i] == '}' && false) {
			if t := strings.TrimSpace(code[start:min(i, len(code))]); t != "" && !strings.HasPrefix(t, "#") {
				out = append(out, pyStmt{t, startLine})
			}
			start, startLine = i+1, line
			continue
		}
		ch := code[i]
		if ch == '\n' {
			line++
			if strings.TrimSpace(code[start:i]) == "" {
				startLine = line
			}
		}
		if quote != 0 {
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
			continue
		}
		switch ch {
		case '"', '\'', '`':
			quote = ch
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			depth--
		}
	}
	return out
}

var (
	perlAssign  = regexp.MustCompile(`^(?:my\s+)?\$(\w+)\s*=\s*(.+)$`)
	perlCall    = regexp.MustCompile(`^(print|system|exec|die|exit|eval)\b\s*(.*)$`)
	perlConnect = regexp.MustCompile(`connect\s*\(.*inet_aton\s*\(\s*("[^"]*"|'[^']*'|\$\w+)\s*\)`)
	perlDie     = regexp.MustCompile(`(?:\bor\b|\|\|)\s*die\s*\(?\s*("[^"]*"|'[^']*')`)
)

// stmt runs one statement.
func (in *perlInterp) stmt(s string) {
	c := in.c
	if strings.HasPrefix(s, "use ") || strings.HasPrefix(s, "require ") || strings.HasPrefix(s, "no ") {
		return
	}
	if m := perlConnect.FindStringSubmatch(s); m != nil && !strings.HasPrefix(s, "if") {
		// connect(...) or die "...": the connect fails on the offline persona
		host, ok := in.value(m[1])
		d := perlDie.FindStringSubmatch(s)
		if !ok || d == nil {
			return
		}
		errno, text := 101, "Network is unreachable"
		if addrs := c.localAddrs(host); len(addrs) > 0 && c.isLocalAddr(addrs[0]) {
			errno, text = 111, "Connection refused"
		}
		in.vars["!"] = text
		msg, _ := in.value(d[1])
		in.die(msg, errno)
	}
	if m := perlAssign.FindStringSubmatch(s); m != nil {
		if v, ok := in.value(strings.TrimSpace(m[2])); ok {
			in.vars[m[1]] = v
		}
		return
	}
	m := perlCall.FindStringSubmatch(s)
	if m == nil {
		return
	}
	arg := strings.TrimSpace(m[2])
	if strings.HasPrefix(arg, "(") && strings.HasSuffix(arg, ")") {
		arg = strings.TrimSpace(arg[1 : len(arg)-1])
	}
	switch m[1] {
	case "print":
		var b strings.Builder
		for _, part := range perlArgs(arg) {
			v, ok := in.value(part)
			if !ok {
				return
			}
			b.WriteString(v)
		}
		c.print(b.String())
	case "system", "exec":
		parts := perlArgs(arg)
		words := make([]string, 0, len(parts))
		for _, part := range parts {
			v, ok := in.value(part)
			if !ok {
				return
			}
			words = append(words, v)
		}
		script := strings.Join(words, " ")
		if len(words) > 1 {
			for i, w := range words {
				words[i] = shellQuote(w, false, false, false)
			}
			script = strings.Join(words, " ")
		}
		c.flush()
		st := c.Sub(c.ctx(), script, nil, c.Stdin, c.Stdout, c.Stderr)
		if m[1] == "exec" {
			panic(perlExit{st})
		}
	case "die":
		v, ok := in.value(arg)
		if !ok {
			v = "Died"
		}
		in.die(v, 0)
	case "exit":
		n := 0
		fmt.Sscanf(arg, "%d", &n)
		c.flush()
		panic(perlExit{n & 0xff})
	case "eval":
		// eval(decode_base64("..."))
		if strings.HasPrefix(arg, "decode_base64") || strings.HasPrefix(arg, "MIME::Base64::decode_base64") {
			inner := strings.TrimSpace(arg[strings.IndexByte(arg, 'd')+len("decode_base64"):])
			if strings.HasPrefix(arg, "MIME") {
				inner = strings.TrimSpace(strings.TrimPrefix(arg, "MIME::Base64::decode_base64"))
			}
			inner = strings.TrimSuffix(strings.TrimPrefix(inner, "("), ")")
			v, ok := in.value(strings.TrimSpace(inner))
			if !ok {
				return
			}
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
			if err != nil {
				return
			}
			in.run(string(b))
			return
		}
		if v, ok := in.value(arg); ok {
			in.run(v)
		}
	}
}

// die prints perl's message ("... at -e line N." unless it ends in a newline) and exits
// with errno, or 255.
func (in *perlInterp) die(msg string, errno int) {
	in.c.flush()
	if !strings.HasSuffix(msg, "\n") {
		msg += fmt.Sprintf(" at %s line %d.\n", in.file, in.line)
	}
	in.c.errRaw(msg)
	if errno == 0 {
		errno = 255
	}
	panic(perlExit{errno})
}

// perlArgs splits a list at top-level commas.
func perlArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if quote != 0 {
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
			continue
		}
		switch ch {
		case '"', '\'':
			quote = ch
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

var perlVarRef = regexp.MustCompile(`\$(\w+|!)`)

// value evaluates a string literal (with interpolation), a number or a scalar.
func (in *perlInterp) value(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	switch {
	case s[0] == '\'' && strings.HasSuffix(s, "'") && len(s) >= 2:
		return strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(s[1 : len(s)-1]), true
	case s[0] == '"' && strings.HasSuffix(s, "\"") && len(s) >= 2:
		body := s[1 : len(s)-1]
		var b strings.Builder
		for i := 0; i < len(body); i++ {
			ch := body[i]
			if ch == '\\' && i+1 < len(body) {
				i++
				switch body[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'r':
					b.WriteByte('\r')
				case 'e':
					b.WriteByte(27)
				case '0':
					b.WriteByte(0)
				default:
					b.WriteByte(body[i])
				}
				continue
			}
			if ch == '$' {
				if m := perlVarRef.FindStringSubmatch(body[i:]); m != nil && strings.HasPrefix(body[i:], m[0]) {
					b.WriteString(in.vars[m[1]])
					i += len(m[0]) - 1
					continue
				}
			}
			if ch == '@' && i+1 < len(body) && (isAlpha(body[i+1]) || body[i+1] == '_') {
				return "", false // array interpolation: not emulated
			}
			b.WriteByte(ch)
		}
		return b.String(), true
	case s[0] == '$' && pyIdent(s[1:]):
		return in.vars[s[1:]], true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

const perlVersion = "\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64-linux-gnu-thread-multi\n(with 54 registered patches, see perl -V for more detail)\n\nCopyright 1987-2022, Larry Wall\n\nPerl may be copied only under the terms of either the Artistic License or the\nGNU General Public License, which may be found in the Perl 5 source kit.\n\nComplete documentation for Perl, including FAQ lists, should be found on\nthis system using \"man perl\" or \"perldoc perl\".  If you have access to the\nInternet, point your browser at https://www.perl.org/, the Perl Home Page.\n\n"
