package shell

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// callExpr runs a simple command: assignments, alias expansion, word expansion, lookup.
func (r *runner) callExpr(ce *syntax.CallExpr) {
	args := ce.Args
	if len(args) > 0 && r.opts.shopt["expand_aliases"] {
		if done := r.aliasCall(ce); done {
			return
		}
	}
	r.lastSubst = -1
	fields, err := r.fields(args...)
	if err != nil {
		r.expandFail(err)
		return
	}
	if len(fields) == 0 {
		// Only assignments (or words that expanded to nothing): they change the shell.
		for _, as := range ce.Assigns {
			if !r.assign(as, assignShell) {
				return
			}
		}
		if r.opts.xtrace && len(ce.Assigns) > 0 {
			r.trace(assignTrace(r, ce.Assigns))
		}
		if r.lastSubst >= 0 {
			r.status = r.lastSubst
		} else {
			r.status = 0
		}
		return
	}
	if len(ce.Assigns) > 0 {
		// Assignments before a command apply to that command only.
		r.vars.pushScope()
		defer r.vars.popScope()
		for _, as := range ce.Assigns {
			if !r.assign(as, assignTemp) {
				return
			}
		}
	}
	if r.opts.xtrace {
		r.trace(fields)
	}
	r.execNoFork = ce == r.noFork && len(r.traps) == 0
	r.call(fields)
	r.execNoFork = false
	r.lastArg = fields[len(fields)-1]
}

// trace prints a `set -x` line.
func (r *runner) trace(fields []string) {
	ps4, _ := r.expandString(r.getVar("PS4"))
	q := make([]string, len(fields))
	for i, f := range fields {
		q[i] = traceQuote(f)
	}
	io.WriteString(r.stderr(), ps4+strings.Join(q, " ")+"\n")
}

func assignTrace(r *runner, as []*syntax.Assign) []string {
	var out []string
	for _, a := range as {
		if a.Name != nil {
			v := r.getVar(a.Name.Value)
			out = append(out, a.Name.Value+"="+traceQuote(v))
		}
	}
	return out
}

func traceQuote(s string) string {
	if s == "" {
		return "''"
	}
	q := shellQuote(s)
	return q
}

// call runs an expanded command: function, builtin or program.
func (r *runner) call(fields []string) {
	name := fields[0]
	nofork := r.execNoFork
	r.execNoFork = false // only a program is exec'd in place
	if fn, ok := r.funcs[name]; ok {
		r.callFunc(name, fn, fields[1:])
		return
	}
	if bi, ok := r.sh.builtins[name]; ok && !r.disabled(name) {
		r.status = bi(r, fields)
		if r.sigpipe {
			r.status = 141
		}
		return
	}
	r.execNoFork = nofork
	r.exec(fields)
	r.execNoFork = false
}

func (r *runner) disabled(name string) bool {
	return r.opts.shopt["-disabled-"+name]
}

// callFunc runs a shell function with its own positional parameters and local scope.
func (r *runner) callFunc(name string, fn *funcDef, args []string) {
	if !r.enter(name) {
		return
	}
	r.depth++
	r.funcDepth++
	r.funcNames = append([]string{name}, r.funcNames...)
	oldParams, oldSrc, oldLine, oldLoops := r.params, r.src, r.line, r.loops
	r.params = args
	r.src = fn.src
	r.loops = 0
	r.vars.pushScope()
	r.stmt(fn.body)
	r.vars.popScope()
	r.params, r.src, r.line, r.loops = oldParams, oldSrc, oldLine, oldLoops
	r.funcNames = r.funcNames[1:]
	r.funcDepth--
	r.depth--
	r.ret = false
	r.brk, r.cont = 0, 0
}

// exec runs a program: a path, or a name searched in PATH, in the vfs only.
func (r *runner) exec(fields []string) {
	name := fields[0]
	var full string
	if strings.Contains(name, "/") {
		full = r.abs(name)
		m, err := r.fs().Stat(full)
		switch {
		case err != nil:
			r.errf("%s: %s\n", name, errText(err))
			r.status = 127
			if !isNotExist(err) {
				r.status = 126
			}
			return
		case m.Mode.IsDir():
			r.errf("%s: Is a directory\n", name)
			r.status = 126
			return
		case !r.canExec(m):
			r.errf("%s: Permission denied\n", name)
			r.status = 126
			return
		}
	} else {
		p, denied := r.lookPath(name)
		if p == "" {
			if denied != "" {
				r.errf("%s: Permission denied\n", denied)
				r.status = 126
				return
			}
			r.notFound(fields)
			return
		}
		full = p
		if e := r.hash[name]; e != nil && e.path == p {
			e.hits++
		} else if r.opts.hashall {
			r.hash[name] = &hashEntry{path: p, hits: 1}
		}
	}
	r.runProgram(full, fields)
}

// notFound handles a command that exists nowhere: bash's message, status 127, an event.
func (r *runner) notFound(fields []string) {
	if fn, ok := r.funcs["command_not_found_handle"]; ok && !r.startup {
		sub := r.subshell()
		sub.callFunc("command_not_found_handle", fn, fields)
		r.status = sub.status
		return
	}
	r.errf("%s: command not found\n", fields[0])
	r.status = 127
	if r.startup {
		return
	}
	if s := r.sh.cfg.Session; s != nil && s.Sink != nil {
		input := strings.Join(fields, " ")
		s.Sink.Event(event.CommandFailed, "Command not found: "+input, map[string]any{"input": input})
	}
}

// lookPath searches PATH in the vfs for an executable regular file. denied names a file
// that was found but is not executable (bash then says "Permission denied").
func (r *runner) lookPath(name string) (found, denied string) {
	if e := r.hash[name]; e != nil {
		if m, err := r.fs().Stat(e.path); err == nil && m.Mode.IsRegular() && r.canExec(m) {
			return e.path, ""
		}
		delete(r.hash, name)
	}
	for _, p := range r.pathCandidates(name) {
		m, err := r.fs().Stat(r.abs(p))
		if err != nil || !m.Mode.IsRegular() {
			continue
		}
		if r.canExec(m) {
			return p, ""
		}
		if denied == "" {
			denied = p
		}
	}
	return "", denied
}

// pathCandidates lists dir/name for every PATH entry, in order.
func (r *runner) pathCandidates(name string) []string {
	pathVar := r.getVar("PATH")
	var out []string
	for _, dir := range strings.Split(pathVar, ":") {
		if dir == "" {
			dir = "."
		}
		if dir == "." {
			out = append(out, "./"+name)
			continue
		}
		out = append(out, strings.TrimSuffix(dir, "/")+"/"+name)
	}
	return out
}

// builtinBinaries are builtins that also exist as programs: run by path, the builtin code
// answers when the registry has no emulation of its own.
func builtinBinary(name string) bool {
	switch name {
	case "echo", "printf", "test", "[", "true", "false", "pwd", "kill":
		return true
	}
	return false
}

// runProgram runs the file at full (absolute or as found in PATH), invoked as fields[0].
func (r *runner) runProgram(full string, fields []string) {
	abs := r.abs(full)
	base := path.Base(fields[0])
	reg := r.sh.cfg.Commands
	if reg != nil && !r.startup {
		if f, ok := reg.Lookup(base); ok {
			r.runFunc(f, abs, fields)
			return
		}
		if real, err := r.fs().Realpath(abs); err == nil && path.Base(real) != base {
			if f, ok := reg.Lookup(path.Base(real)); ok {
				r.runFunc(f, abs, fields)
				return
			}
		}
	}
	if builtinBinary(base) {
		r.status = r.sh.builtins[base](r, fields)
		return
	}
	if r.startup {
		r.startupProgram(base, fields)
		return
	}
	data, err := r.fs().ReadFile(abs)
	if err != nil {
		r.errf("%s: %s\n", fields[0], errText(err))
		r.status = 126
		return
	}
	head := data
	if len(head) > 128 {
		head = head[:128]
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		r.runBinary(abs, fields)
	case bytes.HasPrefix(data, []byte("#!")):
		r.runShebang(abs, fields, data)
	case bytes.IndexByte(head, 0) >= 0:
		r.errf("%s: cannot execute binary file: Exec format error\n", fields[0])
		r.status = 126
	default:
		r.runScript(abs, fields, data)
	}
}

// runShebang runs a script with an interpreter line: shells run here, other interpreters
// through the registry or the fallback.
func (r *runner) runShebang(abs string, fields []string, data []byte) {
	line, _, _ := bytes.Cut(data[2:], []byte("\n"))
	parts := strings.Fields(strings.TrimSpace(string(line)))
	if len(parts) == 0 {
		r.runScript(abs, fields, data)
		return
	}
	interp := parts[0]
	iargs := parts[1:]
	if path.Base(interp) == "env" && len(iargs) > 0 {
		found, _ := r.lookPath(iargs[0])
		if found == "" {
			r.errf("%s: cannot execute: required file not found\n", fields[0])
			r.status = 127
			return
		}
		interp, iargs = found, iargs[1:]
	} else if m, err := r.fs().Stat(interp); err != nil || !m.Mode.IsRegular() {
		r.errf("%s: cannot execute: required file not found\n", fields[0])
		r.status = 127
		return
	}
	switch path.Base(interp) {
	case "sh", "bash", "dash", "rbash":
		r.runScript(abs, fields, data)
		return
	}
	argv := append([]string{interp}, iargs...)
	argv = append(argv, fields[0])
	argv = append(argv, fields[1:]...)
	if reg := r.sh.cfg.Commands; reg != nil {
		if f, ok := reg.Lookup(path.Base(interp)); ok {
			r.runFunc(f, interp, argv)
			return
		}
	}
	r.runBinary(interp, argv)
}

// runBinary answers an executable without emulation. A binary of the persona goes to the
// Responder (cache, LLM, fallback); an attacker's upload prints nothing and succeeds, as
// malware that daemonises does.
func (r *runner) runBinary(abs string, fields []string) {
	if r.sh.cfg.Responder != nil && r.isPersonaFile(abs) {
		r.respond(abs, fields, "", false)
		return
	}
	r.status = 0
}

// isPersonaFile reports whether abs is still the persona's own file (not replaced in the
// overlay).
func (r *runner) isPersonaFile(abs string) bool {
	p := r.sh.cfg.Persona
	if p == nil || p.Image == nil {
		return false
	}
	real, err := r.fs().Realpath(abs)
	if err != nil {
		return false
	}
	im, ok := p.Image.Lstat(real)
	if !ok {
		return false
	}
	m, err := r.fs().Lstat(real)
	return err == nil && m.Size == im.Size && m.MTime.Equal(im.MTime)
}

// runScript runs a shell script in a new bash process.
func (r *runner) runScript(abs string, fields []string, data []byte) {
	if !r.enter("") {
		return
	}
	c := r.fresh(fields[0], append([]string(nil), fields[1:]...), nil)
	if r.execNoFork {
		c.lowerSHLVL()
	}
	c.setVarQuiet("_", abs)
	c.runSource(string(data), fields[0], srcFile)
	c.runExitTrap()
	c.closeFiles(c.execFiles)
	r.status = c.status
}

// runFunc runs an emulated program.
func (r *runner) runFunc(f commands.Func, abs string, fields []string) {
	env := r.vars.exported()
	env["_"] = abs
	if lvl, err := strconv.Atoi(env["SHLVL"]); err == nil && r.execNoFork {
		env["SHLVL"] = itoa(lvl - 1)
	}
	out := r.stdout()
	pw, _ := out.(*pipeWriter)
	p := &commands.Proc{
		Ctx:       r.b.ctx,
		Args:      append([]string(nil), fields...),
		Stdin:     r.stdin(),
		Stdout:    out,
		Stderr:    r.stderr(),
		StdoutTTY: r.fd[1] != nil && r.fd[1].term && r.sh.cfg.TTY,
		Columns:   r.sh.cols,
		FS:        r.sh.cfg.FS,
		Dir:       r.dir,
		Env:       env,
		Persona:   r.sh.cfg.Persona,
		User:      r.sh.cfg.User,
		Session:   r.sh.cfg.Session,
		Umask:     fs.FileMode(r.umask),
		Sub:       r.subFunc(),
	}
	status := func() (st int) {
		defer func() {
			if x := recover(); x != nil {
				r.sh.log().Error("shell: emulated command panicked", "command", fields[0], "panic", x)
				st = 139
				io.WriteString(r.stderr(), "Segmentation fault\n")
			}
		}()
		return f(p)
	}()
	if pw != nil && pw.broken.Load() {
		status = 141 // killed by SIGPIPE
	}
	r.status = status & 0xff
}

// subFunc gives programs (bash -c, sh script, xargs, find -exec) a way to run shell code in
// a new bash process of this shell.
func (r *runner) subFunc() func(ctx context.Context, script string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return func(ctx context.Context, script string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		arg0 := "bash"
		var params []string
		if len(args) > 0 {
			arg0, params = args[0], append([]string(nil), args[1:]...)
		}
		if !r.enter("") {
			return 1
		}
		c := r.fresh(arg0, params, nil)
		if stdin == nil {
			stdin = strings.NewReader("")
		}
		c.fd[0] = &ofile{r: stdin}
		c.fd[1] = &ofile{w: stdout, term: stdout == r.outTerm}
		c.fd[2] = &ofile{w: stderr, term: stderr == r.errTerm}
		if stdout == nil {
			c.fd[1] = &ofile{w: io.Discard}
		}
		if stderr == nil {
			c.fd[2] = &ofile{w: io.Discard}
		}
		st := c.runSource(script, arg0, srcTop)
		c.runExitTrap()
		c.closeFiles(c.execFiles)
		return st
	}
}

// canExec reports whether the user may execute a file with meta m.
func (r *runner) canExec(m vfs.Meta) bool {
	if m.Mode.IsDir() {
		return r.canAccess(m, 1)
	}
	if r.sh.cfg.User.UID == 0 {
		return m.Mode.Perm()&0o111 != 0
	}
	return r.canAccess(m, 1)
}

// canAccess checks rwx bits (4, 2, 1) for the logged-in user, as access(2) does.
func (r *runner) canAccess(m vfs.Meta, want fs.FileMode) bool {
	u := r.sh.cfg.User
	if u.UID == 0 {
		if want&1 != 0 && !m.Mode.IsDir() {
			return m.Mode.Perm()&0o111 != 0
		}
		return true
	}
	perm := m.Mode.Perm()
	switch {
	case int(m.UID) == u.UID:
		return (perm>>6)&want == want
	case int(m.GID) == u.GID:
		return (perm>>3)&want == want
	}
	return perm&want == want
}

// fs is the session's filesystem.
func (r *runner) fs() *vfs.FS { return r.sh.cfg.FS }

// abs resolves p against the working directory.
func (r *runner) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(r.dir, p)
}

// assignment kinds
const (
	assignShell = iota // `a=1`: the shell's variable
	assignTemp         // `a=1 cmd`: exported, for cmd only
	assignDecl         // declare/local/export arguments
)

// assign evaluates one assignment. It reports false (with $? set) when it failed.
func (r *runner) assign(as *syntax.Assign, kind int) bool {
	name := as.Name.Value
	prev, _ := r.vars.get(name)
	if prev.ReadOnly {
		r.errf("%s: readonly variable\n", name)
		r.status = 1
		if kind == assignShell {
			// an assignment error ends a non-interactive shell
			r.abortLine(1)
		}
		return false
	}
	var e varEntry
	var err error
	switch {
	case as.Array != nil:
		e, err = r.arrayValue(name, prev, as)
	case as.Index != nil:
		e, err = r.elemValue(name, prev, as)
	default:
		var val string
		if as.Value != nil {
			val, err = r.literal(as.Value)
		}
		if err == nil {
			e, err = r.scalarValue(name, prev, val, as.Append)
		}
	}
	if err != nil {
		r.assignFail(name, err)
		if r.b.ctx.Err() == nil {
			r.abortLine(1)
		}
		return false
	}
	e.Set = true
	if kind == assignTemp {
		e.Exported = true
		err = r.vars.put(len(r.vars.scopes)-1, name, e)
	} else {
		if r.opts.allexport {
			e.Exported = true
		}
		err = r.vars.setEntry(name, e)
	}
	if err != nil {
		r.assignFail(name, err)
		return false
	}
	return true
}

// scalarValue computes name=val (or name+=val) with the variable's attributes applied.
func (r *runner) scalarValue(name string, prev varEntry, val string, app bool) (varEntry, error) {
	e := prev
	if prev.integer {
		n, err := r.evalArith(val)
		if err != nil {
			return e, err
		}
		if app {
			old, _ := r.evalArith(prev.String())
			n += old
		}
		val = itoa64(n)
		app = false
	}
	if prev.lower {
		val = strings.ToLower(val)
	} else if prev.upper {
		val = strings.ToUpper(val)
	}
	switch prev.Kind {
	case expand.Indexed:
		// name=val sets element 0
		old, _ := indexedGet(prev.List, prev.Indexes, 0)
		if app {
			val = old + val
		}
		e.List, e.Indexes = indexedSet(prev.List, prev.Indexes, 0, val)
		return e, nil
	case expand.Associative:
		if e.Map == nil {
			e.Map = map[string]string{}
		} else {
			e.Map = cloneMap(e.Map)
		}
		if app {
			val = e.Map["0"] + val
		}
		e.Map["0"] = val
		return e, nil
	case expand.NameRef:
		e.Str = val
		return e, nil
	}
	if app && prev.Set {
		val = prev.Str + val
	}
	e.Kind = expand.String
	e.Str = val
	e.List, e.Map, e.Indexes = nil, nil, nil
	return e, nil
}

func cloneMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// elemValue computes name[index]=val.
func (r *runner) elemValue(name string, prev varEntry, as *syntax.Assign) (varEntry, error) {
	e := prev
	val := ""
	if as.Value != nil {
		v, err := r.literal(as.Value)
		if err != nil {
			return e, err
		}
		val = v
	}
	if prev.Kind == expand.Associative {
		key, err := r.assocKey(as.Index)
		if err != nil {
			return e, err
		}
		e.Map = cloneMap(prev.Map)
		if as.Append {
			val = e.Map[key] + val
		}
		e.Map[key] = val
		return e, nil
	}
	i, err := r.indexValue(as.Index)
	if err != nil {
		return e, err
	}
	list, idx := prev.List, prev.Indexes
	if prev.Kind == expand.String || (prev.Kind == expand.Unknown && prev.Set) {
		list, idx = []string{prev.Str}, nil
	} else if prev.Kind != expand.Indexed {
		list, idx = nil, nil
	}
	if i < 0 {
		i += int64(indexedMax(list, idx)) + 1
		if i < 0 {
			return e, shellErr(name + "[" + r.nodeText(as.Index) + "]: bad array subscript")
		}
	}
	if as.Append {
		old, _ := indexedGet(list, idx, int(i))
		val = old + val
	}
	if prev.integer {
		n, err := r.evalArith(val)
		if err != nil {
			return e, err
		}
		val = itoa64(n)
	}
	if i > 1<<24 {
		// sparse arrays are cheap, but keep indexes sane
		if len(list) > 1<<16 {
			return e, &errVarLimit{want: i}
		}
	}
	e.Kind = expand.Indexed
	e.Str = ""
	e.List, e.Indexes = indexedSet(list, idx, int(i), val)
	return e, nil
}

// arrayValue computes name=(...) or name+=(...).
func (r *runner) arrayValue(name string, prev varEntry, as *syntax.Assign) (varEntry, error) {
	e := prev
	if prev.Kind == expand.Associative {
		m := map[string]string{}
		if as.Append && prev.Map != nil {
			m = cloneMap(prev.Map)
		}
		for _, el := range as.Array.Elems {
			if el.Index == nil {
				// bash 5.2: `declare -A a=(k v)` pairs keys and values
				continue
			}
			k, err := r.assocKey(el.Index)
			if err != nil {
				return e, err
			}
			v := ""
			if el.Value != nil {
				if v, err = r.literal(el.Value); err != nil {
					return e, err
				}
			}
			m[k] = v
		}
		e.Map = m
		return e, nil
	}
	var list []string
	var idx []int
	if as.Append {
		switch prev.Kind {
		case expand.Indexed:
			list, idx = prev.List, prev.Indexes
		case expand.String:
			list = []string{prev.Str}
		}
	}
	next := indexedMax(list, idx) + 1
	if list == nil {
		list = []string{}
	}
	for _, el := range as.Array.Elems {
		if el.Index != nil {
			i, err := r.indexValue(el.Index)
			if err != nil {
				return e, err
			}
			v := ""
			if el.Value != nil {
				if v, err = r.literal(el.Value); err != nil {
					return e, err
				}
			}
			list, idx = indexedSet(list, idx, int(i), v)
			next = int(i) + 1
			continue
		}
		vals, err := r.fields(el.Value)
		if err != nil {
			return e, err
		}
		for _, v := range vals {
			list, idx = indexedSet(list, idx, next, v)
			next++
		}
	}
	e.Kind = expand.Indexed
	e.Str = ""
	e.List, e.Indexes = list, idx
	return e, nil
}

// assocKey expands an associative array subscript.
func (r *runner) assocKey(idx syntax.ArithmExpr) (string, error) {
	if w, ok := idx.(*syntax.Word); ok {
		return r.literal(w)
	}
	return r.nodeText(idx), nil
}

// indexValue evaluates an indexed array subscript as arithmetic.
func (r *runner) indexValue(idx syntax.ArithmExpr) (int64, error) {
	return r.evalArith(r.nodeText(idx))
}

// assignFail reports a failed assignment.
func (r *runner) assignFail(name string, err error) {
	r.status = 1
	var vl *errVarLimit
	switch {
	case errorsAs(err, &vl):
		r.memFail(vl.want)
	case err == errReadOnly:
		r.errf("%s: readonly variable\n", name)
	default:
		r.expandFail(err)
	}
}

// memFail reports exhausted variable memory as bash's xmalloc does, and cuts the line.
func (r *runner) memFail(want int64) {
	r.b.sayOnce("mem", func() {
		r.errf("xrealloc: cannot allocate %d bytes\n", roundAlloc(want))
	})
	r.b.fail(errVarMem)
}

func roundAlloc(n int64) int64 {
	p := int64(64)
	for p < n && p < 1<<40 {
		p <<= 1
	}
	return p
}
