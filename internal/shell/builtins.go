package shell

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// builtinFunc is a shell builtin: it gets the expanded words and returns the status.
type builtinFunc func(r *runner, args []string) int

// newBuiltins builds the builtin table (bash 5.2's set).
func newBuiltins() map[string]builtinFunc {
	m := map[string]builtinFunc{
		":":         func(*runner, []string) int { return 0 },
		"true":      func(*runner, []string) int { return 0 },
		"false":     func(*runner, []string) int { return 1 },
		"echo":      echoBuiltin,
		"printf":    printfBuiltin,
		"test":      testBuiltin,
		"[":         testBuiltin,
		"cd":        cdBuiltin,
		"pwd":       pwdBuiltin,
		"exit":      exitBuiltin,
		"logout":    exitBuiltin,
		"return":    returnBuiltin,
		"break":     loopCtlBuiltin,
		"continue":  loopCtlBuiltin,
		"shift":     shiftBuiltin,
		"set":       setBuiltin,
		"unset":     unsetBuiltin,
		"export":    declBuiltin,
		"readonly":  declBuiltin,
		"declare":   declBuiltin,
		"typeset":   declBuiltin,
		"local":     declBuiltin,
		"eval":      evalBuiltin,
		"source":    sourceBuiltin,
		".":         sourceBuiltin,
		"exec":      execBuiltin,
		"read":      readBuiltin,
		"type":      typeBuiltin,
		"command":   commandBuiltin,
		"hash":      hashBuiltin,
		"alias":     aliasBuiltin,
		"unalias":   unaliasBuiltin,
		"history":   historyBuiltin,
		"fc":        fcBuiltin,
		"umask":     umaskBuiltin,
		"kill":      killBuiltin,
		"wait":      func(*runner, []string) int { return 0 },
		"trap":      trapBuiltin,
		"times":     timesBuiltin,
		"jobs":      func(*runner, []string) int { return 0 },
		"shopt":     shoptBuiltin,
		"getopts":   getoptsBuiltin,
		"builtin":   builtinBuiltin,
		"enable":    enableBuiltin,
		"let":       letBuiltin,
		"help":      helpBuiltin,
		"ulimit":    ulimitBuiltin,
		"dirs":      dirsBuiltin,
		"pushd":     pushdBuiltin,
		"popd":      popdBuiltin,
		"mapfile":   mapfileBuiltin,
		"readarray": mapfileBuiltin,
		"disown":    func(*runner, []string) int { return 0 },
		"bg":        jobCtlBuiltin,
		"fg":        jobCtlBuiltin,
		"suspend": func(r *runner, _ []string) int {
			if r.interactive {
				r.errf("suspend: cannot suspend a login shell\n")
				return 1
			}
			return 0
		},
		"caller":   func(r *runner, _ []string) int { return 1 },
		"compgen":  compgenBuiltin,
		"complete": func(*runner, []string) int { return 0 },
		"compopt":  func(*runner, []string) int { return 0 },
		"bind":     func(*runner, []string) int { return 0 },
	}
	return m
}

// builtinNames lists the builtins, sorted as `enable` prints them.
func builtinNames(m map[string]builtinFunc) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// keywords are bash's reserved words (for type and completion).
func isKeyword(s string) bool {
	switch s {
	case "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until",
		"do", "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc":
		return true
	}
	return false
}

func echoBuiltin(r *runner, args []string) int {
	args = args[1:]
	newline, escapes := true, false
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' || strings.Trim(a[1:], "neE") != "" {
			break
		}
		for _, c := range a[1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	stop := false
	if escapes {
		s, stop = echoEscapes(s, true)
	}
	if newline && !stop {
		s += "\n"
	}
	_, err := io.WriteString(r.stdout(), s)
	if !r.writeErr(err, "echo") {
		return 1
	}
	return 0
}

func cdBuiltin(r *runner, args []string) int {
	args = args[1:]
	physical := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		for _, c := range args[0][1:] {
			switch c {
			case 'P':
				physical = true
			case 'L', 'e', '@':
			default:
				r.errf("cd: -%c: invalid option\n", c)
				r.usage("cd: usage: cd [-L|[-P [-e]] [-@]] [dir]\n")
				return 2
			}
		}
		args = args[1:]
	}
	if len(args) > 1 {
		r.errf("cd: too many arguments\n")
		return 1
	}
	var target string
	print := false
	switch {
	case len(args) == 0:
		target = r.getVar("HOME")
		if target == "" {
			r.errf("cd: HOME not set\n")
			return 1
		}
	case args[0] == "-":
		v, ok := r.vars.get("OLDPWD")
		if !ok || !v.Set {
			r.errf("cd: OLDPWD not set\n")
			return 1
		}
		target = v.Str
		print = true
	default:
		target = args[0]
	}
	if target == "" {
		return 0
	}
	abs := r.abs(target)
	m, err := r.fs().Stat(abs)
	if err != nil {
		r.errf("cd: %s: %s\n", target, errText(err))
		return 1
	}
	if !m.Mode.IsDir() {
		r.errf("cd: %s: Not a directory\n", target)
		return 1
	}
	if !r.canAccess(m, 1) {
		r.errf("cd: %s: Permission denied\n", target)
		return 1
	}
	if physical {
		if real, err := r.fs().Realpath(abs); err == nil {
			abs = real
		}
	}
	old := r.dir
	r.dir = abs
	r.setVarQuiet("OLDPWD", old)
	r.setVarQuiet("PWD", abs)
	if print {
		r.out(abs + "\n")
	}
	return 0
}

func pwdBuiltin(r *runner, args []string) int {
	d := r.dir
	for _, a := range args[1:] {
		switch a {
		case "-P":
			if real, err := r.fs().Realpath(d); err == nil {
				d = real
			}
		case "-L":
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				r.errf("pwd: %s: invalid option\n", optHead(a))
				r.usage("pwd: usage: pwd [-LP]\n")
				return 2
			}
		}
	}
	_, err := io.WriteString(r.stdout(), d+"\n")
	if !r.writeErr(err, "pwd") {
		return 1
	}
	return 0
}

func exitBuiltin(r *runner, args []string) int {
	if args[0] == "logout" && !r.interactive {
		r.errf("logout: not login shell: use `exit'\n")
		return 1
	}
	code := r.status
	if len(args) > 1 {
		a := strings.TrimSpace(args[1])
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			r.errf("%s: %s: numeric argument required\n", args[0], args[1])
			code = 2
		} else {
			if len(args) > 2 {
				r.errf("%s: too many arguments\n", args[0])
				return 1
			}
			code = int(n & 0xff)
		}
	}
	if r.interactive && r.subLevel == 0 && r.funcDepth == 0 || r.interactive && r.subLevel == 0 {
		io.WriteString(r.stderr(), "logout\n")
	}
	r.exit = true
	r.status = code
	return code
}

func returnBuiltin(r *runner, args []string) int {
	if r.funcDepth == 0 && r.srcDepth == 0 {
		r.errf("return: can only `return' from a function or sourced script\n")
		return 2
	}
	code := r.status
	if len(args) > 1 {
		n, err := strconv.ParseInt(strings.TrimSpace(args[1]), 10, 64)
		if err != nil {
			r.errf("return: %s: numeric argument required\n", args[1])
			code = 2
		} else {
			code = int(n & 0xff)
		}
	}
	r.ret = true
	r.status = code
	return code
}

func loopCtlBuiltin(r *runner, args []string) int {
	n := 1
	if len(args) > 1 {
		v, err := strconv.Atoi(args[1])
		if err != nil {
			r.errf("%s: %s: numeric argument required\n", args[0], args[1])
			return 128
		}
		if v < 1 {
			r.errf("%s: %s: loop count out of range\n", args[0], args[1])
			return 1
		}
		n = v
	}
	if r.loops == 0 {
		r.errf("%s: only meaningful in a `for', `while', or `until' loop\n", args[0])
		return 0
	}
	if n > r.loops {
		n = r.loops
	}
	if args[0] == "break" {
		r.brk = n
	} else {
		r.cont = n
	}
	return 0
}

func shiftBuiltin(r *runner, args []string) int {
	n := 1
	if len(args) > 1 {
		v, err := strconv.Atoi(args[1])
		if err != nil {
			r.errf("shift: %s: numeric argument required\n", args[1])
			return 1
		}
		if v < 0 {
			r.errf("shift: %s: shift count out of range\n", args[1])
			return 1
		}
		n = v
	}
	if n > len(r.params) {
		return 1
	}
	r.params = r.params[n:]
	return 0
}

// optionTable lists `set -o` options in bash's order.
var setOptionNames = []string{"allexport", "braceexpand", "emacs", "errexit", "errtrace", "functrace",
	"hashall", "histexpand", "history", "ignoreeof", "interactive-comments", "keyword", "monitor",
	"noclobber", "noexec", "noglob", "nolog", "notify", "nounset", "onecmd", "physical", "pipefail",
	"posix", "privileged", "verbose", "vi", "xtrace"}

// optionValue returns a `set -o` option.
func (r *runner) optionValue(name string) (bool, bool) {
	o := &r.opts
	switch name {
	case "allexport":
		return o.allexport, true
	case "braceexpand":
		return o.braceexpand, true
	case "emacs":
		return o.emacs, true
	case "errexit":
		return o.errexit, true
	case "hashall":
		return o.hashall, true
	case "histexpand":
		return o.histexpand, true
	case "history":
		return o.history, true
	case "interactive-comments":
		return true, true
	case "monitor":
		return o.monitor, true
	case "noclobber":
		return o.noclobber, true
	case "noglob":
		return o.noglob, true
	case "nounset":
		return o.nounset, true
	case "pipefail":
		return o.pipefail, true
	case "verbose":
		return o.verbose, true
	case "xtrace":
		return o.xtrace, true
	}
	for _, n := range setOptionNames {
		if n == name {
			return o.shopt["-o-"+name], true
		}
	}
	return false, false
}

func (r *runner) setOption(name string, on bool) bool {
	o := &r.opts
	switch name {
	case "allexport":
		o.allexport = on
	case "braceexpand":
		o.braceexpand = on
	case "emacs":
		o.emacs = on
		if on {
			o.shopt["-o-vi"] = false
		}
	case "vi":
		o.shopt["-o-vi"] = on
		if on {
			o.emacs = false
		}
	case "errexit":
		o.errexit = on
	case "hashall":
		o.hashall = on
	case "histexpand":
		o.histexpand = on
	case "history":
		o.history = on
	case "monitor":
		o.monitor = on
	case "noclobber":
		o.noclobber = on
	case "noglob":
		o.noglob = on
	case "nounset":
		o.nounset = on
	case "pipefail":
		o.pipefail = on
	case "verbose":
		o.verbose = on
	case "xtrace":
		o.xtrace = on
	case "interactive-comments":
	default:
		for _, n := range setOptionNames {
			if n == name {
				o.shopt["-o-"+name] = on
				return true
			}
		}
		return false
	}
	return true
}

// setFlagName maps set's one-letter flags to option names.
func setFlagName(c byte) (string, bool) {
	n, ok := map[byte]string{'a': "allexport", 'B': "braceexpand", 'e': "errexit", 'E': "errtrace",
		'f': "noglob", 'h': "hashall", 'H': "histexpand", 'k': "keyword", 'm': "monitor", 'C': "noclobber",
		'n': "noexec", 'b': "notify", 'u': "nounset", 't': "onecmd", 'P': "physical", 'p': "privileged",
		'T': "functrace", 'v': "verbose", 'x': "xtrace"}[c]
	return n, ok
}

func setBuiltin(r *runner, args []string) int {
	args = args[1:]
	if len(args) == 0 {
		r.setList(true)
		return 0
	}
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			r.params = append([]string{}, args[1:]...)
			return 0
		}
		if a == "-" {
			r.opts.xtrace, r.opts.verbose = false, false
			args = args[1:]
			break
		}
		if len(a) < 2 || (a[0] != '-' && a[0] != '+') {
			break
		}
		on := a[0] == '-'
		if a[1:] == "o" {
			if len(args) < 2 {
				r.printSetO(on)
				return 0
			}
			if !r.setOption(args[1], on) {
				r.errf("set: %s: invalid option name\n", args[1])
				return 1
			}
			args = args[2:]
			continue
		}
		for i := 1; i < len(a); i++ {
			name, ok := setFlagName(a[i])
			if !ok {
				r.errf("set: %c%c: invalid option\n", a[0], a[i])
				r.usage("set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]\n")
				return 2
			}
			r.setOption(name, on)
		}
		args = args[1:]
	}
	if len(args) > 0 {
		r.params = append([]string{}, args...)
	}
	return 0
}

func (r *runner) printSetO(human bool) {
	var b strings.Builder
	for _, n := range setOptionNames {
		on, _ := r.optionValue(n)
		if human {
			st := "off"
			if on {
				st = "on"
			}
			b.WriteString(fmt.Sprintf("%-15s\t%s\n", n, st))
		} else {
			sign := "+"
			if on {
				sign = "-"
			}
			b.WriteString("set " + sign + "o " + n + "\n")
		}
	}
	r.out(b.String())
}

func unsetBuiltin(r *runner, args []string) int {
	args = args[1:]
	mode := ""
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-":
			args = args[1:]
			goto names
		case "-f", "-v", "-n":
			mode = args[0]
		case "--":
			args = args[1:]
			goto names
		default:
			r.errf("unset: %s: invalid option\n", optHead(args[0]))
			r.usage("unset: usage: unset [-f] [-v] [-n] [name ...]\n")
			return 2
		}
		args = args[1:]
	}
names:
	status := 0
	for _, n := range args {
		if mode == "-f" {
			delete(r.funcs, n)
			continue
		}
		name, sub, hasSub := strings.Cut(n, "[")
		if !validName(name) || (hasSub && !strings.HasSuffix(sub, "]")) {
			r.errf("unset: `%s': not a valid identifier\n", n)
			status = 1
			continue
		}
		if hasSub {
			sub = strings.TrimSuffix(sub, "]")
			v, ok := r.vars.get(name)
			if !ok {
				continue
			}
			if v.ReadOnly {
				r.errf("unset: %s: cannot unset: readonly variable\n", name)
				status = 1
				continue
			}
			switch v.Kind {
			case expand.Indexed:
				if sub == "@" || sub == "*" {
					r.vars.unset(name)
					continue
				}
				i, err := r.evalArith(sub)
				if err != nil {
					r.arithFail(err, "")
					status = 1
					continue
				}
				if i < 0 {
					i += int64(indexedMax(v.List, v.Indexes)) + 1
				}
				v.List, v.Indexes = indexedDelete(v.List, v.Indexes, int(i))
				r.vars.setEntry(name, v)
			case expand.Associative:
				k, _ := r.expandString(sub)
				v.Map = cloneMap(v.Map)
				delete(v.Map, k)
				r.vars.setEntry(name, v)
			default:
				if sub == "0" {
					r.vars.unset(name)
				}
			}
			continue
		}
		v, ok := r.vars.get(name)
		if ok && v.ReadOnly {
			r.errf("unset: %s: cannot unset: readonly variable\n", name)
			status = 1
			continue
		}
		if !ok && mode == "" {
			delete(r.funcs, name)
			continue
		}
		r.vars.unset(name)
	}
	return status
}

// declBuiltin runs declare and friends when called as words (builtin declare, command
// export): the arguments are already expanded, so they are passed on quoted.
func declBuiltin(r *runner, args []string) int {
	dc := &syntax.DeclClause{Variant: &syntax.Lit{Value: args[0]}}
	for _, a := range args[1:] {
		dc.Args = append(dc.Args, &syntax.Assign{Naked: true, Value: &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: a}}}})
	}
	r.declClause(dc)
	return r.status
}

func evalBuiltin(r *runner, args []string) int {
	src := strings.Join(args[1:], " ")
	if strings.TrimSpace(src) == "" {
		return 0
	}
	if !r.enter("") {
		return 1
	}
	r.depth++
	defer func() { r.depth-- }()
	r.runSource(src, r.src.name, srcEval)
	return r.status
}

func sourceBuiltin(r *runner, args []string) int {
	if len(args) < 2 {
		r.errf("%s: filename argument required\n", args[0])
		r.usage(args[0] + ": usage: " + args[0] + " filename [arguments]\n")
		return 2
	}
	name := args[1]
	file := name
	if !strings.Contains(name, "/") {
		// sourcepath: PATH first, then the working directory
		for _, p := range r.pathCandidates(name) {
			if m, err := r.fs().Stat(r.abs(p)); err == nil && m.Mode.IsRegular() {
				file = p
				break
			}
		}
	}
	abs := r.abs(file)
	m, err := r.fs().Stat(abs)
	if err != nil {
		r.errf("%s: %s\n", name, errText(err))
		return 1
	}
	if m.Mode.IsDir() {
		r.errf("%s: is a directory\n", name)
		return 1
	}
	if !r.canAccess(m, 4) {
		r.errf("%s: Permission denied\n", name)
		return 1
	}
	if r.startup && m.Size > 32<<10 {
		return 0 // completion scripts and the like: too big to parse for every login
	}
	data, err := r.fs().ReadFile(abs)
	if err != nil {
		r.errf("%s: %s\n", name, errText(err))
		return 1
	}
	if !r.enter("") {
		return 1
	}
	r.depth++
	r.srcDepth++
	oldParams := r.params
	if len(args) > 2 {
		r.params = append([]string(nil), args[2:]...)
	}
	r.status = 0
	r.runSource(string(data), name, srcFile)
	if len(args) > 2 {
		r.params = oldParams
	}
	r.srcDepth--
	r.depth--
	r.ret = false
	return r.status
}

func execBuiltin(r *runner, args []string) int {
	args = args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		if args[0] == "-a" && len(args) > 1 {
			args = args[2:]
			continue
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return 0
	}
	name := args[0]
	if r.interactive && r.subLevel == 0 && len(args) == 1 {
		switch path.Base(name) {
		case "bash", "sh", "dash", "su", "sudo":
			// a new interactive shell in place of this one: the session goes on as it was
			return 0
		}
	}
	if bi, ok := r.sh.builtins[name]; ok && !r.disabled(name) {
		r.status = bi(r, args)
	} else {
		r.exec(args)
		if r.status == 127 || r.status == 126 {
			if !r.interactive {
				r.exit = true
			}
			return r.status
		}
	}
	r.exit = true
	return r.status
}

func readBuiltin(r *runner, args []string) int {
	args = args[1:]
	raw, silent := false, false
	prompt, arrayName := "", ""
	delim := byte('\n')
	nchars := -1
	exact := false
	fd := 0
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		a := args[0]
		if a == "--" {
			args = args[1:]
			break
		}
		args = args[1:]
		for i := 1; i < len(a); i++ {
			c := a[i]
			needArg := strings.IndexByte("pantdNui", c) >= 0
			val := ""
			if needArg {
				if i+1 < len(a) {
					val = a[i+1:]
				} else if len(args) > 0 {
					val, args = args[0], args[1:]
				} else {
					r.errf("read: -%c: option requires an argument\n", c)
					r.usage("read: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n")
					return 2
				}
			}
			switch c {
			case 'r':
				raw = true
			case 's':
				silent = true
			case 'e':
			case 'p':
				prompt = val
			case 'a':
				arrayName = val
			case 'd':
				if val == "" {
					delim = 0
				} else {
					delim = val[0]
				}
			case 'n', 'N':
				n, err := strconv.Atoi(val)
				if err != nil || n < 0 {
					r.errf("read: %s: invalid number\n", val)
					return 1
				}
				nchars, exact = n, c == 'N'
			case 't':
				if _, err := strconv.ParseFloat(val, 64); err != nil {
					r.errf("read: %s: invalid timeout specification\n", val)
					return 1
				}
				if val == "0" {
					return 0
				}
			case 'u':
				n, err := strconv.Atoi(val)
				if err != nil || n < 0 || n > 9 || r.fd[n] == nil || r.fd[n].r == nil {
					r.errf("read: %s: invalid file descriptor: Bad file descriptor\n", val)
					return 1
				}
				fd = n
			case 'i':
			default:
				r.errf("read: -%c: invalid option\n", c)
				r.usage("read: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n")
				return 2
			}
			if needArg {
				break
			}
		}
	}
	_ = silent
	for _, n := range args {
		if !validName(n) {
			r.errf("read: `%s': not a valid identifier\n", n)
			return 1
		}
	}
	in := r.stdin()
	if fd != 0 {
		in = r.fd[fd].r
	}
	if prompt != "" && r.inTTY && fd == 0 {
		io.WriteString(r.stderr(), prompt)
	}
	// Read up to the delimiter, keeping backslash-newline continuations unless -r.
	var sb strings.Builder
	var one [1]byte
	ok := false
	count := 0
	for {
		if nchars >= 0 && count >= nchars {
			ok = true
			break
		}
		n, err := in.Read(one[:])
		if n == 0 {
			if err != nil {
				break
			}
			continue
		}
		c := one[0]
		count++
		if c == delim && !exact {
			ok = true
			break
		}
		if !raw && c == '\\' {
			n, err := in.Read(one[:])
			if n == 0 || err != nil && n == 0 {
				break
			}
			if one[0] == '\n' {
				continue
			}
			sb.WriteByte('\\')
			sb.WriteByte(one[0])
			continue
		}
		sb.WriteByte(c)
		if int64(sb.Len()) > r.sh.lim.MaxVar {
			break
		}
	}
	line := sb.String()
	if arrayName != "" {
		fields := expand.ReadFields(r.prepCfg(), line, -1, raw)
		e := varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: fields}}
		if fields == nil {
			e.List = []string{}
		}
		if err := r.vars.setEntry(arrayName, e); err != nil {
			r.assignFail(arrayName, err)
			return 1
		}
	} else if len(args) == 0 {
		v := line
		if !raw {
			v = unbackslash(v)
		}
		if err := r.setVar("REPLY", v); err != nil {
			r.assignFail("REPLY", err)
			return 1
		}
	} else {
		fields := expand.ReadFields(r.prepCfg(), line, len(args), raw)
		for i, n := range args {
			v := ""
			if i < len(fields) {
				v = fields[i]
			}
			if err := r.setVar(n, v); err != nil {
				r.assignFail(n, err)
				return 1
			}
		}
	}
	if !ok {
		return 1
	}
	return 0
}

func unbackslash(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// typeBuiltin is `type [-afptP] name...`.
func typeBuiltin(r *runner, args []string) int {
	args = args[1:]
	all, pathOnly, typeOnly, forcePath := false, false, false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		for _, c := range args[0][1:] {
			switch c {
			case 'a':
				all = true
			case 'p':
				pathOnly = true
			case 't':
				typeOnly = true
			case 'P':
				forcePath = true
			case 'f':
			default:
				r.errf("type: -%c: invalid option\n", c)
				r.usage("type: usage: type [-afptP] name [name ...]\n")
				return 2
			}
		}
		args = args[1:]
	}
	status := 0
	for _, name := range args {
		found := false
		emit := func(kind, long string) {
			found = true
			switch {
			case typeOnly:
				r.out(kind + "\n")
			case !pathOnly && !forcePath:
				r.out(long)
			}
		}
		if !forcePath {
			if v, ok := r.aliases[name]; ok {
				emit("alias", name+" is aliased to `"+v+"'\n")
			}
			if (!found || all) && isKeyword(name) {
				emit("keyword", name+" is a shell keyword\n")
			}
			if fn, ok := r.funcs[name]; ok && (!found || all) {
				emit("function", name+" is a function\n"+formatFunc(r, name, fn))
			}
			if _, ok := r.sh.builtins[name]; ok && (!found || all) && !r.disabled(name) {
				emit("builtin", name+" is a shell builtin\n")
			}
		}
		if !found || all || forcePath {
			if strings.Contains(name, "/") {
				if m, err := r.fs().Stat(r.abs(name)); err == nil && m.Mode.IsRegular() && r.canExec(m) {
					found = true
					switch {
					case typeOnly:
						r.out("file\n")
					case pathOnly || forcePath:
						r.out(name + "\n")
					default:
						r.out(name + " is " + name + "\n")
					}
				}
			} else {
				paths := r.allPaths(name)
				if e := r.hash[name]; e != nil && !all && len(paths) > 0 {
					found = true
					switch {
					case typeOnly:
						r.out("file\n")
					case pathOnly || forcePath:
						r.out(e.path + "\n")
					default:
						r.out(name + " is hashed (" + e.path + ")\n")
					}
				} else {
					for _, p := range paths {
						found = true
						switch {
						case typeOnly:
							r.out("file\n")
						case pathOnly || forcePath:
							r.out(p + "\n")
						default:
							r.out(name + " is " + p + "\n")
						}
						if !all {
							break
						}
					}
				}
			}
		}
		if !found {
			if !typeOnly && !pathOnly {
				r.errf("type: %s: not found\n", name)
			}
			status = 1
		}
	}
	return status
}

// allPaths lists every executable name in PATH order.
func (r *runner) allPaths(name string) []string {
	var out []string
	for _, p := range r.pathCandidates(name) {
		m, err := r.fs().Stat(r.abs(p))
		if err == nil && m.Mode.IsRegular() && r.canExec(m) {
			out = append(out, p)
		}
	}
	return out
}

// commandBuiltin is `command [-pVv] name [args]`.
func commandBuiltin(r *runner, args []string) int {
	args = args[1:]
	v, V := false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		for _, c := range args[0][1:] {
			switch c {
			case 'v':
				v = true
			case 'V':
				V = true
			case 'p':
			default:
				r.errf("command: -%c: invalid option\n", c)
				r.usage("command: usage: command [-pVv] command [arg ...]\n")
				return 2
			}
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return 0
	}
	if V {
		return typeBuiltin(r, append([]string{"type"}, args...))
	}
	if v {
		status := 0
		for _, name := range args {
			switch {
			case r.aliases[name] != "":
				r.out("alias " + name + "=" + shellQuote(r.aliases[name]) + "\n")
			case isKeyword(name), r.funcs[name] != nil:
				r.out(name + "\n")
			case r.sh.builtins[name] != nil && !r.disabled(name):
				r.out(name + "\n")
			case strings.Contains(name, "/"):
				if m, err := r.fs().Stat(r.abs(name)); err == nil && m.Mode.IsRegular() && r.canExec(m) {
					r.out(name + "\n")
				} else {
					status = 1
				}
			default:
				if p, _ := r.lookPath(name); p != "" {
					r.out(p + "\n")
				} else {
					status = 1
				}
			}
		}
		return status
	}
	if bi, ok := r.sh.builtins[args[0]]; ok && !r.disabled(args[0]) {
		return bi(r, args)
	}
	r.exec(args)
	return r.status
}

func hashBuiltin(r *runner, args []string) int {
	args = args[1:]
	if len(args) > 0 && args[0] == "-r" {
		r.hash = map[string]*hashEntry{}
		return 0
	}
	if len(args) == 0 {
		if len(r.hash) == 0 {
			r.out("hash: hash table empty\n")
			return 0
		}
		names := make([]string, 0, len(r.hash))
		for n := range r.hash {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return r.hash[names[i]].path < r.hash[names[j]].path })
		var b strings.Builder
		b.WriteString("hits\tcommand\n")
		for _, n := range names {
			fmt.Fprintf(&b, "%4d\t%s\n", r.hash[n].hits, r.hash[n].path)
		}
		r.out(b.String())
		return 0
	}
	status := 0
	for _, n := range args {
		if strings.HasPrefix(n, "-") {
			continue
		}
		if r.sh.builtins[n] != nil {
			continue
		}
		p, _ := r.lookPath(n)
		if p == "" {
			r.errf("hash: %s: not found\n", n)
			status = 1
			continue
		}
		r.hash[n] = &hashEntry{path: p}
	}
	return status
}

func aliasBuiltin(r *runner, args []string) int {
	args = args[1:]
	if len(args) > 0 && args[0] == "-p" {
		args = args[1:]
	}
	if len(args) == 0 {
		names := make([]string, 0, len(r.aliases))
		for n := range r.aliases {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			b.WriteString("alias " + n + "=" + aliasQuote(r.aliases[n]) + "\n")
		}
		r.out(b.String())
		return 0
	}
	status := 0
	for _, a := range args {
		name, val, has := strings.Cut(a, "=")
		if !has {
			v, ok := r.aliases[name]
			if !ok {
				r.errf("alias: %s: not found\n", name)
				status = 1
				continue
			}
			r.out("alias " + name + "=" + aliasQuote(v) + "\n")
			continue
		}
		if name == "" || strings.ContainsAny(name, "/$`=\"' \t\n;|&()<>") {
			r.errf("alias: `%s': invalid alias name\n", name)
			status = 1
			continue
		}
		r.aliases[name] = val
	}
	return status
}

// aliasQuote quotes an alias value as bash prints it: always single quotes.
func aliasQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func unaliasBuiltin(r *runner, args []string) int {
	args = args[1:]
	if len(args) == 0 {
		r.usage("unalias: usage: unalias [-a] name [name ...]\n")
		return 2
	}
	if args[0] == "-a" {
		r.aliases = map[string]string{}
		return 0
	}
	status := 0
	for _, n := range args {
		if _, ok := r.aliases[n]; !ok {
			r.errf("unalias: %s: not found\n", n)
			status = 1
			continue
		}
		delete(r.aliases, n)
	}
	return status
}

func historyBuiltin(r *runner, args []string) int {
	args = args[1:]
	s := r.sh
	if !r.interactive || !r.opts.history {
		return 0
	}
	if len(args) > 0 {
		switch args[0] {
		case "-c":
			s.oldHistory, s.history = nil, nil
			return 0
		case "-w", "-a":
			s.saveHistory()
			return 0
		case "-r", "-n":
			return 0
		case "-d":
			if len(args) < 2 {
				r.errf("history: -d: option requires an argument\n")
				return 2
			}
			n, err := strconv.Atoi(args[1])
			all := s.allHistory()
			if err != nil || n < 1 || n > len(all) {
				r.errf("history: %s: history position out of range\n", args[1])
				return 1
			}
			all = append(all[:n-1], all[n:]...)
			s.oldHistory, s.history = nil, all
			return 0
		}
	}
	all := s.allHistory()
	start := 0
	if len(args) > 0 {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			r.errf("history: %s: numeric argument required\n", args[0])
			return 1
		}
		if n < len(all) {
			start = len(all) - n
		}
	}
	var b strings.Builder
	for i := start; i < len(all); i++ {
		fmt.Fprintf(&b, "%5d  %s\n", i+1, all[i])
	}
	r.out(b.String())
	return 0
}

func fcBuiltin(r *runner, args []string) int {
	if len(args) > 1 && strings.HasPrefix(args[1], "-l") {
		all := r.sh.allHistory()
		start := len(all) - 16
		if start < 0 {
			start = 0
		}
		var b strings.Builder
		for i := start; i < len(all); i++ {
			fmt.Fprintf(&b, "%d\t %s\n", i+1, all[i])
		}
		r.out(b.String())
		return 0
	}
	return 0
}

func umaskBuiltin(r *runner, args []string) int {
	args = args[1:]
	symbolic := false
	if len(args) > 0 && args[0] == "-S" {
		symbolic = true
		args = args[1:]
	}
	if len(args) > 0 && args[0] == "-p" {
		r.out(fmt.Sprintf("umask %04o\n", r.umask))
		return 0
	}
	if len(args) == 0 {
		if symbolic {
			r.out(symbolicUmask(r.umask) + "\n")
		} else {
			r.out(fmt.Sprintf("%04o\n", r.umask))
		}
		return 0
	}
	n, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil || n > 0o777 {
		if m, ok := parseSymbolicUmask(args[0], r.umask); ok {
			r.umask = m
			return 0
		}
		if err == nil {
			r.errf("umask: %s: octal number out of range\n", args[0])
		} else {
			r.errf("umask: `%c': invalid symbolic mode operator\n", args[0][0])
		}
		return 1
	}
	r.umask = uint32(n)
	return 0
}

func symbolicUmask(m uint32) string {
	perm := 0o777 &^ m
	part := func(shift uint) string {
		s := ""
		p := perm >> shift & 7
		if p&4 != 0 {
			s += "r"
		}
		if p&2 != 0 {
			s += "w"
		}
		if p&1 != 0 {
			s += "x"
		}
		return s
	}
	return "u=" + part(6) + ",g=" + part(3) + ",o=" + part(0)
}

func parseSymbolicUmask(s string, cur uint32) (uint32, bool) {
	perm := 0o777 &^ cur
	for _, clause := range strings.Split(s, ",") {
		i := strings.IndexAny(clause, "=+-")
		if i < 0 {
			return 0, false
		}
		who, op, what := clause[:i], clause[i], clause[i+1:]
		var mask uint32
		if who == "" || strings.Contains(who, "a") {
			who = "ugo"
		}
		var bits uint32
		for _, c := range what {
			switch c {
			case 'r':
				bits |= 4
			case 'w':
				bits |= 2
			case 'x':
				bits |= 1
			default:
				return 0, false
			}
		}
		for _, c := range who {
			switch c {
			case 'u':
				mask |= bits << 6
				if op == '=' {
					perm &^= 7 << 6
				}
			case 'g':
				mask |= bits << 3
				if op == '=' {
					perm &^= 7 << 3
				}
			case 'o':
				mask |= bits
				if op == '=' {
					perm &^= 7
				}
			default:
				return 0, false
			}
		}
		switch op {
		case '=', '+':
			perm |= mask
		case '-':
			perm &^= mask
		}
	}
	return 0o777 &^ perm, true
}

// signalNames maps signal names to numbers (x86-64 Linux).
func signalNames() map[string]int {
	return map[string]int{"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7,
		"FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
		"STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23,
		"XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "PWR": 30, "SYS": 31}
}

func signalNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n <= 64
	}
	s = strings.ToUpper(strings.TrimPrefix(strings.ToUpper(s), "SIG"))
	n, ok := signalNames()[s]
	return n, ok
}

func killBuiltin(r *runner, args []string) int {
	args = args[1:]
	sig := 15
	if len(args) == 0 {
		r.usage("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n")
		return 2
	}
	switch {
	case args[0] == "-l" || args[0] == "-L":
		if len(args) == 1 {
			r.out(killList)
			return 0
		}
		for _, a := range args[1:] {
			if n, err := strconv.Atoi(a); err == nil {
				for k, v := range signalNames() {
					if v == n&127 {
						r.out(k + "\n")
					}
				}
			} else if n, ok := signalNumber(a); ok {
				r.out(itoa(n) + "\n")
			}
		}
		return 0
	case args[0] == "-s" || args[0] == "-n":
		if len(args) < 2 {
			r.errf("kill: %s: option requires an argument\n", args[0])
			return 2
		}
		n, ok := signalNumber(args[1])
		if !ok {
			r.errf("kill: %s: invalid signal specification\n", args[1])
			return 1
		}
		sig, args = n, args[2:]
	case strings.HasPrefix(args[0], "-") && len(args[0]) > 1:
		n, ok := signalNumber(args[0][1:])
		if !ok {
			r.errf("kill: %s: invalid signal specification\n", args[0][1:])
			return 1
		}
		sig, args = n, args[1:]
	}
	if len(args) == 0 {
		r.usage("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n")
		return 2
	}
	status := 0
	for _, a := range args {
		if strings.HasPrefix(a, "%") {
			r.errf("kill: %s: no such job\n", a)
			status = 1
			continue
		}
		pid, err := strconv.Atoi(a)
		if err != nil {
			r.errf("kill: %s: arguments must be process or job IDs\n", a)
			status = 1
			continue
		}
		if pid == r.sh.pid || pid == r.bashpid {
			switch sig {
			case 9:
				// the session's shell dies: no history is written
				r.sh.noSave = true
				r.exit = true
				r.status = 137
				return 137
			case 1:
				r.exit = true
				r.status = 129
				return 129
			}
			continue
		}
		owner, exists := r.processOwner(pid)
		if !exists {
			r.errf("kill: (%d) - No such process\n", pid)
			status = 1
			continue
		}
		if r.sh.cfg.User.UID != 0 && owner != r.sh.cfg.User.Name {
			r.errf("kill: (%d) - Operation not permitted\n", pid)
			status = 1
		}
	}
	return status
}

// processOwner finds a pid in the persona's process table (or this session's own).
func (r *runner) processOwner(pid int) (string, bool) {
	if pid == r.sh.ppid {
		return "root", true
	}
	if p := r.sh.cfg.Persona; p != nil {
		for _, pr := range p.Processes {
			if pr.PID == pid {
				return pr.User, true
			}
		}
	}
	if pid > r.sh.pid && int64(pid) <= r.sh.nextPID.Load() {
		return r.sh.cfg.User.Name, true
	}
	return "", false
}

func trapBuiltin(r *runner, args []string) int {
	args = args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || args[0] == "-p" {
		names := make([]string, 0, len(r.traps))
		for n := range r.traps {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			b.WriteString("trap -- " + shellQuote(r.traps[n]) + " " + n + "\n")
		}
		r.out(b.String())
		return 0
	}
	if args[0] == "-l" {
		r.out(killList)
		return 0
	}
	action := args[0]
	sigs := args[1:]
	if len(sigs) == 0 {
		// `trap SIG` resets
		sigs, action = args, "-"
	}
	status := 0
	for _, s := range sigs {
		name := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(s), "SIG"))
		switch name {
		case "EXIT", "0":
			name = "EXIT"
		case "ERR", "DEBUG", "RETURN":
		default:
			n, ok := signalNumber(name)
			if !ok {
				r.errf("trap: %s: invalid signal specification\n", s)
				status = 1
				continue
			}
			for k, v := range signalNames() {
				if v == n {
					name = "SIG" + k
				}
			}
		}
		if action == "-" {
			delete(r.traps, name)
		} else {
			r.traps[name] = action
		}
	}
	return status
}

// runExitTrap runs the EXIT trap once when the shell ends.
func (r *runner) runExitTrap() {
	t, ok := r.traps["EXIT"]
	if !ok {
		return
	}
	delete(r.traps, "EXIT")
	status := r.status
	exit := r.exit
	r.exit = false
	r.runSource(t, r.src.name, srcEval)
	r.status, r.exit = status, exit
}

func timesBuiltin(r *runner, _ []string) int {
	el := r.sh.now().Sub(r.sh.start)
	user := el / 400
	r.out(fmtTimes(user) + " " + fmtTimes(user/3) + "\n0m0.000s 0m0.000s\n")
	return 0
}

func fmtTimes(d interface{ Seconds() float64 }) string {
	s := d.Seconds()
	m := int(s / 60)
	return fmt.Sprintf("%dm%.3fs", m, s-float64(m*60))
}

func fmtElapsed(d interface{ Seconds() float64 }) string { return fmtTimes(d) }

func shoptBuiltin(r *runner, args []string) int {
	args = args[1:]
	set, unset, quiet, oMode, print := false, false, false, false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		for _, c := range args[0][1:] {
			switch c {
			case 's':
				set = true
			case 'u':
				unset = true
			case 'q':
				quiet = true
			case 'o':
				oMode = true
			case 'p':
				print = true
			default:
				r.errf("shopt: -%c: invalid option\n", c)
				r.usage("shopt: usage: shopt [-pqsu] [-o] [optname ...]\n")
				return 2
			}
		}
		args = args[1:]
	}
	known := func(n string) bool {
		for _, k := range shoptNames {
			if k == n {
				return true
			}
		}
		return false
	}
	get := func(n string) (bool, bool) {
		if oMode {
			return r.optionValue(n)
		}
		if !known(n) {
			return false, false
		}
		return r.opts.shopt[n], true
	}
	line := func(n string, on bool) string {
		if print || oMode && print {
			flag := "-u"
			if on {
				flag = "-s"
			}
			if oMode {
				return "set " + map[bool]string{true: "-o", false: "+o"}[on] + " " + n + "\n"
			}
			return "shopt " + flag + " " + n + "\n"
		}
		st := "off"
		if on {
			st = "on"
		}
		return fmt.Sprintf("%-15s\t%s\n", n, st)
	}
	if len(args) == 0 {
		names := shoptNames
		if oMode {
			names = setOptionNames
		}
		var b strings.Builder
		for _, n := range names {
			on, _ := get(n)
			if set && !on || unset && on {
				continue
			}
			b.WriteString(line(n, on))
		}
		if !quiet {
			r.out(b.String())
		}
		return 0
	}
	status := 0
	for _, n := range args {
		on, ok := get(n)
		if !ok {
			r.errf("shopt: %s: invalid shell option name\n", n)
			status = 1
			continue
		}
		switch {
		case set || unset:
			if oMode {
				r.setOption(n, set)
			} else {
				r.opts.shopt[n] = set
			}
		default:
			if !quiet {
				r.out(line(n, on))
			}
			if !on {
				status = 1
			}
		}
	}
	return status
}

func getoptsBuiltin(r *runner, args []string) int {
	if len(args) < 3 {
		r.usage("getopts: usage: getopts optstring name [arg ...]\n")
		return 2
	}
	optstring, name := args[1], args[2]
	params := r.params
	if len(args) > 3 {
		params = args[3:]
	}
	silent := strings.HasPrefix(optstring, ":")
	if silent {
		optstring = optstring[1:]
	}
	optind := atoiDefault(r.getVar("OPTIND"), 1)
	if optind < 1 {
		optind = 1
	}
	sub := atoiDefault(r.getVar("__lure_optpos"), 0)
	if optind > len(params) {
		r.setVarQuiet(name, "?")
		return 1
	}
	arg := params[optind-1]
	if sub == 0 {
		if arg == "--" {
			r.setVarQuiet("OPTIND", itoa(optind+1))
			r.setVarQuiet(name, "?")
			return 1
		}
		if len(arg) < 2 || arg[0] != '-' {
			r.setVarQuiet(name, "?")
			return 1
		}
		sub = 1
	}
	c := arg[sub]
	sub++
	next := func() {
		if sub >= len(arg) {
			optind++
			sub = 0
		}
		r.setVarQuiet("OPTIND", itoa(optind))
		r.setVarQuiet("__lure_optpos", itoa(sub))
	}
	i := strings.IndexByte(optstring, c)
	if i < 0 || c == ':' {
		if silent {
			r.setVarQuiet("OPTARG", string(c))
		} else {
			r.usage(r.arg0 + ": illegal option -- " + string(c) + "\n")
			r.vars.unset("OPTARG")
		}
		r.setVarQuiet(name, "?")
		next()
		return 0
	}
	if i+1 < len(optstring) && optstring[i+1] == ':' {
		var val string
		if sub < len(arg) {
			val = arg[sub:]
			sub = len(arg)
		} else if optind < len(params) {
			optind++
			val = params[optind-1]
		} else {
			if silent {
				r.setVarQuiet(name, ":")
				r.setVarQuiet("OPTARG", string(c))
			} else {
				r.usage(r.arg0 + ": option requires an argument -- " + string(c) + "\n")
				r.setVarQuiet(name, "?")
			}
			sub = len(arg)
			next()
			return 0
		}
		r.setVarQuiet("OPTARG", val)
	} else {
		r.vars.unset("OPTARG")
	}
	r.setVarQuiet(name, string(c))
	next()
	return 0
}

func builtinBuiltin(r *runner, args []string) int {
	if len(args) < 2 {
		return 0
	}
	bi, ok := r.sh.builtins[args[1]]
	if !ok {
		r.errf("builtin: %s: not a shell builtin\n", args[1])
		return 1
	}
	return bi(r, args[1:])
}

func enableBuiltin(r *runner, args []string) int {
	args = args[1:]
	disable := false
	if len(args) > 0 && args[0] == "-n" {
		disable = true
		args = args[1:]
	}
	if len(args) > 0 && (args[0] == "-a" || args[0] == "-p") {
		args = args[1:]
	}
	if len(args) == 0 {
		var b strings.Builder
		for _, n := range builtinNames(r.sh.builtins) {
			if r.disabled(n) == disable {
				prefix := "enable "
				if disable {
					prefix = "enable -n "
				}
				b.WriteString(prefix + n + "\n")
			}
		}
		r.out(b.String())
		return 0
	}
	status := 0
	for _, n := range args {
		if _, ok := r.sh.builtins[n]; !ok {
			r.errf("enable: %s: not a shell builtin\n", n)
			status = 1
			continue
		}
		r.opts.shopt["-disabled-"+n] = disable
	}
	return status
}

func letBuiltin(r *runner, args []string) int {
	if len(args) < 2 {
		r.errf("let: expression expected\n")
		return 1
	}
	var v int64
	for _, a := range args[1:] {
		var err error
		if v, err = r.evalArith(a); err != nil {
			r.arithFail(err, "let")
			return 1
		}
	}
	return boolStatus(v != 0)
}

func helpBuiltin(r *runner, args []string) int {
	if len(args) > 1 {
		r.errf("help: no help topics match `%s'.  Try `help help' or `man -k %s' or `info %s'.\n", args[1], args[1], args[1])
		return 1
	}
	r.out(helpText)
	return 0
}

// dirStack is kept in a shell variable so subshells copy it.
func (r *runner) dirStack() []string {
	v, _ := r.vars.get("DIRSTACK")
	return append([]string(nil), v.List...)
}

func (r *runner) tildeDir(d string) string {
	home := r.getVar("HOME")
	if home != "" && (d == home || strings.HasPrefix(d, home+"/")) {
		return "~" + d[len(home):]
	}
	return d
}

func dirsBuiltin(r *runner, args []string) int {
	if len(args) > 1 && args[1] == "-c" {
		r.vars.unset("DIRSTACK")
		return 0
	}
	parts := []string{r.tildeDir(r.dir)}
	for _, d := range r.dirStack() {
		parts = append(parts, r.tildeDir(d))
	}
	r.out(strings.Join(parts, " ") + "\n")
	return 0
}

func pushdBuiltin(r *runner, args []string) int {
	st := r.dirStack()
	if len(args) < 2 {
		if len(st) == 0 {
			r.errf("pushd: no other directory\n")
			return 1
		}
		target := st[0]
		st[0] = r.dir
		if cdBuiltin(r, []string{"cd", target}) != 0 {
			return 1
		}
	} else {
		old := r.dir
		if cdBuiltin(r, []string{"cd", args[1]}) != 0 {
			return 1
		}
		st = append([]string{old}, st...)
	}
	r.vars.setEntry("DIRSTACK", varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: st}})
	return dirsBuiltin(r, []string{"dirs"})
}

func popdBuiltin(r *runner, _ []string) int {
	st := r.dirStack()
	if len(st) == 0 {
		r.errf("popd: directory stack empty\n")
		return 1
	}
	if cdBuiltin(r, []string{"cd", st[0]}) != 0 {
		return 1
	}
	r.vars.setEntry("DIRSTACK", varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: st[1:]}})
	return dirsBuiltin(r, []string{"dirs"})
}

func mapfileBuiltin(r *runner, args []string) int {
	args = args[1:]
	strip := false
	delim := byte('\n')
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-t":
			strip = true
		case "-d":
			if len(args) > 1 {
				if args[1] == "" {
					delim = 0
				} else {
					delim = args[1][0]
				}
				args = args[1:]
			}
		case "-n", "-O", "-s", "-u", "-C", "-c":
			if len(args) > 1 {
				args = args[1:]
			}
		}
		args = args[1:]
	}
	name := "MAPFILE"
	if len(args) > 0 {
		name = args[0]
	}
	var list []string
	var total int64
	for {
		line, ok := readLine(r.stdin(), delim)
		if !ok && line == "" {
			break
		}
		if !strip && ok {
			line += string(delim)
		}
		total += int64(len(line)) + 16
		if total > r.sh.lim.MaxVar {
			r.memFail(total)
			return 1
		}
		list = append(list, line)
		if !ok {
			break
		}
	}
	if list == nil {
		list = []string{}
	}
	if err := r.vars.setEntry(name, varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: list}}); err != nil {
		r.assignFail(name, err)
		return 1
	}
	return 0
}

func jobCtlBuiltin(r *runner, args []string) int {
	if !r.interactive {
		r.errf("%s: no job control\n", args[0])
		return 1
	}
	spec := "current"
	if len(args) > 1 {
		spec = args[1]
	}
	r.errf("%s: %s: no such job\n", args[0], spec)
	return 1
}

func compgenBuiltin(r *runner, args []string) int {
	args = args[1:]
	var cands []string
	prefix := ""
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-c":
			cands = append(cands, r.commandNames()...)
		case "-b":
			cands = append(cands, builtinNames(r.sh.builtins)...)
		case "-a":
			for n := range r.aliases {
				cands = append(cands, n)
			}
		case "-v":
			cands = append(cands, r.vars.names()...)
		case "-f", "-d":
			dirOnly := args[i] == "-d"
			for _, c := range r.pathCompletions(prefix) {
				if dirOnly && !strings.HasSuffix(c, "/") {
					continue
				}
				cands = append(cands, strings.TrimSuffix(c, "/"))
			}
		case "-A", "-W", "-G", "-F", "-C", "-X", "-P", "-S", "-o":
			i++
		default:
			prefix = args[i]
		}
	}
	sort.Strings(cands)
	var b strings.Builder
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			b.WriteString(c + "\n")
		}
	}
	if b.Len() == 0 {
		return 1
	}
	r.out(b.String())
	return 0
}

// setVar assigns a string to a variable (keeping its attributes).
func (r *runner) setVar(name string, val string) error {
	base, sub, hasSub := strings.Cut(name, "[")
	if hasSub && strings.HasSuffix(sub, "]") {
		as := &syntax.Assign{Name: &syntax.Lit{Value: base},
			Index: &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: strings.TrimSuffix(sub, "]")}}},
			Value: &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: val}}}}
		prev, _ := r.vars.get(base)
		e, err := r.elemValue(base, prev, as)
		if err != nil {
			return err
		}
		e.Set = true
		return r.vars.setEntry(base, e)
	}
	prev, _ := r.vars.get(name)
	if prev.ReadOnly {
		return errReadOnly
	}
	e, err := r.scalarValue(name, prev, val, false)
	if err != nil {
		return err
	}
	e.Set = true
	if r.opts.allexport {
		e.Exported = true
	}
	return r.vars.setEntry(name, e)
}

// setVarQuiet sets a shell-maintained variable, ignoring limits and attributes.
func (r *runner) setVarQuiet(name, val string) {
	prev, _ := r.vars.get(name)
	prev.Set = true
	prev.Kind = expand.String
	prev.Str = val
	prev.List, prev.Map, prev.Indexes = nil, nil, nil
	if err := r.vars.setEntry(name, prev); err != nil {
		r.memFail(int64(len(val)))
	}
}

// getVar returns a variable's string value ("" when unset).
func (r *runner) getVar(name string) string {
	return shellEnv{r}.Get(name).String()
}

// commandNames lists what can be completed as a command.
func (r *runner) commandNames() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for n := range r.aliases {
		add(n)
	}
	for n := range r.funcs {
		add(n)
	}
	for n := range r.sh.builtins {
		add(n)
	}
	for _, dir := range strings.Split(r.getVar("PATH"), ":") {
		if dir == "" {
			continue
		}
		metas, err := r.fs().ReadDir(r.abs(dir))
		if err != nil {
			continue
		}
		for _, m := range metas {
			full := path.Join(r.abs(dir), m.Name)
			st, err := r.fs().Stat(full)
			if err == nil && st.Mode.IsRegular() && r.canExec(st) {
				add(m.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// optHead is the "-x" an invalid option message names.
func optHead(a string) string {
	if len(a) > 2 {
		return a[:2]
	}
	return a
}
