package commands

import (
	"regexp"
	"strconv"
	"strings"
)

// awk as Debian's default awk (mawk 1.3.4) runs the one-liners scripts and bots use. goawk
// is not available to this module, so this is a hand-written subset: rules of the form
// [BEGIN|END|NR==N|NR>N|/re/|$N=="x"|$N~/re/] { print [expr, ...] }, with -F and -v, fields,
// NR, NF, FNR, $NF and OFS. Programs outside the subset fail as a syntax error does.

type awkRule struct {
	kind    string // "begin", "end", "main"
	cond    func(a *awkRun) bool
	actions [][]string // each: print items (raw expressions)
	hasBody bool
}

type awkRun struct {
	c      *cmd
	fs     string
	ofs    string
	vars   map[string]string
	fields []string
	line   string
	nr     int
	fnr    int
}

func awkMain(p *Proc) int {
	c := newCmd(p)
	args := p.Args[1:]
	fs := " "
	vars := map[string]string{}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		a := args[0]
		switch {
		case a == "--":
			args = args[1:]
			goto done
		case a == "-W" && len(args) > 1 && strings.HasPrefix(args[1], "v"):
			c.print("mawk 1.3.4 20200120\nCopyright 2008-2019,2020, Thomas E. Dickey\nCopyright 1991-1996,2014, Michael D. Brennan\n\nrandom-funcs:       srandom/random\nregex-funcs:        internal\ncompiled limits:\nsprintf buffer      8192\nmaximum-integer     2147483647\n")
			return c.done(0)
		case strings.HasPrefix(a, "-F"):
			v := a[2:]
			if v == "" && len(args) > 1 {
				args = args[1:]
				v = args[0]
			}
			if v == "t" || v == `\t` {
				v = "\t"
			}
			fs = v
		case strings.HasPrefix(a, "-v"):
			v := a[2:]
			if v == "" && len(args) > 1 {
				args = args[1:]
				v = args[0]
			}
			k, val, _ := strings.Cut(v, "=")
			vars[k] = val
		default:
			c.errRaw("mawk: not an option: " + a + "\n")
			return c.done(2)
		}
		args = args[1:]
	}
done:
	if len(args) == 0 {
		c.errRaw("usage: mawk [-F value] [-v var=value] [--] 'program text' [file ...]\nusage: mawk [-F value] [-v var=value] [-f program-file] [--] [file ...]\n")
		return c.done(2)
	}
	prog := args[0]
	files := args[1:]
	rules, ok := parseAwk(prog)
	if !ok {
		c.errRaw("mawk: line 1: syntax error at or near " + awkNear(prog) + "\n")
		return c.done(2)
	}
	r := &awkRun{c: c, fs: fs, ofs: " ", vars: vars}
	for _, rl := range rules {
		if rl.kind == "begin" {
			r.exec(rl)
		}
	}
	hasMain := false
	for _, rl := range rules {
		if rl.kind != "begin" {
			hasMain = true
		}
	}
	if hasMain {
		if len(files) == 0 {
			files = []string{"-"}
		}
		status := 0
		for _, f := range files {
			if k, v, isAssign := strings.Cut(f, "="); isAssign && k != "" && !strings.Contains(k, "/") {
				r.vars[k] = v
				continue
			}
			lr, err := c.openLines(f)
			if err != nil {
				c.errRaw("mawk: cannot open " + f + " (No such file or directory)\n")
				status = 2
				continue
			}
			r.fnr = 0
			for !c.failed() {
				line, _, ok := lr.next()
				if !ok {
					break
				}
				r.nr++
				r.fnr++
				r.setLine(string(line))
				for _, rl := range rules {
					if rl.kind == "main" && (rl.cond == nil || rl.cond(r)) {
						r.exec(rl)
					}
				}
			}
		}
		for _, rl := range rules {
			if rl.kind == "end" {
				r.exec(rl)
			}
		}
		return c.done(status)
	}
	return c.done(0)
}

func awkNear(prog string) string {
	f := strings.Fields(prog)
	if len(f) == 0 {
		return "end of file"
	}
	return f[len(f)-1]
}

func (r *awkRun) setLine(s string) {
	r.line = s
	switch {
	case r.fs == " ":
		r.fields = strings.Fields(s)
	case len(r.fs) == 1:
		if s == "" {
			r.fields = nil
		} else {
			r.fields = strings.Split(s, r.fs)
		}
	default:
		re, err := compileRegex(r.fs, reERE, false)
		if err != nil || s == "" {
			r.fields = nil
		} else {
			r.fields = re.Split(s, -1)
		}
	}
}

func (r *awkRun) field(n int) string {
	if n == 0 {
		return r.line
	}
	if n > 0 && n <= len(r.fields) {
		return r.fields[n-1]
	}
	return ""
}

// value evaluates a simple expression: $N, $NF, $(NF-1), NR, NF, FNR, a "string", a number,
// a variable, or a concatenation of those separated by spaces.
func (r *awkRun) value(e string) string {
	e = strings.TrimSpace(e)
	switch {
	case e == "":
		return ""
	case strings.HasPrefix(e, `"`) && strings.HasSuffix(e, `"`) && len(e) >= 2:
		return awkUnescape(e[1 : len(e)-1])
	case e == "NR":
		return strconv.Itoa(r.nr)
	case e == "FNR":
		return strconv.Itoa(r.fnr)
	case e == "NF":
		return strconv.Itoa(len(r.fields))
	case e == "$NF":
		return r.field(len(r.fields))
	case e == "$(NF-1)":
		return r.field(len(r.fields) - 1)
	case strings.HasPrefix(e, "$"):
		n, err := strconv.Atoi(e[1:])
		if err == nil {
			return r.field(n)
		}
	case strings.HasPrefix(e, "length"):
		arg := strings.TrimSpace(strings.TrimPrefix(e, "length"))
		if arg == "" || arg == "()" {
			return strconv.Itoa(len(r.line))
		}
		return strconv.Itoa(len(r.value(strings.TrimSuffix(strings.TrimPrefix(arg, "("), ")"))))
	}
	if _, err := strconv.ParseFloat(e, 64); err == nil {
		return e
	}
	if v, ok := r.vars[e]; ok {
		return v
	}
	// Concatenation of space-separated terms.
	parts := awkSplitTerms(e)
	if len(parts) > 1 {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(r.value(p))
		}
		return b.String()
	}
	return ""
}

func awkUnescape(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\"`, `"`, `\\`, `\`).Replace(s)
}

// awkSplitTerms splits on blanks outside string literals.
func awkSplitTerms(e string) []string {
	var out []string
	var cur strings.Builder
	inStr := false
	for i := 0; i < len(e); i++ {
		ch := e[i]
		switch {
		case ch == '"':
			inStr = !inStr
			cur.WriteByte(ch)
		case ch == '\\' && inStr && i+1 < len(e):
			cur.WriteByte(ch)
			i++
			cur.WriteByte(e[i])
		case (ch == ' ' || ch == '\t') && !inStr:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(ch)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func (r *awkRun) exec(rl awkRule) {
	if !rl.hasBody {
		r.c.print(r.line + "\n")
		return
	}
	for _, items := range rl.actions {
		if len(items) == 0 {
			r.c.print(r.line + "\n")
			continue
		}
		vals := make([]string, len(items))
		for i, it := range items {
			vals[i] = r.value(it)
		}
		r.c.print(strings.Join(vals, r.ofs) + "\n")
	}
}

// splitTop splits s on sep outside quotes, parentheses and regex slashes.
func splitTop(s string, sep byte) []string {
	var out []string
	depth := 0
	inStr := false
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			inStr = !inStr
		case ch == '\\' && i+1 < len(s):
			i++
		case inStr:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseAwk(prog string) ([]awkRule, bool) {
	var rules []awkRule
	s := strings.TrimSpace(prog)
	for s != "" {
		var rl awkRule
		rl.kind = "main"
		brace := strings.IndexByte(s, '{')
		var pat string
		if brace < 0 {
			pat, s = s, ""
		} else {
			pat = strings.TrimSpace(s[:brace])
			end := strings.IndexByte(s[brace:], '}')
			if end < 0 {
				return nil, false
			}
			body := s[brace+1 : brace+end]
			s = strings.TrimSpace(s[brace+end+1:])
			rl.hasBody = true
			for _, stmt := range strings.FieldsFunc(body, func(r rune) bool { return r == ';' || r == '\n' }) {
				stmt = strings.TrimSpace(stmt)
				if stmt == "" {
					continue
				}
				if stmt == "print" || stmt == "print $0" {
					rl.actions = append(rl.actions, nil)
					continue
				}
				if !strings.HasPrefix(stmt, "print ") {
					return nil, false
				}
				var items []string
				for _, it := range splitTop(strings.TrimPrefix(stmt, "print "), ',') {
					items = append(items, strings.TrimSpace(it))
				}
				rl.actions = append(rl.actions, items)
			}
		}
		switch {
		case pat == "BEGIN":
			rl.kind = "begin"
		case pat == "END":
			rl.kind = "end"
		case pat == "":
		default:
			cond, ok := awkCond(pat)
			if !ok {
				return nil, false
			}
			rl.cond = cond
		}
		if rl.kind != "main" && !rl.hasBody {
			return nil, false
		}
		rules = append(rules, rl)
	}
	return rules, true
}

var awkCmpRe = regexp.MustCompile(`^(.+?)\s*(==|!=|>=|<=|>|<|~|!~)\s*(.+)$`)

// awkCond compiles a simple pattern: /re/, !/re/, or a comparison of two values.
func awkCond(pat string) (func(a *awkRun) bool, bool) {
	if strings.HasPrefix(pat, "/") && strings.HasSuffix(pat, "/") && len(pat) >= 2 {
		re, err := compileRegex(pat[1:len(pat)-1], reERE, false)
		if err != nil {
			return nil, false
		}
		return func(a *awkRun) bool { return re.MatchString(a.line) }, true
	}
	if strings.HasPrefix(pat, "!/") && strings.HasSuffix(pat, "/") {
		re, err := compileRegex(pat[2:len(pat)-1], reERE, false)
		if err != nil {
			return nil, false
		}
		return func(a *awkRun) bool { return !re.MatchString(a.line) }, true
	}
	m := awkCmpRe.FindStringSubmatch(pat)
	if m == nil {
		return nil, false
	}
	lhs, op, rhs := strings.TrimSpace(m[1]), m[2], strings.TrimSpace(m[3])
	if op == "~" || op == "!~" {
		if !strings.HasPrefix(rhs, "/") || !strings.HasSuffix(rhs, "/") {
			return nil, false
		}
		re, err := compileRegex(rhs[1:len(rhs)-1], reERE, false)
		if err != nil {
			return nil, false
		}
		return func(a *awkRun) bool { return re.MatchString(a.value(lhs)) == (op == "~") }, true
	}
	return func(a *awkRun) bool {
		l, r := a.value(lhs), a.value(rhs)
		lf, e1 := strconv.ParseFloat(strings.TrimSpace(l), 64)
		rf, e2 := strconv.ParseFloat(strings.TrimSpace(r), 64)
		var c int
		if e1 == nil && e2 == nil && !strings.HasPrefix(rhs, `"`) {
			c = cmpFloat(lf, rf)
		} else {
			c = strings.Compare(l, r)
		}
		switch op {
		case "==":
			return c == 0
		case "!=":
			return c != 0
		case ">":
			return c > 0
		case "<":
			return c < 0
		case ">=":
			return c >= 0
		}
		return c <= 0
	}, true
}
