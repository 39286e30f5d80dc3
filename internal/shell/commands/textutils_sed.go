package commands

import (
	"regexp"
	"strconv"
	"strings"
)

// sed as GNU sed 4.9 runs the common scripts: addresses (N, $, /re/, ranges, !), the
// commands s y d p P q Q = a i c n N D h H g G x b t : { } and the options -n -e -f -i -E -s.

type sedAddr struct {
	kind byte // 0 none, 'n' line, '$' last, 'r' regex
	n    int
	re   *regexp.Regexp
}

type sedCmd struct {
	a1, a2   sedAddr
	neg      bool
	name     byte
	re       *regexp.Regexp
	repl     string
	global   bool
	nth      int
	print    bool
	text     string
	label    string
	from, to []rune
	block    int // index of matching '}' for '{'
	inRange  bool
	endLine  int
}

type sedProg struct {
	cmds []*sedCmd
	ere  bool
}

func sedMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "ne:f:i::Erszu", Long: withHelp(
		longOpt{"quiet", argNone, "n"}, longOpt{"silent", argNone, "n"}, longOpt{"expression", argRequired, "e"},
		longOpt{"file", argRequired, "f"}, longOpt{"in-place", argOptional, "i"},
		longOpt{"regexp-extended", argNone, "E"}, longOpt{"separate", argNone, "s"},
		longOpt{"posix", argNone, "posix"}, longOpt{"debug", argNone, "debug"},
		longOpt{"null-data", argNone, "z"}, longOpt{"unbuffered", argNone, "u"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "sed"); h {
		return st
	}
	quiet, inPlace, ere, separate := false, false, false, false
	var scripts []string
	for _, o := range opts {
		switch o.Key {
		case "n":
			quiet = true
		case "e":
			scripts = append(scripts, o.Val)
		case "f":
			data, err := c.readAll(o.Val)
			if err != nil {
				c.errorf("couldn't open file %s: %s", o.Val, errText(err))
				return c.done(1)
			}
			scripts = append(scripts, strings.TrimSuffix(string(data), "\n"))
		case "i":
			inPlace, separate = true, true
		case "E", "r":
			ere = true
		case "s":
			separate = true
		}
	}
	if len(scripts) == 0 {
		if len(ops) == 0 {
			c.errRaw("Usage: " + c.name + " [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n")
			return c.done(1)
		}
		scripts, ops = []string{ops[0]}, ops[1:]
	}
	prog, msg := parseSed(strings.Join(scripts, "\n"), ere)
	if msg != "" {
		c.errorf("%s", msg)
		return c.done(1)
	}
	if len(ops) == 0 {
		if inPlace {
			c.errorf("no input files")
			return c.done(1)
		}
		ops = []string{"-"}
	}
	r := &sedRun{c: c, prog: prog, quiet: quiet}
	status := 0
	if separate {
		for _, f := range ops {
			data, err := c.readAll(f)
			if err != nil {
				c.errorf("can't read %s: %s", f, errText(err))
				status = 2
				continue
			}
			if inPlace {
				var out strings.Builder
				r.out = &out
				r.run([]string{string(data)})
				if err := c.FS.WriteFile(c.abs(f), []byte(out.String()), 0o644); err != nil {
					c.errorf("couldn't open temporary file %s: %s", f, errText(err))
					status = 4
				}
				r.out = nil
			} else {
				r.run([]string{string(data)})
			}
			if r.quit {
				break
			}
		}
		if r.exit != 0 {
			return c.done(r.exit)
		}
		return c.done(status)
	}
	var inputs []string
	for _, f := range ops {
		data, err := c.readAll(f)
		if err != nil {
			c.errorf("can't read %s: %s", f, errText(err))
			status = 2
			continue
		}
		inputs = append(inputs, string(data))
	}
	r.run(inputs)
	if r.exit != 0 {
		return c.done(r.exit)
	}
	return c.done(status)
}

func parseSed(s string, ere bool) (*sedProg, string) {
	prog := &sedProg{ere: ere}
	flavor := reBRE
	if ere {
		flavor = reERE
	}
	i := 0
	var stack []int
	skipWS := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	readDelim := func(d byte) (string, bool) {
		var b strings.Builder
		for i < len(s) {
			ch := s[i]
			if ch == '\\' && i+1 < len(s) {
				if s[i+1] == d {
					b.WriteByte(d)
				} else if s[i+1] == 'n' {
					b.WriteString(`\n`)
				} else {
					b.WriteByte('\\')
					b.WriteByte(s[i+1])
				}
				i += 2
				continue
			}
			if ch == d {
				i++
				return b.String(), true
			}
			if ch == '[' {
				// Copy a bracket expression verbatim: the delimiter is literal inside.
				j := i + 1
				if j < len(s) && s[j] == '^' {
					j++
				}
				if j < len(s) && s[j] == ']' {
					j++
				}
				for j < len(s) && s[j] != ']' {
					j++
				}
				if j < len(s) {
					b.WriteString(s[i : j+1])
					i = j + 1
					continue
				}
			}
			b.WriteByte(ch)
			i++
		}
		return "", false
	}
	var lastRE *regexp.Regexp
	compile := func(pat string, icase bool) (*regexp.Regexp, string) {
		if pat == "" {
			if lastRE == nil {
				return nil, "no previous regular expression"
			}
			return lastRE, ""
		}
		re, err := compileRegex(pat, flavor, icase)
		if err != nil {
			if err == errBackref {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": Invalid back reference"
			}
			return nil, "-e expression #1, char " + strconv.Itoa(i) + ": " + err.Error()
		}
		lastRE = re
		return re, ""
	}
	parseAddr := func() (sedAddr, string) {
		var a sedAddr
		if i >= len(s) {
			return a, ""
		}
		switch {
		case isDigit(s[i]):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			a.kind = 'n'
			a.n, _ = strconv.Atoi(s[i:j])
			i = j
		case s[i] == '$':
			a.kind = '$'
			i++
		case s[i] == '/' || s[i] == '\\':
			d := byte('/')
			if s[i] == '\\' {
				i++
				d = s[i]
			}
			i++
			pat, ok := readDelim(d)
			if !ok {
				return a, "-e expression #1, char " + strconv.Itoa(len(s)) + ": unterminated address regex"
			}
			icase := false
			if i < len(s) && s[i] == 'I' {
				icase = true
				i++
			}
			re, msg := compile(pat, icase)
			if msg != "" {
				return a, msg
			}
			a.kind, a.re = 'r', re
		}
		return a, ""
	}
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == ';') {
			i++
		}
		if i >= len(s) {
			break
		}
		cmd := &sedCmd{}
		a1, msg := parseAddr()
		if msg != "" {
			return nil, msg
		}
		cmd.a1 = a1
		if a1.kind != 0 && i < len(s) && s[i] == ',' {
			i++
			a2, msg := parseAddr()
			if msg != "" {
				return nil, msg
			}
			if a2.kind == 0 {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": unexpected `,'"
			}
			cmd.a2 = a2
		}
		skipWS()
		if i < len(s) && s[i] == '!' {
			cmd.neg = true
			i++
			skipWS()
		}
		if i >= len(s) {
			return nil, "-e expression #1, char " + strconv.Itoa(i) + ": missing command"
		}
		cmd.name = s[i]
		i++
		switch cmd.name {
		case '{':
			stack = append(stack, len(prog.cmds))
		case '}':
			if len(stack) == 0 {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": unexpected `}'"
			}
			prog.cmds[stack[len(stack)-1]].block = len(prog.cmds)
			stack = stack[:len(stack)-1]
		case 's':
			if i >= len(s) {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": unterminated `s' command"
			}
			d := s[i]
			i++
			pat, ok := readDelim(d)
			if !ok {
				return nil, "-e expression #1, char " + strconv.Itoa(len(s)) + ": unterminated `s' command"
			}
			repl, ok := readDelim(d)
			if !ok {
				return nil, "-e expression #1, char " + strconv.Itoa(len(s)) + ": unterminated `s' command"
			}
			icase := false
			for i < len(s) && strings.IndexByte("gpiIme0123456789", s[i]) >= 0 {
				switch ch := s[i]; {
				case ch == 'g':
					cmd.global = true
				case ch == 'p':
					cmd.print = true
				case ch == 'i' || ch == 'I':
					icase = true
				case isDigit(ch):
					cmd.nth = cmd.nth*10 + int(ch-'0')
				}
				i++
			}
			if i < len(s) && s[i] == 'w' {
				i++
				skipWS()
				j := strings.IndexByte(s[i:], '\n')
				if j < 0 {
					j = len(s) - i
				}
				cmd.text = strings.TrimSpace(s[i : i+j])
				i += j
			}
			re, msg := compile(pat, icase)
			if msg != "" {
				return nil, msg
			}
			cmd.re, cmd.repl = re, repl
			skipWS()
			if i < len(s) && s[i] != ';' && s[i] != '\n' && s[i] != '}' {
				return nil, "-e expression #1, char " + strconv.Itoa(i+1) + ": unknown option to `s'"
			}
		case 'y':
			d := s[i]
			i++
			from, ok1 := readDelim(d)
			to, ok2 := readDelim(d)
			if !ok1 || !ok2 {
				return nil, "-e expression #1, char " + strconv.Itoa(len(s)) + ": unterminated `y' command"
			}
			from = strings.ReplaceAll(from, `\n`, "\n")
			to = strings.ReplaceAll(to, `\n`, "\n")
			cmd.from, cmd.to = []rune(from), []rune(to)
			if len(cmd.from) != len(cmd.to) {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": strings for `y' command are different lengths"
			}
		case 'a', 'i', 'c':
			skipWS()
			if i < len(s) && s[i] == '\\' {
				i++
				if i < len(s) && s[i] == '\n' {
					i++
				}
			}
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			cmd.text = strings.ReplaceAll(s[i:i+j], `\t`, "\t")
			if cmd.text == "" && cmd.name != 'c' {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": expected \\ after `a', `c' or `i'"
			}
			i += j
		case 'b', 't', 'T', ':':
			skipWS()
			j := i
			for j < len(s) && s[j] != ';' && s[j] != '\n' {
				j++
			}
			cmd.label = strings.TrimSpace(s[i:j])
			if cmd.name == ':' && cmd.label == "" {
				return nil, "-e expression #1, char " + strconv.Itoa(i) + ": \":\" lacks a label"
			}
			i = j
		case 'q', 'Q', 'l', 'L':
			skipWS()
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			cmd.nth, _ = strconv.Atoi(s[i:j])
			i = j
		case 'd', 'D', 'p', 'P', 'n', 'N', 'g', 'G', 'h', 'H', 'x', '=', 'z', 'F':
		case 'w', 'r', 'R', 'W':
			skipWS()
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			cmd.text = strings.TrimSpace(s[i : i+j])
			i += j
		default:
			return nil, "-e expression #1, char " + strconv.Itoa(i) + ": unknown command: `" + string(cmd.name) + "'"
		}
		prog.cmds = append(prog.cmds, cmd)
		skipWS()
		if i < len(s) && s[i] == '}' {
			continue
		}
		if i < len(s) && s[i] != ';' && s[i] != '\n' {
			return nil, "-e expression #1, char " + strconv.Itoa(i+1) + ": extra characters after command"
		}
	}
	if len(stack) > 0 {
		return nil, "-e expression #1, char 0: unmatched `{'"
	}
	return prog, ""
}

type sedRun struct {
	c     *cmd
	prog  *sedProg
	quiet bool
	out   *strings.Builder
	hold  string
	quit  bool
	exit  int
}

func (r *sedRun) emit(s string) {
	if r.out != nil {
		r.out.WriteString(s)
		return
	}
	r.c.print(s)
}

// run processes the inputs as one stream of lines.
func (r *sedRun) run(inputs []string) {
	var lines []string
	var lastNL bool
	for _, in := range inputs {
		if in == "" {
			continue
		}
		lastNL = strings.HasSuffix(in, "\n")
		ls := strings.Split(strings.TrimSuffix(in, "\n"), "\n")
		lines = append(lines, ls...)
	}
	for _, cm := range r.prog.cmds {
		cm.inRange = false
	}
	lineNo := 0
	idx := 0
	next := func() (string, bool) {
		if idx >= len(lines) {
			return "", false
		}
		l := lines[idx]
		idx++
		lineNo++
		return l, true
	}
	nl := func() string {
		if idx >= len(lines) && !lastNL {
			return ""
		}
		return "\n"
	}
	for !r.quit && !r.c.failed() {
		ps, ok := next()
		if !ok {
			break
		}
		var appendQ []string
		deleted := false
		restart := false
		tflag := false
	cycle:
		for pc := 0; pc < len(r.prog.cmds); pc++ {
			cm := r.prog.cmds[pc]
			if !r.matches(cm, ps, lineNo, idx >= len(lines)) {
				if cm.name == '{' {
					pc = cm.block
				}
				continue
			}
			switch cm.name {
			case '{', '}', ':':
			case 's':
				res, n := sedSubst(cm, ps)
				if n > 0 {
					ps = res
					tflag = true
					if cm.print {
						r.emit(ps + "\n")
					}
					if cm.text != "" {
						_ = r.c.FS.AppendFile(r.c.abs(cm.text), []byte(ps+"\n"), 0o644)
					}
				}
			case 'y':
				rs := []rune(ps)
				for k, ch := range rs {
					for m, f := range cm.from {
						if ch == f {
							rs[k] = cm.to[m]
							break
						}
					}
				}
				ps = string(rs)
			case 'd':
				deleted = true
				break cycle
			case 'D':
				if k := strings.IndexByte(ps, '\n'); k >= 0 {
					ps = ps[k+1:]
					restart = true
				} else {
					deleted = true
				}
				break cycle
			case 'p':
				r.emit(ps + "\n")
			case 'P':
				first, _, _ := strings.Cut(ps, "\n")
				r.emit(first + "\n")
			case '=':
				r.emit(strconv.Itoa(lineNo) + "\n")
			case 'a':
				appendQ = append(appendQ, cm.text+"\n")
			case 'i':
				r.emit(cm.text + "\n")
			case 'c':
				if cm.a2.kind == 0 || !cm.inRange {
					r.emit(cm.text + "\n")
				}
				deleted = true
				break cycle
			case 'r':
				if data, err := r.c.FS.ReadFile(r.c.abs(cm.text)); err == nil {
					appendQ = append(appendQ, string(data))
				}
			case 'w':
				_ = r.c.FS.AppendFile(r.c.abs(cm.text), []byte(ps+"\n"), 0o644)
			case 'n':
				if !r.quiet {
					r.emit(ps + nl())
				}
				for _, a := range appendQ {
					r.emit(a)
				}
				appendQ = nil
				l, ok := next()
				if !ok {
					deleted = true
					break cycle
				}
				ps = l
			case 'N':
				l, ok := next()
				if !ok {
					break cycle
				}
				ps += "\n" + l
			case 'h':
				r.hold = ps
			case 'H':
				r.hold += "\n" + ps
			case 'g':
				ps = r.hold
			case 'G':
				ps += "\n" + r.hold
			case 'x':
				ps, r.hold = r.hold, ps
			case 'z':
				ps = ""
			case 'F':
				r.emit("-\n")
			case 'l':
				r.emit(sedVisible(ps) + "$\n")
			case 'q':
				r.quit, r.exit = true, cm.nth
				break cycle
			case 'Q':
				r.quit, r.exit = true, cm.nth
				deleted = true
				break cycle
			case 'b', 't', 'T':
				if cm.name == 't' && !tflag || cm.name == 'T' && tflag {
					if cm.name == 't' || cm.name == 'T' {
						tflag = false
					}
					continue
				}
				if cm.name != 'b' {
					tflag = false
				}
				if cm.label == "" {
					break cycle
				}
				found := false
				for k, o := range r.prog.cmds {
					if o.name == ':' && o.label == cm.label {
						pc = k
						found = true
						break
					}
				}
				if !found {
					break cycle
				}
			}
		}
		if !deleted && !r.quiet {
			r.emit(ps + nl())
		}
		for _, a := range appendQ {
			r.emit(a)
		}
		if restart {
			// D with text left: start the next cycle on it without reading.
			lines = append(lines[:idx], append([]string{ps}, lines[idx:]...)...)
			lineNo--
		}
	}
}

func (r *sedRun) addrMatch(a sedAddr, ps string, lineNo int, last bool) bool {
	switch a.kind {
	case 'n':
		return lineNo == a.n
	case '$':
		return last
	case 'r':
		return a.re.MatchString(ps)
	}
	return true
}

func (r *sedRun) matches(cm *sedCmd, ps string, lineNo int, last bool) bool {
	var m bool
	switch {
	case cm.a1.kind == 0:
		m = true
	case cm.a2.kind == 0:
		m = r.addrMatch(cm.a1, ps, lineNo, last)
	default:
		if cm.inRange {
			m = true
			switch cm.a2.kind {
			case 'n':
				if lineNo >= cm.a2.n {
					cm.inRange = false
				}
			default:
				if r.addrMatch(cm.a2, ps, lineNo, last) {
					cm.inRange = false
				}
			}
		} else if r.addrMatch(cm.a1, ps, lineNo, last) {
			m = true
			cm.inRange = true
			if cm.a2.kind == 'n' && cm.a2.n <= lineNo {
				cm.inRange = false
			}
			if cm.a2.kind == '$' && last {
				cm.inRange = false
			}
		}
	}
	return m != cm.neg
}

// sedSubst applies an s command; it returns the new text and the number of replacements.
func sedSubst(cm *sedCmd, ps string) (string, int) {
	locs := cm.re.FindAllStringSubmatchIndex(ps, -1)
	if len(locs) == 0 {
		return ps, 0
	}
	var b strings.Builder
	last := 0
	n := 0
	count := 0
	for _, loc := range locs {
		count++
		if cm.nth > 0 && count < cm.nth {
			continue
		}
		if !cm.global && n > 0 {
			break
		}
		b.WriteString(ps[last:loc[0]])
		b.WriteString(sedExpand(cm.repl, ps, loc))
		last = loc[1]
		n++
		if !cm.global {
			break
		}
	}
	if n == 0 {
		return ps, 0
	}
	b.WriteString(ps[last:])
	return b.String(), n
}

func sedExpand(repl, ps string, loc []int) string {
	var b strings.Builder
	caseMode := byte(0)
	write := func(s string) {
		switch caseMode {
		case 'U':
			s = strings.ToUpper(s)
		case 'L':
			s = strings.ToLower(s)
		}
		b.WriteString(s)
	}
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '&':
			write(ps[loc[0]:loc[1]])
		case ch == '\\' && i+1 < len(repl):
			i++
			e := repl[i]
			switch {
			case isDigit(e):
				g := int(e - '0')
				if 2*g+1 < len(loc) && loc[2*g] >= 0 {
					write(ps[loc[2*g]:loc[2*g+1]])
				}
			case e == 'n':
				b.WriteByte('\n')
			case e == 't':
				b.WriteByte('\t')
			case e == 'U' || e == 'L':
				caseMode = e
			case e == 'E':
				caseMode = 0
			default:
				b.WriteByte(e)
			}
		default:
			write(string(ch))
		}
	}
	return b.String()
}

func sedVisible(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\t':
			b.WriteString(`\t`)
		case ch < 32 || ch >= 127:
			b.WriteString(octEscape(ch))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
