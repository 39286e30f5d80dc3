package commands

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// python3 (Debian 12's 3.11.2): the version flags and the one-liners bots run. A small
// evaluator understands imports, print of literals, os.system/subprocess (run through the
// calling shell), pty.spawn, exec of base64 payloads, and socket connects, which fail as on a
// box without a route out. Statements it does not recognise run nothing and print nothing;
// a traceback is printed only where Python surely raises (an unknown name or module, a
// connect).

func registerInterp(r *Registry) {
	r.Register("python3", python3Cmd)
	r.Register("python3.11", python3Cmd)
	r.Register("perl", perlCmd)
}

const pyVersion = "Python 3.11.2"

// pyStdlib lists the modules a Debian 12 python3-minimal/python3.11 import succeeds for.
var pyStdlib = map[string]bool{
	"os": true, "sys": true, "socket": true, "subprocess": true, "pty": true, "base64": true, "time": true,
	"threading": true, "select": true, "struct": true, "random": true, "string": true, "json": true, "re": true,
	"platform": true, "getpass": true, "shutil": true, "signal": true, "urllib": true, "urllib.request": true,
	"urllib.parse": true, "http": true, "http.client": true, "http.server": true, "hashlib": true, "zlib": true,
	"binascii": true, "codecs": true, "io": true, "math": true, "tempfile": true, "ssl": true, "fcntl": true,
	"marshal": true, "ctypes": true, "uuid": true, "datetime": true, "pwd": true, "grp": true, "stat": true,
	"errno": true, "itertools": true, "collections": true, "functools": true, "argparse": true, "telnetlib": true,
	"ftplib": true, "smtplib": true, "multiprocessing": true, "getopt": true, "glob": true, "pathlib": true,
}

// pyPackages are the stdlib modules that are packages (have submodules).
var pyPackages = map[string]bool{"urllib": true, "http": true, "json": true, "ctypes": true, "multiprocessing": true,
	"collections": true, "email": true, "xml": true, "concurrent": true, "asyncio": true, "importlib": true, "logging": true}

// pyExit is raised through the evaluator to end the program with a status.
type pyExit struct{ status int }

// pyRaise is an exception the program did not catch: its traceback's last line.
type pyRaise struct {
	line  int
	stmt  string // the statement that raised
	inner []int  // line numbers of the frames of exec'd code, outermost first
	caret int    // how much of stmt 3.11 underlines; 0: all of it
	text  string // "NameError: name 'foo' is not defined"
	// context is an earlier traceback this exception was raised while handling, with
	// Python's "During handling" line; lib holds the library frames below the module's.
	context, lib string
}

// pyUnknown is a value the evaluator could not compute; using it runs nothing.
type pyUnknown struct{}

// pySock is a socket object the program made.
type pySock struct{}

// pyModule is an imported module (or a dotted part of one).
type pyModule struct{ name string }

// pyInterp runs one program.
type pyInterp struct {
	c        *cmd
	file     string // "<string>", "<stdin>" or the script's path
	vars     map[string]any
	line     int
	stmtText string
	depth    int
	// outerLine is the caller's line while exec'd code runs.
	outerLine int
	outerStmt string
	repl      bool // echo expression values, as the interactive interpreter does
}

func python3Cmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-V" || a == "--version":
			c.print(pyVersion + "\n")
			return c.done(0)
		case a == "-c":
			if len(args) < 2 {
				c.errRaw("Argument expected for the -c option\nusage: " + c.name + " [option] ... [-c cmd | -m mod | file | -] [arg] ...\nTry `python -h' for more information.\n")
				return c.done(2)
			}
			return c.done(c.runPython(args[1], "<string>"))
		case strings.HasPrefix(a, "-c"):
			return c.done(c.runPython(a[2:], "<string>"))
		case a == "-":
			args = args[1:]
			b, _ := readCapped(c.Stdin)
			return c.done(c.runPython(string(b), "<stdin>"))
		case a == "-m" && len(args) > 1:
			if !pyStdlib[args[1]] {
				c.errRaw(fmt.Sprintf("%s: No module named %s\n", "/usr/bin/"+c.name, args[1]))
				return c.done(1)
			}
			return c.done(0)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			args = args[1:] // -u, -B, -E, -s, -I: no visible effect here
			continue
		}
		break
	}
	if len(args) == 0 && c.StdoutTTY && c.session().TTY != "" {
		return c.done(c.pythonREPL())
	}
	if len(args) == 0 {
		b, _ := readCapped(c.Stdin)
		return c.done(c.runPython(string(b), "<stdin>"))
	}
	b, err := c.readAll(c.abs(args[0]))
	if err != nil {
		c.errRaw(fmt.Sprintf("/usr/bin/%s: can't open file '%s': [Errno 2] No such file or directory\n", c.name, c.abs(args[0])))
		return c.done(2)
	}
	return c.done(c.runPython(string(b), c.abs(args[0])))
}

// runPython runs a program and prints an uncaught exception's traceback.
func (c *cmd) runPython(code, file string) int {
	in := &pyInterp{c: c, file: file, vars: map[string]any{}}
	st := in.run(code)
	return st
}

func (in *pyInterp) run(code string) (status int) {
	in.depth++
	defer func() { in.depth-- }()
	if in.depth > 20 {
		return 0
	}
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case pyExit:
				if in.depth > 1 || in.repl {
					panic(e)
				}
				status = e.status
			case pyRaise:
				if in.depth > 1 {
					// exec'd code: its frame sits below the caller's
					e.inner = append([]int{e.line}, e.inner...)
					e.line, e.stmt, e.caret = in.outerLine, in.outerStmt, 0
					panic(e)
				}
				in.c.flush()
				frames := ""
				for _, l := range e.inner {
					frames += fmt.Sprintf("  File \"<string>\", line %d, in <module>\n", l)
				}
				src := in.source(code, e.line, e.stmt, false)
				if e.caret > 0 && src != "" {
					src = in.sourceCaret(code, e.line, e.stmt, e.caret)
				}
				in.c.errRaw(fmt.Sprintf("%sTraceback (most recent call last):\n  File \"%s\", line %d, in <module>\n%s%s%s%s\n", e.context, in.file, e.line, src, frames, e.lib, e.text))
				status = 1
			default:
				panic(r)
			}
		}
	}()
	stmts := pySplit(code)
	for _, st := range stmts {
		// Python 2's print statement fails to compile: nothing runs.
		if strings.HasPrefix(st.text, "print ") && !strings.HasPrefix(strings.TrimSpace(st.text[6:]), "(") {
			if in.depth > 1 {
				panic(pyRaise{line: st.line, stmt: st.text, text: "SyntaxError: invalid syntax"})
			}
			in.c.errRaw(fmt.Sprintf("  File \"%s\", line %d\n%sSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n",
				in.file, st.line, in.source(code, st.line, st.text, true)))
			return 1
		}
	}
	for _, st := range stmts {
		in.line, in.stmtText = st.line, st.text
		in.stmt(strings.TrimSpace(st.text))
		if in.c.failed() {
			break
		}
	}
	return 0
}

// source is the traceback's quoted source line with its carets: always for a SyntaxError,
// for a runtime error only in a file (3.11 has no source for -c and stdin) and with carets
// only when the statement is not the whole line.
func (in *pyInterp) source(code string, line int, stmt string, syntax bool) string {
	if !syntax && (in.file == "<string>" || in.file == "<stdin>") {
		return ""
	}
	lines := strings.Split(code, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	l := strings.TrimSpace(lines[line-1])
	out := "    " + l + "\n"
	i := strings.Index(l, stmt)
	if i < 0 || (!syntax && l == stmt) {
		return out
	}
	return out + "    " + strings.Repeat(" ", i) + strings.Repeat("^", len(stmt)) + "\n"
}

// sourceCaret is source for an error in the first n bytes of stmt (an unbound name).
func (in *pyInterp) sourceCaret(code string, line int, stmt string, n int) string {
	lines := strings.Split(code, "\n")
	l := strings.TrimSpace(lines[line-1])
	i := strings.Index(l, stmt)
	if i < 0 || l == stmt[:n] {
		return "    " + l + "\n"
	}
	return "    " + l + "\n    " + strings.Repeat(" ", i) + strings.Repeat("^", n) + "\n"
}

type pyStmt struct {
	text string
	line int
}

// pySplit cuts a program into simple statements at newlines and semicolons outside strings
// and brackets. Indented lines (bodies of compound statements) are dropped.
func pySplit(code string) []pyStmt {
	var out []pyStmt
	line, start, startLine, depth := 1, 0, 1, 0
	var quote byte
	emit := func(end int) {
		s := code[start:end]
		if t := strings.TrimSpace(s); t != "" && !strings.HasPrefix(t, "#") {
			if !(len(s) > 0 && (s[0] == ' ' || s[0] == '\t') && startLine > 1 && strings.HasPrefix(strings.TrimLeft(s, "\n"), " ")) {
				out = append(out, pyStmt{t, startLine})
			}
		}
		start = end + 1
		startLine = line
	}
	for i := 0; i < len(code); i++ {
		ch := code[i]
		if quote != 0 {
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			} else if ch == '\n' {
				line++
			}
			continue
		}
		switch ch {
		case '\'', '"':
			quote = ch
		case '#':
			for i < len(code) && code[i] != '\n' {
				i++
			}
			i--
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ';':
			if depth == 0 {
				emit(i)
			}
		case '\n':
			if depth == 0 {
				emit(i)
				line++
				startLine = line
			} else {
				line++
			}
		}
	}
	emit(len(code))
	return out
}

// stmt runs one simple statement.
func (in *pyInterp) stmt(s string) {
	switch {
	case strings.HasPrefix(s, "import "):
		for _, m := range strings.Split(s[len("import "):], ",") {
			f := strings.Fields(m)
			if len(f) == 0 {
				continue
			}
			in.importMod(f[0])
			if len(f) == 3 && f[1] == "as" {
				in.vars[f[2]] = pyModule{f[0]}
			} else {
				root := f[0]
				if i := strings.IndexByte(root, '.'); i >= 0 {
					root = root[:i]
				}
				in.vars[root] = pyModule{root}
			}
		}
		return
	case strings.HasPrefix(s, "from "):
		f := strings.Fields(s)
		if len(f) >= 4 && f[2] == "import" {
			in.importMod(f[1])
			for _, n := range strings.Split(strings.Join(f[3:], " "), ",") {
				n = strings.TrimSpace(n)
				if n == "*" {
					continue
				}
				in.vars[n] = pyModule{f[1] + "." + n}
			}
		}
		return
	case s == "pass":
		return
	}
	for _, kw := range []string{"for ", "while ", "if ", "def ", "class ", "try:", "with ", "else:", "except", "elif ", "finally:"} {
		if strings.HasPrefix(s, kw) {
			return // compound statements: not emulated
		}
	}
	// assignment: name = expr
	if i := strings.IndexByte(s, '='); i > 0 && pyIdent(strings.TrimSpace(s[:i])) && !strings.HasPrefix(s[i:], "==") {
		v, ok := in.eval(strings.TrimSpace(s[i+1:]))
		if !ok {
			v = pyUnknown{}
		}
		in.vars[strings.TrimSpace(s[:i])] = v
		return
	}
	v, ok := in.eval(s)
	if in.repl && ok {
		switch v.(type) {
		case nil, pyModule, *pySock, pyUnknown:
		default:
			in.c.print(pyRepr(v) + "\n")
		}
	}
}

// pyBanner is what Debian 12's python3 (3.11.2-6+deb12u6) prints when it starts a REPL.
const pyBanner = "Python 3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0] on linux\nType \"help\", \"copyright\", \"credits\" or \"license\" for more information.\n"

// pythonREPL is python3 on a terminal: a prompt per line, each line run as a program of its
// own, results echoed; exit() or end of input ends it.
func (c *cmd) pythonREPL() int {
	c.errRaw(pyBanner)
	in := &pyInterp{c: c, file: "<stdin>", vars: map[string]any{}, repl: true}
	lines := newLineReader(c.ctx(), c.Stdin)
	for {
		c.errRaw(">>> ")
		line, _, ok := lines.next()
		if !ok {
			c.errRaw("\n")
			return 0
		}
		code := strings.TrimRight(string(line), "\r\n")
		if strings.TrimSpace(code) == "" {
			continue
		}
		if st, exited := in.replRun(code); exited {
			return st
		}
		c.flush()
	}
}

// replRun runs one REPL line; exited is true when the program called exit().
func (in *pyInterp) replRun(code string) (status int, exited bool) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(pyExit); ok {
				status, exited = e.status, true
				return
			}
			panic(r)
		}
	}()
	in.run(code)
	return 0, false
}

func (in *pyInterp) importMod(name string) {
	if !pyStdlib[name] {
		root := name
		if i := strings.IndexByte(root, '.'); i >= 0 {
			root = root[:i]
		}
		if pyStdlib[root] && root != name {
			msg := fmt.Sprintf("ModuleNotFoundError: No module named '%s'", name)
			if !pyPackages[root] {
				msg += fmt.Sprintf("; '%s' is not a package", root)
			}
			panic(pyRaise{line: in.line, stmt: in.stmtText, text: msg})
		}
		panic(pyRaise{line: in.line, stmt: in.stmtText, text: fmt.Sprintf("ModuleNotFoundError: No module named '%s'", root)})
	}
}

func pyIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// eval evaluates an expression; ok is false when it is not understood.
func (in *pyInterp) eval(s string) (any, bool) {
	p := &pyParser{in: in, s: s}
	v, ok := p.expr()
	p.ws()
	if !ok || p.i != len(p.s) {
		// Python evaluates left to right: a statement that begins with an unbound name
		// surely raises NameError, whatever follows it.
		if u := p.undefined; u != "" && strings.HasPrefix(s, u) && !pyKeywords[u] &&
			(len(s) == len(u) || !pyIdent(s[:len(u)+1])) && in.depth >= 1 && s == in.stmtText {
			panic(pyRaise{line: in.line, stmt: in.stmtText, text: fmt.Sprintf("NameError: name '%s' is not defined", u), caret: len(u)})
		}
		return nil, false
	}
	return v, true
}

// pyParser is a recursive-descent reader of the expressions bots write.
type pyParser struct {
	in        *pyInterp
	s         string
	i         int
	undefined string // the first unbound name met
}

var pyKeywords = map[string]bool{"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true, "import": true,
	"in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true}

func (p *pyParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyParser) peek(t string) bool {
	p.ws()
	return strings.HasPrefix(p.s[p.i:], t)
}

func (p *pyParser) eat(t string) bool {
	if p.peek(t) {
		p.i += len(t)
		return true
	}
	return false
}

// expr: term (('+'|'-') term)*
func (p *pyParser) expr() (any, bool) {
	v, ok := p.term()
	for ok {
		switch {
		case p.eat("+"):
			w, ok2 := p.term()
			if !ok2 {
				return nil, false
			}
			v, ok = pyAdd(v, w, 1)
		case p.peek("-") && !p.peek("->"):
			p.i++
			w, ok2 := p.term()
			if !ok2 {
				return nil, false
			}
			v, ok = pyAdd(v, w, -1)
		default:
			return v, ok
		}
	}
	return v, ok
}

func pyAdd(a, b any, sign int64) (any, bool) {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return x + sign*y, true
		}
	case string:
		if y, ok := b.(string); ok && sign == 1 {
			return x + y, true
		}
	case []byte:
		if y, ok := b.([]byte); ok && sign == 1 {
			return append(append([]byte{}, x...), y...), true
		}
	}
	return nil, false
}

// term: unary (('*'|'//'|'%') unary)*
func (p *pyParser) term() (any, bool) {
	v, ok := p.unary()
	for ok {
		switch {
		case p.peek("**"):
			return nil, false
		case p.eat("*"):
			w, ok2 := p.unary()
			if !ok2 {
				return nil, false
			}
			switch x := v.(type) {
			case int64:
				switch y := w.(type) {
				case int64:
					v = x * y
				case string:
					if x < 0 || x > 100000 {
						return nil, false
					}
					v = strings.Repeat(y, int(x))
				default:
					return nil, false
				}
			case string:
				y, isInt := w.(int64)
				if !isInt || y > 100000 {
					return nil, false
				}
				if y < 0 {
					y = 0
				}
				v = strings.Repeat(x, int(y))
			default:
				return nil, false
			}
		case p.eat("//"):
			w, ok2 := p.unary()
			x, ok3 := v.(int64)
			y, ok4 := w.(int64)
			if !ok2 || !ok3 || !ok4 || y == 0 {
				return nil, false
			}
			q := x / y
			if (x%y != 0) && ((x < 0) != (y < 0)) {
				q--
			}
			v = q
		default:
			return v, ok
		}
	}
	return v, ok
}

func (p *pyParser) unary() (any, bool) {
	if p.eat("-") {
		v, ok := p.unary()
		if n, isInt := v.(int64); ok && isInt {
			return -n, true
		}
		return nil, false
	}
	return p.postfix()
}

// postfix: atom ('.' name | '(' args ')')*
func (p *pyParser) postfix() (any, bool) {
	p.ws()
	start := p.i
	v, name, ok := p.atom()
	if !ok {
		return nil, false
	}
	path := name // dotted name so far, for calls on modules
	for {
		switch {
		case p.eat("."):
			p.ws()
			j := p.i
			for p.i < len(p.s) && (pyIdent(p.s[j : p.i+1])) {
				p.i++
			}
			attr := p.s[j:p.i]
			if attr == "" {
				return nil, false
			}
			if path == "" {
				// method on a value
				path = "." + attr
			} else {
				path += "." + attr
			}
		case p.peek("("):
			p.i++
			args, ok := p.args()
			if !ok {
				return nil, false
			}
			r, ok := p.in.call(path, v, args, p.s[start:p.i])
			if !ok {
				return nil, false
			}
			v, path = r, ""
		case path == "" && p.peek("["):
			// subscription of a computed value: os.uname()[1], "abc"[0]
			p.i++
			idx, ok := p.expr()
			if !ok || !p.eat("]") {
				return nil, false
			}
			n, isInt := idx.(int64)
			if !isInt {
				return nil, false
			}
			switch x := v.(type) {
			case []any:
				if n < 0 {
					n += int64(len(x))
				}
				if n < 0 || n >= int64(len(x)) {
					return nil, false
				}
				v = x[n]
			case string:
				if n < 0 {
					n += int64(len(x))
				}
				if n < 0 || n >= int64(len(x)) {
					return nil, false
				}
				v = x[n : n+1]
			default:
				return nil, false
			}
		default:
			if path != "" && path != name {
				if _, isMod := v.(pyModule); isMod && !strings.HasPrefix(path, ".") {
					return pyModule{path}, true // a module constant such as socket.AF_INET
				}
				return nil, false
			}
			return v, true
		}
	}
}

func (p *pyParser) args() ([]any, bool) {
	var out []any
	for {
		if p.eat(")") {
			return out, true
		}
		// keyword arguments: keep the value (shell=True and the like)
		p.ws()
		j := p.i
		for p.i < len(p.s) && pyIdent(p.s[j:p.i+1]) {
			p.i++
		}
		if !(p.i > j && p.peek("=") && !p.peek("==")) {
			p.i = j
		} else {
			p.i++
		}
		v, ok := p.expr()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if !p.eat(",") {
			if p.eat(")") {
				return out, true
			}
			return nil, false
		}
	}
}

// atom: literal, tuple/list, or a name. name is the name read (for module paths).
func (p *pyParser) atom() (any, string, bool) {
	p.ws()
	if p.i >= len(p.s) {
		return nil, "", false
	}
	ch := p.s[p.i]
	switch {
	case ch == '(' || ch == '[':
		closer := ")"
		if ch == '[' {
			closer = "]"
		}
		p.i++
		var items []any
		for !p.eat(closer) {
			v, ok := p.expr()
			if !ok {
				return nil, "", false
			}
			items = append(items, v)
			if !p.eat(",") {
				if !p.eat(closer) {
					return nil, "", false
				}
				if ch == '(' && len(items) == 1 && !strings.HasSuffix(strings.TrimSpace(p.s[:p.i-1]), ",") {
					return items[0], "", true
				}
				break
			}
		}
		return items, "", true
	case ch >= '0' && ch <= '9':
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == 'x' || p.s[p.i] == 'e') {
			return nil, "", false
		}
		n, err := strconv.ParseInt(p.s[j:p.i], 10, 64)
		return n, "", err == nil
	case ch == '\'' || ch == '"':
		s, ok := p.str(false, false)
		return s, "", ok
	}
	j := p.i
	for p.i < len(p.s) && pyIdent(p.s[j:p.i+1]) {
		p.i++
	}
	name := p.s[j:p.i]
	if name == "" {
		return nil, "", false
	}
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		lower := strings.ToLower(name)
		switch lower {
		case "b", "r", "br", "rb":
			s, ok := p.str(strings.Contains(lower, "r"), strings.Contains(lower, "b"))
			if ok && strings.Contains(lower, "b") {
				return []byte(s.(string)), "", true
			}
			return s, "", ok
		}
		return nil, "", false
	}
	switch name {
	case "True":
		return true, "", true
	case "False":
		return false, "", true
	case "None":
		return nil, "", true
	}
	if v, ok := p.in.vars[name]; ok {
		if m, isMod := v.(pyModule); isMod {
			return m, m.name, true
		}
		return v, "", true
	}
	switch name {
	case "print", "exec", "exit", "quit", "len", "str", "int", "bytes", "eval", "open", "input", "chr", "ord":
		return nil, name, true
	}
	if p.undefined == "" {
		p.undefined = name
	}
	return nil, "", false
}

// str reads a quoted literal at p.i (single, double or triple quoted).
func (p *pyParser) str(raw, bytesLit bool) (any, bool) {
	q := string(p.s[p.i])
	if strings.HasPrefix(p.s[p.i:], q+q+q) {
		q = q + q + q
	}
	p.i += len(q)
	var b strings.Builder
	for p.i < len(p.s) {
		if strings.HasPrefix(p.s[p.i:], q) {
			p.i += len(q)
			return b.String(), true
		}
		ch := p.s[p.i]
		if ch == '\n' && len(q) == 1 {
			return nil, false
		}
		if ch == '\\' && p.i+1 < len(p.s) {
			if raw {
				b.WriteByte(ch)
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '\'', '"':
				b.WriteByte(e)
			case '\n':
			case 'x':
				if p.i+2 <= len(p.s) {
					if v, err := strconv.ParseUint(p.s[p.i:p.i+2], 16, 8); err == nil {
						if bytesLit || v < 0x80 {
							b.WriteByte(byte(v))
						} else {
							b.WriteRune(rune(v))
						}
						p.i += 2
						continue
					}
				}
				return nil, false
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		b.WriteByte(ch)
		p.i++
	}
	return nil, false
}

// pyStr is str(v) for the values the evaluator knows.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []byte:
		return pyBytesRepr(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
			return "\"" + s + "\""
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "\\", "\\\\"), "'", "\\'") + "'"
	}
	return pyStr(v)
}

func pyBytesRepr(b []byte) string {
	var s strings.Builder
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString("\\n")
		case c == '\t':
			s.WriteString("\\t")
		case c == '\r':
			s.WriteString("\\r")
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, "\\x%02x", c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteString("'")
	return s.String()
}

// call runs a function the evaluator knows. path is the dotted callee ("os.system") or
// ".method" on recv.
func (in *pyInterp) call(path string, recv any, args []any, src string) (any, bool) {
	c := in.c
	argStr := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		switch x := args[i].(type) {
		case string:
			return x, true
		case []byte:
			return string(x), true
		}
		return "", false
	}
	switch path {
	case "print":
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = pyStr(a)
		}
		c.print(strings.Join(parts, " ") + "\n")
		return nil, true
	case "exit", "quit", "sys.exit":
		st := int64(0)
		if len(args) > 0 {
			switch x := args[0].(type) {
			case int64:
				st = x
			case nil:
			default:
				c.flush()
				c.errRaw(pyStr(x) + "\n")
				st = 1
			}
		}
		c.flush()
		panic(pyExit{int(st & 0xff)})
	case "exec":
		s, ok := argStr(0)
		if !ok {
			return nil, false
		}
		saved, savedText := in.line, in.stmtText
		in.outerLine, in.outerStmt = saved, savedText
		in.run(s)
		in.line, in.stmtText = saved, savedText
		return nil, true
	case "str":
		if len(args) == 1 {
			return pyStr(args[0]), true
		}
	case "len":
		if s, ok := argStr(0); ok {
			return int64(len(s)), true
		}
	case "base64.b64decode", "base64.decodebytes", "base64.standard_b64decode":
		s, ok := argStr(0)
		if !ok {
			return nil, false
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, false
		}
		return b, true
	case "base64.b64encode":
		s, ok := argStr(0)
		if !ok {
			return nil, false
		}
		return []byte(base64.StdEncoding.EncodeToString([]byte(s))), true
	case ".decode":
		if b, ok := recv.([]byte); ok {
			return string(b), true
		}
	case ".encode":
		if s, ok := recv.(string); ok {
			return []byte(s), true
		}
	case "os.system":
		s, ok := argStr(0)
		if !ok {
			return nil, false
		}
		c.flush()
		st := c.Sub(c.ctx(), s, nil, c.Stdin, c.Stdout, c.Stderr)
		return int64(st << 8), true
	case "subprocess.call", "subprocess.run", "subprocess.Popen", "subprocess.check_call", "subprocess.check_output", "subprocess.getoutput", "os.popen":
		script := ""
		if s, ok := argStr(0); ok {
			script = s
		} else if l, ok := args[0].([]any); ok && len(args) > 0 {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = shellQuote(pyStr(e), false, false, false)
			}
			script = strings.Join(parts, " ")
		} else {
			return nil, false
		}
		c.flush()
		st := c.Sub(c.ctx(), script, nil, c.Stdin, c.Stdout, c.Stderr)
		return int64(st), true
	case "pty.spawn":
		script := ""
		if s, ok := argStr(0); ok {
			script = s
		} else if l, ok := args[0].([]any); ok && len(args) > 0 {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = shellQuote(pyStr(e), false, false, false)
			}
			script = strings.Join(parts, " ")
		} else {
			return nil, false
		}
		c.flush()
		st := c.Sub(c.ctx(), script, nil, c.Stdin, c.Stdout, c.Stderr)
		return int64(st << 8), true
	case "socket.socket":
		return &pySock{}, true
	case ".connect":
		if _, ok := recv.(*pySock); !ok {
			return nil, false
		}
		addr, ok := args[0].([]any)
		if len(args) != 1 || !ok || len(addr) != 2 {
			return nil, false
		}
		host, ok := addr[0].(string)
		if !ok {
			return nil, false
		}
		in.connectFail(host)
	case ".settimeout", ".setsockopt", ".close", "time.sleep", ".bind", ".listen", "os.setsid", "os.setuid", "os.umask", "os.chdir":
		return nil, true
	case "os.getcwd":
		return c.Dir, true
	case "os.getuid", "os.geteuid":
		return int64(c.User.UID), true
	case "socket.gethostname", "platform.node":
		return c.nodename(), true
	case "os.uname":
		k := c.persona().Kernel
		return []any{k.Sysname, c.nodename(), k.Release, k.Version, k.Machine}, true
	case "platform.system":
		return c.persona().Kernel.Sysname, true
	case "platform.release":
		return c.persona().Kernel.Release, true
	case "platform.machine":
		return c.persona().Kernel.Machine, true
	case "os.getpid":
		return int64(c.session().ShellPID + 1), true
	case "urllib.request.urlopen", "urllib.request.urlretrieve":
		u, ok := argStr(0)
		if !ok {
			return nil, false
		}
		in.urlopenFail(u, strings.HasSuffix(path, "urlretrieve"))
	case "getpass.getuser", "os.getlogin":
		return c.userName(), true
	}
	_ = src
	return nil, false
}

// urlopenFail raises what urllib raises on the persona, which has no route out: the
// socket's error, then the URLError wrapping it, with Debian 12's python3.11 frames.
func (in *pyInterp) urlopenFail(rawURL string, retrieve bool) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		panic(pyRaise{line: in.line, stmt: in.stmtText, text: "ValueError: unknown url type: " + pyRepr(rawURL)})
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		host, _, _ = strings.Cut(host[1:], "]")
	} else if strings.Count(host, ":") == 1 {
		host, _, _ = strings.Cut(host, ":")
	}
	const lib = "  File \"/usr/lib/python3.11/"
	sockErr, reason := pyUnreachableFrames, "[Errno 101] Network is unreachable"
	exc := "OSError"
	addrs := in.c.localAddrs(host)
	switch {
	case len(addrs) == 0:
		sockErr, reason, exc = pyResolveFrames, "[Errno -3] Temporary failure in name resolution", "socket.gaierror"
	case in.c.isLocalAddr(addrs[0]):
		reason, exc = "[Errno 111] Connection refused", "ConnectionRefusedError"
	}
	first := "Traceback (most recent call last):\n" + pyDoOpenFrames
	open := pyHTTPOpenFrame
	if scheme == "https" {
		first += pyHTTPSConnectFrame
		open = pyHTTPSOpenFrame
	}
	first += pyConnectFrame + sockErr + exc + ": " + reason + "\n\nDuring handling of the above exception, another exception occurred:\n\n"
	frames := ""
	if retrieve {
		frames = pyURLRetrieveFrame
	}
	frames += pyURLOpenFrames + open + lib + "urllib/request.py\", line 1364, in do_open\n    raise URLError(err)\n"
	panic(pyRaise{line: in.line, stmt: in.stmtText, context: first, lib: frames,
		text: "urllib.error.URLError: <urlopen error " + reason + ">"})
}

// Frames of Debian 12's python3.11 urllib and http.client (3.11.2-6+deb12u9), as it prints
// them for a URL it cannot reach.
const (
	pyDoOpenFrames = `  File "/usr/lib/python3.11/urllib/request.py", line 1361, in do_open
    h.request(req.get_method(), req.selector, req.data, headers,
  File "/usr/lib/python3.11/http/client.py", line 1311, in request
    self._send_request(method, url, body, headers, encode_chunked)
  File "/usr/lib/python3.11/http/client.py", line 1357, in _send_request
    self.endheaders(body, encode_chunked=encode_chunked)
  File "/usr/lib/python3.11/http/client.py", line 1306, in endheaders
    self._send_output(message_body, encode_chunked=encode_chunked)
  File "/usr/lib/python3.11/http/client.py", line 1066, in _send_output
    self.send(msg)
  File "/usr/lib/python3.11/http/client.py", line 1004, in send
    self.connect()
`
	pyHTTPSConnectFrame = `  File "/usr/lib/python3.11/http/client.py", line 1476, in connect
    super().connect()
`
	pyConnectFrame = `  File "/usr/lib/python3.11/http/client.py", line 970, in connect
    self.sock = self._create_connection(
                ^^^^^^^^^^^^^^^^^^^^^^^^
`
	pyUnreachableFrames = `  File "/usr/lib/python3.11/socket.py", line 851, in create_connection
    raise exceptions[0]
  File "/usr/lib/python3.11/socket.py", line 836, in create_connection
    sock.connect(sa)
`
	pyResolveFrames = `  File "/usr/lib/python3.11/socket.py", line 827, in create_connection
    for res in getaddrinfo(host, port, 0, SOCK_STREAM):
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/socket.py", line 962, in getaddrinfo
    for res in _socket.getaddrinfo(host, port, family, type, proto, flags):
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
`
	pyURLRetrieveFrame = `  File "/usr/lib/python3.11/urllib/request.py", line 241, in urlretrieve
    with contextlib.closing(urlopen(url, data)) as fp:
                            ^^^^^^^^^^^^^^^^^^
`
	pyURLOpenFrames = `  File "/usr/lib/python3.11/urllib/request.py", line 216, in urlopen
    return opener.open(url, data, timeout)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/urllib/request.py", line 519, in open
    response = self._open(req, data)
               ^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/urllib/request.py", line 536, in _open
    result = self._call_chain(self.handle_open, protocol, protocol +
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/urllib/request.py", line 496, in _call_chain
    result = func(*args)
             ^^^^^^^^^^^
`
	pyHTTPOpenFrame = `  File "/usr/lib/python3.11/urllib/request.py", line 1390, in http_open
    return self.do_open(http.client.HTTPConnection, req)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
`
	pyHTTPSOpenFrame = `  File "/usr/lib/python3.11/urllib/request.py", line 1404, in https_open
    return self.do_open(http.client.HTTPSConnection, req,
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
`
)

// connectFail raises what connect raises on the persona, which has no route out.
func (in *pyInterp) connectFail(host string) {
	addrs := in.c.localAddrs(host)
	switch {
	case len(addrs) == 0:
		panic(pyRaise{line: in.line, stmt: in.stmtText, text: "socket.gaierror: [Errno -3] Temporary failure in name resolution"})
	case in.c.isLocalAddr(addrs[0]):
		panic(pyRaise{line: in.line, stmt: in.stmtText, text: "ConnectionRefusedError: [Errno 111] Connection refused"})
	}
	if a, err := netip.ParseAddr(addrs[0]); err == nil && a.Is6() {
		panic(pyRaise{line: in.line, stmt: in.stmtText, text: "OSError: [Errno 101] Network is unreachable"})
	}
	panic(pyRaise{line: in.line, stmt: in.stmtText, text: "OSError: [Errno 101] Network is unreachable"})
}
