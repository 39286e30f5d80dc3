package shell

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// srcKind tells how a piece of source reached the shell; bash words its errors after it.
type srcKind int

const (
	srcTop  srcKind = iota // the session's command line (interactive) or `bash -c` string
	srcFile                // a script or a sourced file
	srcEval                // eval's argument
)

// source is the text being run, kept so errors can quote lines and arithmetic can be
// evaluated from its exact text, as bash does.
type source struct {
	text string
	name string // the name errors carry: "bash", "./x.sh", "environment"
	kind srcKind
}

// funcDef is a defined function with the source it came from.
type funcDef struct {
	body *syntax.Stmt
	src  *source
}

// ofile is one open file descriptor of the shell.
type ofile struct {
	r    io.Reader
	w    io.Writer
	term bool // the session's terminal
	name string
}

// runner is the state of one bash process or subshell. Subshells are copies, so pipeline
// members can run concurrently without sharing mutable state.
type runner struct {
	sh *Shell

	vars    *varStore
	funcs   map[string]*funcDef
	aliases map[string]string
	hash    map[string]*hashEntry
	traps   map[string]string

	dir    string
	params []string
	arg0   string
	opts   options
	umask  uint32
	ulim   ulimits // resource limits (ulimit.go)

	status     int // $?
	lastSubst  int // status of the last command substitution, -1 when none ran
	lastBg     int // $!
	pipeStatus []int
	lastArg    string // $_

	// control flow
	brk, cont int
	ret       bool
	exit      bool
	sigpipe   bool // a builtin wrote into a closed pipe: the subshell dies of SIGPIPE
	discard   bool // an interactive shell drops the rest of the command line after an expansion error
	loops     int  // enclosing loops, for break/continue
	inCond    int  // inside if/while conditions, && and ||, where set -e does not apply
	funcDepth int
	funcNames []string
	srcDepth  int // nested `source`
	depth     int // functions, subshells, sources and scripts, bounded by MaxDepth
	subLevel  int // BASH_SUBSHELL
	bashpid   int

	fd    [10]*ofile
	inTTY bool
	b     *budget

	// outTerm and errTerm are the session's writers for this command line.
	outTerm, errTerm io.Writer
	execFiles        []*redirFile // files opened by a bare `exec >file`

	src         *source
	line        int
	aliasStack  []string
	slots       map[string]string // computed expansions handed to expand (see paramx.go)
	expBytes    int64             // bytes command substitutions produced in the current word
	interactive bool
	startup     bool // running the login files: errors are quiet, no events

	// noFork is the simple command this process runs last, which bash execs in place
	// instead of forking (bash -c's last command, a subshell's, a background job's): the
	// program then sees SHLVL one lower, as bash undoes its own increment before the exec.
	noFork *syntax.CallExpr
	// execNoFork is set while noFork's program is being started.
	execNoFork bool

	ecfg *expand.Config
}

type hashEntry struct {
	path string
	hits int
}

// options are `set -o` and `shopt` options.
type options struct {
	errexit, nounset, xtrace, pipefail, noglob, noclobber, allexport, verbose, hashall bool
	braceexpand, histexpand, monitor, emacs, history                                   bool
	shopt                                                                              map[string]bool
}

func newRunner(s *Shell) *runner {
	r := &runner{
		sh:          s,
		vars:        newVarStore(s.lim.MaxVar),
		funcs:       map[string]*funcDef{},
		aliases:     map[string]string{},
		hash:        map[string]*hashEntry{},
		traps:       map[string]string{},
		dir:         "/",
		arg0:        "bash",
		umask:       0o022,
		lastSubst:   -1,
		bashpid:     s.pid,
		interactive: s.cfg.Interactive,
	}
	if r.interactive {
		r.arg0 = "-bash"
	}
	r.opts = defaultOptions(r.interactive)
	r.lastArg = "bash" // $_ starts as the name bash was run with (sshd sets no _)
	r.fd[0] = &ofile{r: strings.NewReader("")}
	r.fd[1] = &ofile{w: io.Discard}
	r.fd[2] = &ofile{w: io.Discard}
	r.src = &source{name: r.arg0, kind: srcTop}
	r.ecfg = r.newExpandConfig()
	return r
}

func defaultOptions(interactive bool) options {
	o := options{braceexpand: true, hashall: true, shopt: defaultShopts()}
	if interactive {
		o.histexpand, o.monitor, o.emacs, o.history = true, true, true, true
		o.shopt["expand_aliases"] = true
		o.shopt["login_shell"] = true
		o.shopt["checkwinsize"] = true
	}
	return o
}

func (o options) clone() options {
	o.shopt = maps.Clone(o.shopt)
	return o
}

// subshell returns a copy of r for ( ), pipelines and command substitution.
func (r *runner) subshell() *runner {
	c := *r
	c.vars = r.vars.clone()
	c.funcs = maps.Clone(r.funcs)
	c.aliases = maps.Clone(r.aliases)
	c.hash = maps.Clone(r.hash)
	c.traps = map[string]string{} // traps are reset in subshells (except ignored ones)
	c.opts = r.opts.clone()
	c.params = append([]string(nil), r.params...)
	c.funcNames = append([]string(nil), r.funcNames...)
	c.execFiles = nil
	c.subLevel++
	c.depth++
	c.bashpid = r.sh.newPID()
	c.brk, c.cont, c.ret, c.exit, c.discard = 0, 0, false, false, false
	c.noFork, c.execNoFork = nil, false
	c.ecfg = c.newExpandConfig()
	return &c
}

// fresh returns a new bash process started by r (a script or `bash -c`): it inherits only
// the environment, the working directory and the open files.
func (r *runner) fresh(arg0 string, params []string, src *source) *runner {
	c := &runner{
		sh:        r.sh,
		vars:      newVarStore(r.sh.lim.MaxVar),
		funcs:     map[string]*funcDef{},
		aliases:   map[string]string{},
		hash:      map[string]*hashEntry{},
		traps:     map[string]string{},
		dir:       r.dir,
		params:    params,
		arg0:      arg0,
		opts:      defaultOptions(false),
		umask:     r.umask,
		ulim:      r.ulim,
		lastSubst: -1,
		bashpid:   r.sh.newPID(),
		fd:        r.fd,
		b:         r.b,
		outTerm:   r.outTerm,
		errTerm:   r.errTerm,
		depth:     r.depth + 1,
		src:       src,
		startup:   r.startup,
	}
	for k, v := range r.vars.exported() {
		c.vars.put(0, k, varEntry{Variable: expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: v}})
	}
	c.initShellVars(false)
	if lvl, err := strconv.Atoi(c.getVar("SHLVL")); err == nil {
		c.setVarQuiet("SHLVL", itoa(lvl+1))
	}
	c.ecfg = c.newExpandConfig()
	return c
}

// lowerSHLVL undoes fresh's increment for a bash that its parent exec'd in place.
func (c *runner) lowerSHLVL() {
	if lvl, err := strconv.Atoi(c.getVar("SHLVL")); err == nil {
		c.setVarQuiet("SHLVL", itoa(lvl-1))
	}
}

func (r *runner) stdin() io.Reader {
	if f := r.fd[0]; f != nil && f.r != nil {
		return f.r
	}
	return badFD{}
}

func (r *runner) stdout() io.Writer {
	if f := r.fd[1]; f != nil && f.w != nil {
		return f.w
	}
	return badFD{}
}

func (r *runner) stderr() io.Writer {
	if f := r.fd[2]; f != nil && f.w != nil {
		return f.w
	}
	return badFD{}
}

// badFD is a closed file descriptor.
type badFD struct{}

var errBadFD = errors.New("Bad file descriptor")

func (badFD) Read([]byte) (int, error)  { return 0, errBadFD }
func (badFD) Write([]byte) (int, error) { return 0, errBadFD }

// out writes builtin output to stdout. A write into a closed pipe ends the (sub)shell as
// SIGPIPE would.
func (r *runner) out(s string) bool {
	if s == "" {
		return true
	}
	_, err := io.WriteString(r.stdout(), s)
	return r.writeErr(err, "")
}

// writeErr handles an output error of a builtin named name; it reports whether writing
// succeeded.
func (r *runner) writeErr(err error, name string) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, errEPIPE) {
		r.exit = true
		r.sigpipe = true
		r.status = 141
		return false
	}
	var le limitError
	if errors.As(err, &le) || r.b.ctx.Err() != nil {
		return false
	}
	if name != "" {
		r.errf("%s: write error: %s\n", name, errText(err))
	}
	return false
}

// errf prints a bash error with the shell's prefix ("-bash: " or "bash: line 3: ").
func (r *runner) errf(format string, a ...any) {
	if r.startup {
		return
	}
	io.WriteString(r.stderr(), r.prefix()+fmt.Sprintf(format, a...))
}

// prefix is what bash puts before its error messages.
func (r *runner) prefix() string {
	if r.interactive {
		return r.arg0 + ": "
	}
	return r.src.name + ": line " + itoa(r.line) + ": "
}

// stop reports whether the current statement list must not go on.
func (r *runner) stop() bool {
	return r.exit || r.discard || r.ret || r.brk > 0 || r.cont > 0 || r.b.ctx.Err() != nil
}

// runSource parses and runs src in r. Complete lines before a syntax error run first, as
// bash runs a script line by line.
func (r *runner) runSource(text, name string, kind srcKind) int {
	prevSrc, prevLine := r.src, r.line
	src := &source{text: text, kind: kind, name: name}
	if name == "" {
		src.name = r.arg0
	}
	r.src = src
	defer func() { r.src, r.line = prevSrc, prevLine }()

	stmts, perr := parseStmts(text)
	if perr == nil {
		if kind == srcTop && !r.interactive && r.subLevel == 0 {
			r.noFork = lastSimple(stmts)
		}
		r.stmts(stmts)
		return r.status
	}
	if delim, ok := unclosedHeredoc(perr); ok && !strings.HasSuffix(text, "\n"+delim+"\n") {
		// bash warns and takes the end of input as the delimiter
		if !r.startup {
			line := strings.Count(strings.TrimSuffix(text, "\n"), "\n") + 1
			pre := r.src.name + ": line " + itoa(line) + ": "
			if r.interactive {
				pre = r.arg0 + ": "
			}
			io.WriteString(r.stderr(), pre+"warning: here-document at line "+itoa(heredocLine(perr))+" delimited by end-of-file (wanted `"+delim+"')\n")
		}
		fixed := text
		if !strings.HasSuffix(fixed, "\n") {
			fixed += "\n"
		}
		return r.runSource(fixed+delim+"\n", name, kind)
	}
	se := describeSyntaxError(perr, text)
	var ok []*syntax.Stmt
	for _, st := range stmts {
		if int(st.End().Line()) < se.line {
			ok = append(ok, st)
		}
	}
	r.stmts(ok)
	if r.exit || r.b.ctx.Err() != nil {
		return r.status
	}
	r.syntaxError(se, kind)
	return r.status
}

// parseStmts parses text statement by statement, returning the complete statements before
// an error. Bash only checks $(( )) contents when it evaluates them, so an arithmetic
// expression the parser rejects is blanked (same length, same lines) and parsed again: the
// original text stays in the source and is evaluated, with bash's error, at run time.
func parseStmts(text string) ([]*syntax.Stmt, error) {
	parsed := text
	for try := 0; ; try++ {
		var stmts []*syntax.Stmt
		var perr error
		p := syntax.NewParser(syntax.Variant(syntax.LangBash))
		// The iterator must run to its end: after an error, the parser may still call
		// yield and panics if the loop has stopped.
		for st, err := range p.StmtsSeq(strings.NewReader(parsed)) {
			if perr != nil {
				continue
			}
			if err != nil {
				perr = err
				continue
			}
			stmts = append(stmts, st)
		}
		if perr == nil || try >= 8 {
			return stmts, perr
		}
		var pe syntax.ParseError
		if !errors.As(perr, &pe) {
			return stmts, perr
		}
		fixed, ok := blankArith(parsed, int(pe.Pos.Offset()))
		if !ok {
			return stmts, perr
		}
		parsed = fixed
	}
}

// blankArith replaces the inside of the $(( )) or (( )) around off with "0" and blanks.
func blankArith(text string, off int) (string, bool) {
	if off > len(text) {
		off = len(text)
	}
	// the parser may point at the "$((" itself, or inside
	first := off + 2
	if first > len(text)-1 {
		first = len(text) - 1
	}
	for start := first; start >= 1; start-- {
		if text[start] != '(' || text[start-1] != '(' {
			continue
		}
		open := start + 1 // first byte inside
		depth := 0
		end := -1
		for i := open; i < len(text); i++ {
			switch text[i] {
			case '(':
				depth++
			case ')':
				if depth == 0 {
					if i+1 < len(text) && text[i+1] == ')' {
						end = i
					}
					i = len(text)
				} else {
					depth--
				}
			}
		}
		if end < off || end < open {
			continue
		}
		if end == open {
			return "", false // $(()) has no room; bash would print 0
		}
		b := []byte(text)
		for i := open; i < end; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
		b[open] = '0'
		if string(b) == text {
			return "", false
		}
		return string(b), true
	}
	return "", false
}

// syntaxError prints a syntax error the way bash does for the kind of source.
func (r *runner) syntaxError(se syntaxErr, kind srcKind) {
	r.status = 2
	if r.startup {
		return
	}
	var pre string
	switch {
	case r.interactive && kind != srcEval:
		pre = r.arg0 + ": "
		io.WriteString(r.stderr(), pre+se.msg+"\n")
		return
	case kind == srcEval:
		name := r.arg0
		if !r.interactive {
			name = r.src.name
			if r.src.kind == srcEval || r.src.kind == srcTop {
				name = r.arg0
			}
		}
		pre = name + ": eval: line " + itoa(se.line) + ": "
	case kind == srcFile:
		pre = r.src.name + ": line " + itoa(se.line) + ": "
	default:
		pre = r.arg0 + ": -c: line " + itoa(se.line) + ": "
	}
	w := r.stderr()
	io.WriteString(w, pre+se.msg+"\n")
	if se.quote {
		io.WriteString(w, pre+"`"+se.text+"'\n")
	}
	if !r.interactive && kind != srcEval {
		// A syntax error ends a non-interactive shell.
		r.exit = true
	}
}

func (r *runner) stmts(list []*syntax.Stmt) {
	for _, st := range list {
		if r.stop() {
			return
		}
		r.stmt(st)
		for _, f := range r.execFiles {
			f.sync()
		}
	}
}

func (r *runner) stmt(st *syntax.Stmt) {
	if err := r.b.step(); err != nil {
		return
	}
	r.line = int(st.Pos().Line())
	if len(r.slots) > 0 {
		clear(r.slots)
	}
	if st.Background {
		r.background(st)
		return
	}
	r.stmtSync(st)
}

// background runs `cmd &`. The emulation has no job control, so the job runs to its end
// before the prompt returns; an interactive shell still prints the job line bash prints.
func (r *runner) background(st *syntax.Stmt) {
	pid := r.sh.newPID()
	r.lastBg = pid
	num := len(r.sh.jobs) + 1
	if r.interactive && r.subLevel == 0 {
		io.WriteString(r.stderr(), "["+itoa(num)+"] "+itoa(pid)+"\n")
	}
	sub := r.subshell()
	sub.bashpid = pid
	if ce, ok := st.Cmd.(*syntax.CallExpr); ok && !st.Negated {
		sub.noFork = ce
	}
	sub.stmtSync(st)
	if r.interactive && r.subLevel == 0 {
		r.sh.jobs = append(r.sh.jobs, jobNote{num: num, status: sub.status, text: r.nodeText(st.Cmd)})
	}
	r.status = 0
}

func (r *runner) stmtSync(st *syntax.Stmt) {
	if varFDRedirect(st.Redirs) && r.respondConstruct(st) {
		return
	}
	if len(st.Redirs) > 0 {
		if ce, ok := st.Cmd.(*syntax.CallExpr); ok && len(ce.Args) == 1 && ce.Args[0].Lit() == "exec" && len(ce.Assigns) == 0 {
			// `exec >file` redirects the shell itself.
			files, ok := r.redirect(st.Redirs)
			r.execFiles = append(r.execFiles, files...)
			if ok {
				r.status = 0
			}
			return
		}
		saved := r.fd
		files, ok := r.redirect(st.Redirs)
		if ok {
			if st.Cmd != nil {
				r.cmd(st.Cmd)
			} else {
				r.status = 0
			}
		}
		r.closeFiles(files)
		r.fd = saved
	} else if st.Cmd != nil {
		r.cmd(st.Cmd)
	}
	if st.Negated {
		if r.status == 0 {
			r.status = 1
		} else {
			r.status = 0
		}
		return
	}
	if r.opts.errexit && r.status != 0 && r.inCond == 0 && !r.exit && !r.ret && r.b.ctx.Err() == nil {
		switch st.Cmd.(type) {
		case *syntax.BinaryCmd:
			if bc := st.Cmd.(*syntax.BinaryCmd); bc.Op == syntax.AndStmt || bc.Op == syntax.OrStmt {
				return
			}
		}
		r.exit = true
	}
}

func (r *runner) cmd(cm syntax.Command) {
	switch cm := cm.(type) {
	case *syntax.CallExpr:
		r.callExpr(cm)
	case *syntax.Block:
		r.stmts(cm.Stmts)
	case *syntax.Subshell:
		if !r.enter("") {
			return
		}
		sub := r.subshell()
		sub.noFork = lastSimple(cm.Stmts)
		sub.stmts(cm.Stmts)
		r.status = sub.status
		r.closeFiles(sub.execFiles)
	case *syntax.BinaryCmd:
		switch cm.Op {
		case syntax.AndStmt, syntax.OrStmt:
			r.inCond++
			r.stmt(cm.X)
			r.inCond--
			if r.stop() {
				return
			}
			if (r.status == 0) == (cm.Op == syntax.AndStmt) {
				r.stmt(cm.Y)
			}
		case syntax.Pipe, syntax.PipeAll:
			r.pipeline(cm)
		}
	case *syntax.IfClause:
		for c := cm; c != nil; c = c.Else {
			if len(c.Cond) == 0 && c.ThenPos == (syntax.Pos{}) && c != cm {
				r.stmts(c.Then) // else
				return
			}
			r.inCond++
			r.stmts(c.Cond)
			r.inCond--
			if r.stop() {
				return
			}
			if r.status == 0 {
				r.stmts(c.Then)
				return
			}
		}
		r.status = 0
	case *syntax.WhileClause:
		r.whileLoop(cm)
	case *syntax.ForClause:
		r.forLoop(cm)
	case *syntax.FuncDecl:
		if cm.Name == nil {
			r.status = 1
			return
		}
		src := r.src
		if src.kind == srcTop && !r.interactive {
			// bash names functions defined by `bash -c` "environment" in its errors.
			src = &source{text: src.text, name: "environment", kind: srcTop}
		}
		r.funcs[cm.Name.Value] = &funcDef{body: cm.Body, src: src}
		r.status = 0
	case *syntax.ArithmCmd:
		v, err := r.arithCmd(cm)
		if err != nil {
			r.arithFail(err, "((")
			return
		}
		r.status = boolStatus(v != 0)
	case *syntax.LetClause:
		r.letClause(cm)
	case *syntax.CaseClause:
		r.caseClause(cm)
	case *syntax.TestClause:
		ok, err := r.testExpr(cm.X)
		if errors.Is(err, errArithTest) {
			r.status = 1
			return
		}
		if err != nil {
			r.status = 2
			if !errors.Is(err, errQuietFail) {
				r.errf("%s\n", err.Error())
			}
			return
		}
		r.status = boolStatus(ok)
	case *syntax.DeclClause:
		r.declClause(cm)
	case *syntax.TimeClause:
		start := r.sh.now()
		if cm.Stmt != nil {
			r.stmt(cm.Stmt)
		}
		el := r.sh.now().Sub(start)
		w := r.stderr()
		if cm.PosixFormat {
			fmt.Fprintf(w, "real %.2f\nuser %.2f\nsys %.2f\n", el.Seconds(), 0.0, 0.0)
		} else {
			fmt.Fprintf(w, "\nreal\t%s\nuser\t0m0.000s\nsys\t0m0.000s\n", fmtElapsed(el))
		}
	case *syntax.CoprocClause:
		if cm.Stmt != nil {
			r.background(cm.Stmt)
		}
	default:
		if r.respondConstruct(cm) {
			return
		}
		r.errf("%s: unsupported command\n", r.nodeText(cm))
		r.status = 2
	}
}

// lastSimple is the simple command bash execs without forking when list is all that is
// left for a process to run: the last statement, or the last branch of its && / || chain.
// Pipelines, compound commands, negated and background statements fork.
func lastSimple(list []*syntax.Stmt) *syntax.CallExpr {
	if len(list) == 0 {
		return nil
	}
	st := list[len(list)-1]
	if st.Background || st.Negated || st.Coprocess {
		return nil
	}
	switch cm := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(cm.Args) > 0 {
			return cm
		}
	case *syntax.BinaryCmd:
		if cm.Op == syntax.AndStmt || cm.Op == syntax.OrStmt {
			return lastSimple([]*syntax.Stmt{cm.Y})
		}
	}
	return nil
}

func boolStatus(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

// enter counts one level of nesting (function, subshell, source, script). Beyond MaxDepth
// the command line is cut. Where pipelines were forking (a fork bomb) bash would run out of
// processes and say so; plain deep recursion would overflow bash's stack and kill it
// (status 139, nothing printed).
func (r *runner) enter(fn string) bool {
	if r.depth+1 <= r.sh.lim.MaxDepth {
		return true
	}
	if r.b.forked.Load() {
		r.forkFail()
		r.status = 254
		return false
	}
	r.b.fail(errDepth)
	r.status = 139
	return false
}

func (r *runner) whileLoop(cm *syntax.WhileClause) {
	r.loops++
	defer func() { r.loops-- }()
	status := 0
	for {
		if err := r.b.step(); err != nil {
			break
		}
		r.inCond++
		r.stmts(cm.Cond)
		r.inCond--
		if r.stop() {
			if r.brk > 0 {
				r.brk--
				break
			}
			if r.cont > 0 {
				r.cont--
				if r.cont > 0 {
					break
				}
				continue
			}
			break
		}
		if (r.status == 0) == cm.Until {
			break
		}
		r.stmts(cm.Do)
		status = r.status
		if r.brk > 0 {
			r.brk--
			break
		}
		if r.cont > 0 {
			r.cont--
			if r.cont > 0 {
				break
			}
			continue
		}
		if r.stop() {
			break
		}
	}
	if !r.exit && !r.ret {
		r.status = status
	}
}

func (r *runner) forLoop(cm *syntax.ForClause) {
	r.loops++
	defer func() { r.loops-- }()
	status := 0
	// body runs one iteration; it reports whether the loop goes on.
	body := func() bool {
		r.stmts(cm.Do)
		status = r.status
		if r.brk > 0 {
			r.brk--
			return false
		}
		if r.cont > 0 {
			r.cont--
			return r.cont == 0
		}
		return !r.stop()
	}
	switch l := cm.Loop.(type) {
	case *syntax.WordIter:
		var items []string
		if l.InPos.IsValid() {
			var err error
			items, err = r.fields(l.Items...)
			if err != nil {
				r.expandFail(err)
				return
			}
		} else {
			items = append([]string(nil), r.params...)
		}
		name := l.Name.Value
		if cm.Select {
			r.selectLoop(name, items, body)
			return
		}
		for _, it := range items {
			if err := r.b.step(); err != nil {
				return
			}
			if err := r.setVar(name, it); err != nil {
				r.assignFail(name, err)
				return
			}
			if !body() {
				break
			}
		}
	case *syntax.CStyleLoop:
		init, cond, post := r.cLoopParts(l)
		if init != "" {
			if _, err := r.evalArith(init); err != nil {
				r.arithFail(err, "((")
				return
			}
		}
		for {
			if err := r.b.step(); err != nil {
				return
			}
			if cond != "" {
				v, err := r.evalArith(cond)
				if err != nil {
					r.arithFail(err, "((")
					return
				}
				if v == 0 {
					break
				}
			}
			if !body() {
				break
			}
			if post != "" {
				if _, err := r.evalArith(post); err != nil {
					r.arithFail(err, "((")
					return
				}
			}
		}
	}
	if !r.exit && !r.ret {
		r.status = status
	}
}

// selectLoop prints bash's select menu and reads choices from stdin.
func (r *runner) selectLoop(name string, items []string, body func() bool) {
	for {
		if err := r.b.step(); err != nil {
			return
		}
		w := r.stderr()
		for i, it := range items {
			fmt.Fprintf(w, "%d) %s\n", i+1, it)
		}
		ps3 := r.getVar("PS3")
		if ps3 == "" {
			ps3 = "#? "
		}
		io.WriteString(w, ps3)
		line, ok := readLine(r.stdin(), '\n')
		if !ok {
			io.WriteString(w, "\n")
			r.status = 1
			return
		}
		line = strings.TrimSpace(line)
		r.setVarQuiet("REPLY", line)
		val := ""
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(items) {
			val = items[n-1]
		}
		r.setVarQuiet(name, val)
		if !body() {
			return
		}
	}
}

func (r *runner) caseClause(cm *syntax.CaseClause) {
	word, err := r.literal(cm.Word)
	if err != nil {
		r.expandFail(err)
		return
	}
	r.status = 0
	fallthru := false
	for _, item := range cm.Items {
		matched := fallthru
		if !matched {
			for _, pw := range item.Patterns {
				pat, err := r.pattern(pw)
				if err != nil {
					r.expandFail(err)
					return
				}
				if r.match(pat, word) {
					matched = true
					break
				}
			}
		}
		if !matched {
			continue
		}
		r.stmts(item.Stmts)
		switch item.Op {
		case syntax.Fallthrough: // ;&
			fallthru = true
			continue
		case syntax.Resume: // ;;&
			fallthru = false
			continue
		}
		return
	}
}

// pipeline runs `a | b | c`: every member is a subshell running concurrently, joined by
// synchronous pipes; a member that stops reading closes its pipe so the writer ends as
// SIGPIPE would end it.
func (r *runner) pipeline(bc *syntax.BinaryCmd) {
	var stmts []*syntax.Stmt
	var ops []syntax.BinCmdOperator
	var flat func(st *syntax.Stmt, op syntax.BinCmdOperator)
	flat = func(st *syntax.Stmt, op syntax.BinCmdOperator) {
		if b, ok := st.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) && !st.Negated && len(st.Redirs) == 0 && !st.Background {
			flat(b.X, b.Op)
			flat(b.Y, op)
			return
		}
		stmts = append(stmts, st)
		ops = append(ops, op)
	}
	flat(bc.X, bc.Op)
	flat(bc.Y, 0)

	n := len(stmts)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	var prev *io.PipeReader
	forkFailed := false
	for i, st := range stmts {
		sub := r.subshell()
		var in *io.PipeReader
		if i > 0 {
			in = prev
			sub.fd[0] = &ofile{r: in, name: "pipe"}
		}
		var pw *io.PipeWriter
		if i < n-1 {
			pr, w := io.Pipe()
			pw = w
			r.b.track(pr)
			r.b.track(pw)
			f := &ofile{w: &pipeWriter{w: pw, b: r.b}, name: "pipe"}
			sub.fd[1] = f
			if ops[i] == syntax.PipeAll {
				sub.fd[2] = f
			}
			prev = pr
		}
		idx := i
		run := func() {
			defer func() {
				if p := recover(); p != nil {
					if r.sh.panicHook != nil {
						r.sh.panicHook(p)
					}
					r.sh.log().Error("shell: panic in pipeline member", "panic", p, "stack", string(debug.Stack()))
					statuses[idx] = 2
				}
				if pw != nil {
					pw.Close()
				}
				if in != nil {
					in.CloseWithError(io.ErrClosedPipe)
				}
			}()
			if !sub.enter("") {
				statuses[idx] = 1
				return
			}
			sub.stmt(st)
			statuses[idx] = sub.status
			sub.closeFiles(sub.execFiles)
		}
		if i == n-1 {
			run()
			break
		}
		if forkFailed || r.b.procs.Add(1) > int64(r.sh.lim.MaxProcs) {
			if !forkFailed {
				r.b.procs.Add(-1)
			}
			forkFailed = true
			r.forkFail()
			statuses[idx] = 254
			if pw != nil {
				pw.Close()
			}
			if in != nil {
				in.CloseWithError(io.ErrClosedPipe)
			}
			continue
		}
		r.b.forked.Store(true)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.b.procs.Add(-1)
			run()
		}()
	}
	wg.Wait()
	r.pipeStatus = statuses
	status := statuses[n-1]
	if r.opts.pipefail {
		for _, s := range statuses {
			if s != 0 {
				status = s
			}
		}
	}
	r.status = status
}

// abortLine ends what runs after a fatal expansion or assignment error: a non-interactive
// shell exits, an interactive one drops the rest of the command line.
func (r *runner) abortLine(status int) {
	r.status = status
	if r.interactive && r.subLevel == 0 {
		r.discard = true
		return
	}
	r.exit = true
}

// forkFail reports a failed fork as bash does when RLIMIT_NPROC is hit, and cuts the line.
func (r *runner) forkFail() {
	r.b.sayOnce("fork", func() {
		if !r.startup {
			// sys_error: the shell's name, no line number
			io.WriteString(r.stderr(), r.arg0+": fork: retry: Resource temporarily unavailable\n")
		}
	})
	r.b.fail(errFork)
}

// nodeText is the source text of a node, for job lines and error messages.
func (r *runner) nodeText(n syntax.Node) string {
	if n == nil {
		return ""
	}
	if r.src != nil {
		a, b := int(n.Pos().Offset()), int(n.End().Offset())
		if n.Pos().IsValid() && a >= 0 && b <= len(r.src.text) && a <= b {
			return r.src.text[a:b]
		}
	}
	var sb strings.Builder
	syntax.NewPrinter(syntax.SingleLine(true)).Print(&sb, n)
	return sb.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}
