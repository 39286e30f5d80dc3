package shell

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/pattern"
	"mvdan.cc/sh/v3/syntax"

	"github.com/lure-sensor/lure/internal/vfs"
)

// shellEnv is the runner's variables as expand sees them, special parameters included.
// It answers every "HOME <user>" lookup itself, so expand never asks the host's user
// database.
type shellEnv struct{ r *runner }

func (e shellEnv) Get(name string) expand.Variable {
	r := e.r
	str := func(s string) expand.Variable {
		return expand.Variable{Set: true, Kind: expand.String, Str: s}
	}
	switch name {
	case "#":
		return str(itoa(len(r.params)))
	case "@", "*":
		l := r.params
		if l == nil {
			l = []string{}
		}
		return expand.Variable{Set: true, Kind: expand.Indexed, List: l}
	case "?":
		return str(itoa(r.status))
	case "$":
		return str(itoa(r.sh.pid))
	case "!":
		if r.lastBg == 0 {
			return expand.Variable{}
		}
		return str(itoa(r.lastBg))
	case "-":
		return str(r.flagString())
	case "0":
		return str(r.arg0)
	case "_":
		return str(r.lastArg)
	case "PPID":
		return str(itoa(r.sh.ppid))
	case "BASHPID":
		return str(itoa(r.bashpid))
	case "BASH_SUBSHELL":
		return str(itoa(r.subLevel))
	case "RANDOM":
		return str(itoa(rand.IntN(32768)))
	case "SRANDOM":
		return str(strconv.FormatUint(uint64(rand.Uint32()), 10))
	case "SECONDS":
		return str(itoa(int(r.sh.now().Sub(r.sh.start).Seconds())))
	case "EPOCHSECONDS":
		return str(strconv.FormatInt(r.sh.now().Unix(), 10))
	case "EPOCHREALTIME":
		t := r.sh.now()
		return str(fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000))
	case "LINENO":
		return str(itoa(r.line))
	case "FUNCNAME":
		if len(r.funcNames) == 0 {
			return expand.Variable{}
		}
		return expand.Variable{Set: true, Kind: expand.Indexed, List: append(append([]string(nil), r.funcNames...), "main")}
	case "PIPESTATUS":
		l := make([]string, 0, len(r.pipeStatus))
		for _, s := range r.pipeStatus {
			l = append(l, itoa(s))
		}
		if len(l) == 0 {
			l = []string{itoa(r.status)}
		}
		return expand.Variable{Set: true, Kind: expand.Indexed, List: l}
	case "HISTCMD":
		return str(itoa(len(r.sh.oldHistory) + len(r.sh.history)))
	}
	if len(name) > 0 && name[0] >= '1' && name[0] <= '9' {
		if n, err := strconv.Atoi(name); err == nil {
			if n <= len(r.params) {
				return str(r.params[n-1])
			}
			return expand.Variable{}
		}
	}
	if strings.HasPrefix(name, slotPrefix) {
		if v, ok := r.slots[name]; ok {
			return str(v)
		}
		return expand.Variable{}
	}
	if user, ok := strings.CutPrefix(name, "HOME "); ok {
		if home, ok := r.userHome(user); ok {
			return str(home)
		}
		// Unknown users keep the word as typed: "~nobody" stays "~nobody".
		return str("~" + user)
	}
	v, ok := r.vars.get(name)
	if !ok {
		return expand.Variable{}
	}
	return v.Variable
}

func (e shellEnv) Set(name string, vr expand.Variable) error {
	r := e.r
	prev, _ := r.vars.get(name)
	if prev.ReadOnly {
		return fmt.Errorf("%s: readonly variable", name)
	}
	ne := prev
	if vr.Kind == expand.KeepValue {
		ne.Exported, ne.ReadOnly, ne.Local = vr.Exported || prev.Exported, vr.ReadOnly || prev.ReadOnly, vr.Local || prev.Local
		return r.vars.setEntry(name, ne)
	}
	if !vr.IsSet() {
		return r.vars.unset(name)
	}
	if vr.Kind == expand.String && prev.integer {
		n, err := r.evalArith(vr.Str)
		if err != nil {
			return err
		}
		vr.Str = itoa64(n)
	}
	ne.Variable = vr
	ne.Exported = vr.Exported || prev.Exported || r.opts.allexport
	ne.Local = prev.Local
	return r.vars.setEntry(name, ne)
}

func (e shellEnv) Each(fn func(name string, vr expand.Variable) bool) {
	for _, n := range e.r.vars.names() {
		v, _ := e.r.vars.get(n)
		if !fn(n, v.Variable) {
			return
		}
	}
}

// flagString is $-.
func (r *runner) flagString() string {
	var b strings.Builder
	if r.opts.allexport {
		b.WriteByte('a')
	}
	if r.opts.errexit {
		b.WriteByte('e')
	}
	if r.opts.noglob {
		b.WriteByte('f')
	}
	if r.opts.hashall {
		b.WriteByte('h')
	}
	if r.interactive {
		b.WriteByte('i')
	}
	if r.opts.monitor {
		b.WriteByte('m')
	}
	if r.opts.nounset {
		b.WriteByte('u')
	}
	if r.opts.verbose {
		b.WriteByte('v')
	}
	if r.opts.xtrace {
		b.WriteByte('x')
	}
	if r.opts.braceexpand {
		b.WriteByte('B')
	}
	if r.opts.noclobber {
		b.WriteByte('C')
	}
	if r.opts.histexpand {
		b.WriteByte('H')
	}
	if r.interactive {
		b.WriteByte('s') // commands come from stdin
	} else if r.src != nil && r.src.kind == srcTop {
		b.WriteByte('c')
	}
	return b.String()
}

// userHome finds a user's home directory in the persona's /etc/passwd (as the vfs holds
// it now, so users an attacker adds count, as getpwnam would see them).
func (r *runner) userHome(name string) (string, bool) {
	if name == r.sh.cfg.User.Name && r.sh.cfg.User.Home != "" {
		return r.sh.cfg.User.Home, true
	}
	if r.fs() != nil {
		if data, err := r.fs().ReadFile("/etc/passwd"); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				f := strings.Split(line, ":")
				if len(f) >= 6 && f[0] == name {
					return f[5], true
				}
			}
			return "", false
		}
	}
	if p := r.sh.cfg.Persona; p != nil {
		if u, ok := p.LookupUser(name); ok {
			return u.Home, true
		}
	}
	return "", false
}

var errProcSubst = errors.New("cannot make pipe for process substitution: Function not implemented")

func (r *runner) newExpandConfig() *expand.Config {
	return &expand.Config{
		Env:       shellEnv{r},
		CmdSubst:  r.cmdSubst,
		ProcSubst: func(*syntax.ProcSubst) (string, error) { return "", errProcSubst },
		ReadDir2:  r.readDir,
	}
}

// prepCfg refreshes the options expand needs from the shell's.
func (r *runner) prepCfg() *expand.Config {
	c := r.ecfg
	c.NoUnset = r.opts.nounset
	c.NullGlob = r.opts.shopt["nullglob"]
	c.DotGlob = r.opts.shopt["dotglob"]
	c.NoCaseGlob = r.opts.shopt["nocaseglob"]
	c.ExtGlob = r.opts.shopt["extglob"]
	c.GlobStar = r.opts.shopt["globstar"]
	if r.opts.noglob || r.fs() == nil {
		c.ReadDir2 = nil
	} else {
		c.ReadDir2 = r.readDir
	}
	return c
}

// expandPanic turns a panic inside expand (it panics on a few malformed inputs) into an
// error, so a fuzzed command line cannot take the sensor down.
type expandPanic struct{ v any }

func (e expandPanic) Error() string { return "bad substitution" }

func recoverExpand(err *error) {
	if p := recover(); p != nil {
		*err = expandPanic{p}
	}
}

// expandPanics are expected from expand on some malformed input; the shell's own code must
// not panic, which fuzzing checks through Shell.panicHook.

// fields expands words into arguments: braces, tilde, parameters, command substitution,
// arithmetic, splitting and globbing.
func (r *runner) fields(words ...*syntax.Word) (out []string, err error) {
	defer recoverExpand(&err)
	var total int64
	// One word at a time: $((i++)) in one word must be seen by $i in the next.
	for _, w := range words {
		nw, err := r.preArith(w)
		if err != nil {
			return nil, err
		}
		if !r.opts.braceexpand {
			// expand always splits braces; without braceexpand, quote them away
			nw = noBraces(nw)
		}
		for s, err := range expand.FieldsSeq(r.prepCfg(), nw) {
			if err != nil {
				return nil, err
			}
			total += int64(len(s)) + 16
			if total > r.sh.lim.MaxVar*2 {
				return nil, &errVarLimit{want: total}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func noBraces(w *syntax.Word) *syntax.Word {
	parts := make([]syntax.WordPart, len(w.Parts))
	for i, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.ContainsAny(l.Value, "{}") {
			p = &syntax.SglQuoted{Value: l.Value}
		}
		parts[i] = p
	}
	return &syntax.Word{Parts: parts}
}

// literal expands a word to one string (assignments, case words, redirection targets).
func (r *runner) literal(w *syntax.Word) (s string, err error) {
	if w == nil {
		return "", nil
	}
	defer recoverExpand(&err)
	nw, err := r.preArith(w)
	if err != nil {
		return "", err
	}
	return expand.Literal(r.prepCfg(), nw)
}

// document expands a here-document body.
func (r *runner) document(w *syntax.Word) (s string, err error) {
	if w == nil {
		return "", nil
	}
	defer recoverExpand(&err)
	nw, err := r.preArith(w)
	if err != nil {
		return "", err
	}
	return expand.Document(r.prepCfg(), nw)
}

// pattern expands a word to a shell pattern (case, [[ == ]]).
func (r *runner) pattern(w *syntax.Word) (s string, err error) {
	defer recoverExpand(&err)
	nw, err := r.preArith(w)
	if err != nil {
		return "", err
	}
	return expand.Pattern(r.prepCfg(), nw)
}

// expandString expands text as if it were inside double quotes (PS1, PS4, arithmetic).
func (r *runner) expandString(text string) (string, error) {
	if !strings.ContainsAny(text, "$`\\") {
		return text, nil
	}
	w, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Document(strings.NewReader(text))
	if err != nil {
		return text, nil
	}
	prev := r.src
	r.src = &source{text: text, name: prev.name, kind: prev.kind}
	defer func() { r.src = prev }()
	return r.document(w)
}

// match reports whether name matches the shell pattern pat (already expanded by pattern).
func (r *runner) match(pat, name string) bool {
	mode := pattern.EntireString
	if r.opts.shopt["extglob"] {
		mode |= pattern.ExtendedOperators
	}
	if r.opts.shopt["nocasematch"] {
		mode |= pattern.NoGlobCase
	}
	expr, err := pattern.Regexp(pat, mode)
	if err != nil {
		return pat == name
	}
	rx, err := regexp.Compile(expr)
	if err != nil {
		return false
	}
	return rx.MatchString(name)
}

// cmdSubst runs $(...) in a subshell, capturing at most MaxVar bytes.
func (r *runner) cmdSubst(w io.Writer, cs *syntax.CmdSubst) error {
	if cause := r.b.cause(); cause != nil {
		return cause
	}
	if err := r.b.step(); err != nil {
		return err
	}
	if !r.enter("") {
		return errDepth
	}
	cw := &capWriter{w: w, max: r.sh.lim.MaxVar}
	sub := r.subshell()
	sub.fd[1] = &ofile{w: cw, name: "pipe"}
	if len(cs.Stmts) == 1 && cs.Stmts[0].Cmd == nil && len(cs.Stmts[0].Redirs) == 1 && cs.Stmts[0].Redirs[0].Op == syntax.RdrIn {
		// $(<file) reads the file without running a command.
		rd := cs.Stmts[0].Redirs[0]
		name, err := sub.literal(rd.Word)
		if err != nil {
			return err
		}
		data, err := sub.readFileForRedir(name)
		if err != nil {
			sub.errf("%s: %s\n", name, errText(err))
			r.lastSubst = 1
			return nil
		}
		cw.Write(data)
		r.lastSubst = 0
	} else {
		sub.noFork = lastSimple(cs.Stmts)
		sub.stmts(cs.Stmts)
		sub.closeFiles(sub.execFiles)
		r.lastSubst = sub.status
	}
	if cw.over {
		return &errVarLimit{want: cw.n}
	}
	r.expBytes += cw.n
	if r.expBytes > 2*r.sh.lim.MaxVar {
		return &errVarLimit{want: r.expBytes}
	}
	if cause := r.b.cause(); cause != nil {
		return cause
	}
	return nil
}

// capWriter stops a command substitution from growing past the variable budget.
type capWriter struct {
	w    io.Writer
	n    int64
	max  int64
	over bool
}

func (c *capWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.n > c.max {
		c.over = true
		return 0, &errVarLimit{want: c.n}
	}
	return c.w.Write(p)
}

// readDir lists a directory of the vfs for globbing.
func (r *runner) readDir(p string) ([]fs.DirEntry, error) {
	if err := r.b.step(); err != nil {
		return nil, err
	}
	abs := r.abs(p)
	m, err := r.fs().Stat(abs)
	if err != nil {
		return nil, err
	}
	if m.Mode.IsDir() && !r.canAccess(m, 4) {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrPermission}
	}
	metas, err := r.fs().ReadDir(abs)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(metas))
	for i, m := range metas {
		out[i] = dirEntry{m}
	}
	return out, nil
}

// dirEntry adapts vfs.Meta to fs.DirEntry and fs.FileInfo.
type dirEntry struct{ m vfs.Meta }

func (d dirEntry) Name() string               { return d.m.Name }
func (d dirEntry) IsDir() bool                { return d.m.Mode.IsDir() }
func (d dirEntry) Type() fs.FileMode          { return d.m.Mode.Type() }
func (d dirEntry) Info() (fs.FileInfo, error) { return d, nil }
func (d dirEntry) Size() int64                { return d.m.Size }
func (d dirEntry) Mode() fs.FileMode          { return d.m.Mode }
func (d dirEntry) ModTime() time.Time         { return d.m.MTime }
func (d dirEntry) Sys() any                   { return nil }

// preArith evaluates the $((...)) parts of a word with the shell's own arithmetic (bash's
// rules and error texts) and computes the parameter expansions expand gets wrong, leaving
// the rest to expand.
func (r *runner) preArith(w *syntax.Word) (*syntax.Word, error) {
	if w == nil {
		return w, nil
	}
	// A word like $x$x$x... or ${x//a/$x} can ask for gigabytes before any assignment
	// sees it: refuse up front when even the estimate is beyond the variable budget.
	r.expBytes = 0
	if est := r.estimate(w.Parts, 0); est > 2*r.sh.lim.MaxVar {
		return nil, &errVarLimit{want: est}
	}
	if !r.needsPre(w.Parts) {
		return w, nil
	}
	parts, err := r.arithParts(w.Parts)
	if err != nil {
		return nil, err
	}
	return &syntax.Word{Parts: parts}, nil
}

func (r *runner) needsPre(ps []syntax.WordPart) bool {
	for _, p := range ps {
		switch p := p.(type) {
		case *syntax.ArithmExp:
			return true
		case *syntax.DblQuoted:
			if r.needsPre(p.Parts) {
				return true
			}
		case *syntax.ParamExp:
			if r.needsCustom(p) {
				return true
			}
		}
	}
	return false
}

func (r *runner) arithParts(ps []syntax.WordPart) ([]syntax.WordPart, error) {
	out := make([]syntax.WordPart, len(ps))
	for i, p := range ps {
		switch p := p.(type) {
		case *syntax.ArithmExp:
			v, err := r.evalArith(r.arithExpText(p))
			if err != nil {
				return nil, err
			}
			out[i] = &syntax.Lit{ValuePos: p.Left, ValueEnd: p.Right, Value: itoa64(v)}
		case *syntax.ParamExp:
			if !r.needsCustom(p) {
				out[i] = p
				continue
			}
			v, err := r.customParam(p)
			if err != nil {
				return nil, err
			}
			out[i] = &syntax.ParamExp{Dollar: p.Dollar, Rbrace: p.Rbrace, Param: &syntax.Lit{ValuePos: p.Param.ValuePos, ValueEnd: p.Param.ValueEnd, Value: r.slotVar(v)}}
		case *syntax.DblQuoted:
			if !r.needsPre(p.Parts) {
				out[i] = p
				continue
			}
			np, err := r.arithParts(p.Parts)
			if err != nil {
				return nil, err
			}
			out[i] = &syntax.DblQuoted{Left: p.Left, Right: p.Right, Dollar: p.Dollar, Parts: np}
		default:
			out[i] = p
		}
	}
	return out, nil
}

// estimate bounds the bytes a word expands to (command substitutions are counted as they
// run, in cmdSubst).
func (r *runner) estimate(parts []syntax.WordPart, depth int) int64 {
	if depth > 20 {
		return 0
	}
	var n int64
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			n += int64(len(p.Value))
		case *syntax.SglQuoted:
			n += int64(len(p.Value))
		case *syntax.DblQuoted:
			n += r.estimate(p.Parts, depth+1)
		case *syntax.ArithmExp:
			n += 20
		case *syntax.ParamExp:
			v := r.paramSize(p)
			n += v
			if p.Exp != nil && p.Exp.Word != nil {
				n += r.estimate(p.Exp.Word.Parts, depth+1)
			}
			if p.Repl != nil && p.Repl.With != nil && !r.needsCustom(p) {
				// expand replaces elementwise without a bound: count its worst case
				if w := r.estimate(p.Repl.With.Parts, depth+1); w > 1 {
					n += (v + 1) * (w - 1)
				}
			}
		}
	}
	return n
}

// paramSize is the size of the value a parameter expansion reads.
func (r *runner) paramSize(pe *syntax.ParamExp) int64 {
	if pe.Param == nil {
		return 0
	}
	v := shellEnv{r}.Get(pe.Param.Value)
	var n int64
	switch v.Kind {
	case expand.Indexed:
		for _, s := range v.List {
			n += int64(len(s)) + 1
		}
	case expand.Associative:
		for _, s := range v.Map {
			n += int64(len(s)) + 1
		}
	default:
		n = int64(len(v.Str))
	}
	return n
}

// srcSlice returns the source text between two positions, or false when the node did not
// come from the current source.
func (r *runner) srcSlice(from, to syntax.Pos, prefix string) (string, bool) {
	if r.src == nil || !from.IsValid() || !to.IsValid() {
		return "", false
	}
	a, b := int(from.Offset()), int(to.Offset())
	t := r.src.text
	if a < 0 || b > len(t) || a > b || !strings.HasPrefix(t[a:], prefix) {
		return "", false
	}
	return t[a+len(prefix) : b], true
}

// arithExpText is the text inside $(( )) or $[ ].
func (r *runner) arithExpText(p *syntax.ArithmExp) string {
	open := "$(("
	if p.Bracket {
		open = "$["
	}
	if s, ok := r.srcSlice(p.Left, p.Right, open); ok {
		return s
	}
	return printArith(p.X)
}

// printArith prints an arithmetic expression when its source text is not at hand.
func printArith(x syntax.ArithmExpr) string {
	if x == nil {
		return ""
	}
	var sb strings.Builder
	syntax.NewPrinter(syntax.SingleLine(true)).Print(&sb, &syntax.ArithmCmd{X: x})
	s := strings.TrimSpace(sb.String())
	s = strings.TrimPrefix(s, "((")
	s = strings.TrimSuffix(s, "))")
	return s
}

// arithCmd evaluates (( ... )).
func (r *runner) arithCmd(cm *syntax.ArithmCmd) (int64, error) {
	text, ok := r.srcSlice(cm.Left, cm.Right, "((")
	if !ok {
		text = printArith(cm.X)
	}
	return r.evalArith(text)
}

// cLoopParts splits for (( init; cond; post )) into its three texts.
func (r *runner) cLoopParts(l *syntax.CStyleLoop) (string, string, string) {
	text, ok := r.srcSlice(l.Lparen, l.Rparen, "((")
	if ok {
		parts := splitTopLevel(text, ';')
		if len(parts) == 3 {
			return strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		}
	}
	return printArith(l.Init), printArith(l.Cond), printArith(l.Post)
}

// splitTopLevel splits s at sep outside parentheses, brackets and quotes.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth := 0
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// letClause runs `let expr...`.
func (r *runner) letClause(cm *syntax.LetClause) {
	var last int64
	for _, x := range cm.Exprs {
		var text string
		if w, ok := x.(*syntax.Word); ok {
			s, err := r.literal(w)
			if err != nil {
				r.expandFail(err)
				return
			}
			text = s
		} else {
			text = r.nodeText(x)
		}
		v, err := r.evalArith(text)
		if err != nil {
			r.arithFail(err, "let")
			return
		}
		last = v
	}
	if len(cm.Exprs) == 0 {
		r.errf("let: expression expected\n")
		r.status = 1
		return
	}
	r.status = boolStatus(last != 0)
}

// arithFail reports an arithmetic error for a command named cmd ("((", "let", "").
func (r *runner) arithFail(err error, cmd string) {
	r.status = 1
	var ae *arithError
	if errors.As(err, &ae) {
		if cmd != "" {
			r.errf("%s: %s\n", cmd, ae.Error())
		} else {
			r.errf("%s\n", ae.Error())
		}
		return
	}
	r.expandFail(err)
}

// expandFail reports a failed expansion; the command does not run. As in bash, a
// non-interactive shell then exits (status 1, or 127 for unset parameters) and an
// interactive one drops the rest of the line.
func (r *runner) expandFail(err error) {
	r.reportExpandErr(err)
	if r.b.ctx.Err() != nil {
		return
	}
	st := r.status
	if st == 0 {
		st = 1
	}
	r.abortLine(st)
}

// reportExpandErr prints an expansion error and sets $?.
func (r *runner) reportExpandErr(err error) {
	r.status = 1
	var ae *arithError
	var up expand.UnsetParameterError
	var vl *errVarLimit
	var le limitError
	switch {
	case errors.As(err, &le), r.b.ctx.Err() != nil && !errors.As(err, &vl):
		return
	case errors.As(err, &vl):
		r.memFail(vl.want)
	case errors.As(err, &ae):
		r.errf("%s\n", ae.Error())
	case errors.As(err, &up):
		msg := up.Message
		if up.Node != nil && up.Node.Exp != nil && msg == "" {
			switch up.Node.Exp.Op {
			case syntax.ErrorUnsetOrNull:
				msg = "parameter null or not set"
			default:
				msg = "parameter not set"
			}
		}
		name := ""
		if up.Node != nil && up.Node.Param != nil {
			name = up.Node.Param.Value
		}
		r.errf("%s: %s\n", name, msg)
		r.status = 127
	case errors.Is(err, errProcSubst):
		r.errf("%s\n", err.Error())
	case errors.As(err, new(expandPanic)):
		r.errf("bad substitution\n")
	default:
		msg := err.Error()
		switch {
		case strings.Contains(msg, "readonly variable"):
			r.errf("%s\n", msg)
		case strings.Contains(msg, "invalid indirect expansion"), strings.Contains(msg, "unsupported"):
			r.errf("bad substitution\n")
		case strings.Contains(msg, "brace expansion"):
			r.memFail(1 << 20)
		default:
			r.errf("%s\n", msg)
		}
	}
}

// errText renders a vfs error as glibc's strerror does.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if s := vfs.Strerror(err); s != err.Error() {
		return s
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	case errors.Is(err, errBadFD):
		return "Bad file descriptor"
	}
	return vfs.Strerror(err)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

// shellErr is an error whose text is printed as is after the prefix.
type shellErr string

func (e shellErr) Error() string { return string(e) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// now is the shell's clock: the session's when it has one (tests fix it).
func (s *Shell) now() time.Time {
	if sess := s.cfg.Session; sess != nil && sess.Clock != nil {
		return sess.Clock()
	}
	return time.Now()
}
