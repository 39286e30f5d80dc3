package commands

import (
	"bytes"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
)

// grep as GNU grep 3.8 behaves: BRE/ERE/fixed patterns, context, counts, recursion, the
// "binary file matches" notice, and its exit statuses (0 match, 1 none, 2 trouble).

type grepConf struct {
	invert, count, listFiles, listNon, quiet, lineNum, onlyMatch bool
	withName, noName, word, line, recursive, noMessages          bool
	maxCount                                                     int64
	before, after                                                int
	color                                                        bool
	res                                                          []*regexp.Regexp
	fixed                                                        []string
	icase                                                        bool
	byteOffset                                                   bool
	nullData                                                     bool
	label                                                        string
}

func grepMain(p *Proc) int {
	c := newCmd(p)
	base := c.base()
	flavor := reBRE
	fixed := false
	switch base {
	case "egrep":
		// Debian 12 patches out grep 3.8's "obsolescent" warnings.
		flavor = reERE
	case "fgrep":
		fixed = true
	}
	opts, ops, ok, _ := parseOptsGrep(c)
	if !ok {
		return c.done(2)
	}
	g := &grepConf{maxCount: -1}
	var patterns []string
	patSet := false
	ctxSet := -1
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(textutilsHelp["grep"][0])
			return c.done(0)
		case "V":
			c.print(textutilsHelp["grep"][1])
			return c.done(0)
		case "E":
			flavor, fixed = reERE, false
		case "F":
			fixed = true
		case "G":
			flavor, fixed = reBRE, false
		case "P":
			flavor, fixed = reERE, false
		case "e":
			patterns = append(patterns, strings.Split(o.Val, "\n")...)
			patSet = true
		case "f":
			data, err := c.readAll(o.Val)
			if err != nil {
				c.errorf("%s: %s", o.Val, errText(err))
				return c.done(2)
			}
			s := strings.TrimSuffix(string(data), "\n")
			if len(data) > 0 {
				patterns = append(patterns, strings.Split(s, "\n")...)
			}
			patSet = true
		case "i", "y":
			g.icase = true
		case "no-ignore-case":
			g.icase = false
		case "v":
			g.invert = true
		case "c":
			g.count = true
		case "l":
			g.listFiles = true
		case "L":
			g.listNon = true
		case "q":
			g.quiet = true
		case "s":
			g.noMessages = true
		case "n":
			g.lineNum = true
		case "b":
			g.byteOffset = true
		case "o":
			g.onlyMatch = true
		case "H":
			g.withName, g.noName = true, false
		case "h":
			g.noName, g.withName = true, false
		case "w":
			g.word = true
		case "x":
			g.line = true
		case "r", "R":
			g.recursive = true
		case "z":
			g.nullData = true
		case "label":
			g.label = o.Val
		case "m":
			v, err := strconv.ParseInt(o.Val, 10, 64)
			if err != nil {
				c.errorf("invalid max count")
				return c.done(2)
			}
			g.maxCount = v
		case "A", "B", "C", "NUM":
			v, err := strconv.Atoi(o.Val)
			if err != nil || v < 0 {
				c.errorf("%s: invalid context length argument", o.Val)
				return c.done(2)
			}
			switch o.Key {
			case "A":
				g.after = v
			case "B":
				g.before = v
			default:
				ctxSet = v
			}
		case "color":
			mode := "auto"
			if o.HasVal {
				mode = o.Val
			}
			g.color = mode == "always" || mode == "yes" || mode == "force" || ((mode == "auto" || mode == "tty" || mode == "if-tty") && p.StdoutTTY && c.Env["TERM"] != "dumb")
		}
	}
	if ctxSet >= 0 {
		if g.after == 0 {
			g.after = ctxSet
		}
		if g.before == 0 {
			g.before = ctxSet
		}
	}
	if !patSet {
		if len(ops) == 0 {
			c.errRaw("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
			return c.done(2)
		}
		patterns = strings.Split(ops[0], "\n")
		ops = ops[1:]
	}
	if fixed {
		g.fixed = patterns
		for _, pt := range patterns {
			src := regexp.QuoteMeta(pt)
			g.res = append(g.res, grepWrap(src, g))
		}
	} else {
		for _, pt := range patterns {
			src, err := translateRegex(pt, flavor)
			if err != nil {
				c.errorf("%s", grepRegexError(err))
				return c.done(2)
			}
			if flavor == reBRE && strings.HasPrefix(pt, "*") {
				src = `\*` + strings.TrimPrefix(src, `\*`)
			}
			g.res = append(g.res, grepWrap(src, g))
		}
	}
	for _, re := range g.res {
		if re == nil {
			c.errorf("Unmatched ( or \\(")
			return c.done(2)
		}
	}
	recursiveDefault := false
	if len(ops) == 0 {
		if g.recursive {
			ops = []string{"."}
			recursiveDefault = true
		} else {
			ops = []string{"-"}
		}
	}
	if !g.noName && (len(ops) > 1 || g.recursive) {
		g.withName = true
	}
	matched := false
	trouble := false
	for _, f := range ops {
		if c.failed() {
			break
		}
		if g.quiet && matched {
			break
		}
		if f == "-" {
			name := "(standard input)"
			if g.label != "" {
				name = g.label
			}
			lr := newLineReader(c.Ctx, c.Stdin)
			if grepStream(c, g, lr, name) {
				matched = true
			}
			continue
		}
		m, err := c.FS.Stat(c.abs(f))
		if err != nil {
			if !g.noMessages {
				c.errorf("%s: %s", f, errText(err))
			}
			trouble = true
			continue
		}
		if m.Mode.IsDir() {
			if !g.recursive {
				if !g.noMessages {
					c.errorf("%s: Is a directory", f)
				}
				trouble = true
				continue
			}
			if grepTree(c, g, f, c.abs(f), recursiveDefault, &trouble) {
				matched = true
			}
			continue
		}
		if grepFile(c, g, f, c.abs(f), &trouble) {
			matched = true
		}
	}
	status := 1
	if matched {
		status = 0
	}
	if trouble && !(g.quiet && matched) {
		status = 2
	}
	return c.done(status)
}

func grepRegexError(err error) string {
	if err == errBackref {
		return "Invalid back reference"
	}
	return err.Error()
}

// grepWrap applies -w/-x/-i to a translated pattern.
func grepWrap(src string, g *grepConf) *regexp.Regexp {
	if g.line {
		src = "^(?:" + src + ")$"
	} else if g.word {
		src = `(?:^|\b)(?:` + src + `)(?:\b|$)`
	}
	prefix := "(?s)"
	if g.icase {
		prefix = "(?si)"
	}
	re, err := regexp.Compile(prefix + src)
	if err != nil {
		return nil
	}
	re.Longest()
	return re
}

func grepTree(c *cmd, g *grepConf, shown, abs string, dotDefault bool, trouble *bool) bool {
	kids, err := c.FS.ReadDir(abs)
	if err != nil {
		if !g.noMessages {
			c.errorf("%s: %s", shown, errText(err))
		}
		*trouble = true
		return false
	}
	matched := false
	for _, k := range kids {
		if c.failed() {
			break
		}
		var name string
		switch {
		case dotDefault && shown == ".":
			name = k.Name
		case strings.HasSuffix(shown, "/"):
			name = shown + k.Name
		default:
			name = shown + "/" + k.Name
		}
		kabs := abs + "/" + k.Name
		if k.Mode&fs.ModeSymlink != 0 {
			continue
		}
		if k.Mode.IsDir() {
			if grepTree(c, g, name, kabs, false, trouble) {
				matched = true
			}
			continue
		}
		if !k.Mode.IsRegular() {
			continue
		}
		if grepFile(c, g, name, kabs, trouble) {
			matched = true
		}
	}
	return matched
}

func grepFile(c *cmd, g *grepConf, shown, abs string, trouble *bool) bool {
	data, err := c.FS.ReadFile(abs)
	if err != nil {
		if !g.noMessages {
			c.errorf("%s: %s", shown, errText(err))
		}
		*trouble = true
		return false
	}
	return grepStream(c, g, newBytesLineReader(c.Ctx, data), shown)
}

func (g *grepConf) match(line []byte) bool {
	for _, re := range g.res {
		if re.Match(line) {
			return true
		}
	}
	return false
}

// grepStream searches one input. It returns whether a line was selected.
func grepStream(c *cmd, g *grepConf, lr *lineReader, name string) bool {
	var count int64
	var lineNo int64
	var offset int64
	type held struct {
		no   int64
		off  int64
		text []byte
	}
	var before []held
	afterLeft := 0
	lastPrinted := int64(0)
	anyPrinted := false
	binary := false
	binaryMatched := false
	context := g.before > 0 || g.after > 0
	prefix := func(no, off int64, sep byte) string {
		var b strings.Builder
		if g.withName {
			if g.color {
				b.WriteString("\x1b[35m\x1b[K" + name + "\x1b[m\x1b[K\x1b[36m\x1b[K" + string(sep) + "\x1b[m\x1b[K")
			} else {
				b.WriteString(name)
				b.WriteByte(sep)
			}
		}
		if g.lineNum {
			if g.color {
				b.WriteString("\x1b[32m\x1b[K" + strconv.FormatInt(no, 10) + "\x1b[m\x1b[K\x1b[36m\x1b[K" + string(sep) + "\x1b[m\x1b[K")
			} else {
				b.WriteString(strconv.FormatInt(no, 10))
				b.WriteByte(sep)
			}
		}
		if g.byteOffset {
			b.WriteString(strconv.FormatInt(off, 10))
			b.WriteByte(sep)
		}
		return b.String()
	}
	emitLine := func(no, off int64, text []byte, sep byte) {
		if context && anyPrinted && no > lastPrinted+1 {
			if g.color {
				c.print("\x1b[36m\x1b[K--\x1b[m\x1b[K\n")
			} else {
				c.print("--\n")
			}
		}
		anyPrinted = true
		lastPrinted = no
		if g.color && sep == ':' && !g.invert {
			c.print(prefix(no, off, sep) + grepHighlight(g, text) + "\n")
			return
		}
		c.print(prefix(no, off, sep))
		c.write(text)
		c.print("\n")
	}
	output := !g.quiet && !g.count && !g.listFiles && !g.listNon
	for !c.failed() {
		line, _, ok := lr.next()
		if !ok {
			break
		}
		lineNo++
		off := offset
		offset += int64(len(line)) + 1
		if !binary && bytes.IndexByte(line, 0) >= 0 {
			binary = true
		}
		sel := g.match(line) != g.invert
		if !sel {
			if afterLeft > 0 && output && !binary {
				emitLine(lineNo, off, line, '-')
				afterLeft--
			} else if g.before > 0 {
				before = append(before, held{lineNo, off, append([]byte(nil), line...)})
				if len(before) > g.before {
					before = before[1:]
				}
			}
			continue
		}
		count++
		if g.quiet {
			return true
		}
		if g.listFiles || g.listNon {
			break
		}
		if output {
			if binary {
				binaryMatched = true
				break
			}
			for _, h := range before {
				emitLine(h.no, h.off, h.text, '-')
			}
			before = before[:0]
			if g.onlyMatch {
				if !g.invert {
					for _, m := range grepMatches(g, line) {
						c.print(prefix(lineNo, off+int64(m[0]), ':'))
						if g.color {
							c.print("\x1b[01;31m\x1b[K")
							c.write(line[m[0]:m[1]])
							c.print("\x1b[m\x1b[K\n")
						} else {
							c.write(line[m[0]:m[1]])
							c.print("\n")
						}
					}
				}
			} else {
				emitLine(lineNo, off, line, ':')
			}
			afterLeft = g.after
		}
		if g.maxCount >= 0 && count >= g.maxCount {
			break
		}
	}
	if binaryMatched {
		c.flush()
		c.print("Binary file " + name + " matches\n")
	}
	if g.count {
		if g.withName {
			c.print(name + ":")
		}
		c.print(strconv.FormatInt(count, 10) + "\n")
	}
	if g.listFiles && count > 0 {
		c.print(name + "\n")
	}
	if g.listNon && count == 0 {
		c.print(name + "\n")
	}
	return count > 0
}

// grepMatches returns the non-empty match spans of all patterns, left to right.
func grepMatches(g *grepConf, line []byte) [][]int {
	var out [][]int
	pos := 0
	for pos <= len(line) {
		best := []int(nil)
		for _, re := range g.res {
			loc := re.FindIndex(line[pos:])
			if loc == nil {
				continue
			}
			if best == nil || loc[0] < best[0] || (loc[0] == best[0] && loc[1] > best[1]) {
				best = loc
			}
		}
		if best == nil {
			break
		}
		if best[1] == best[0] {
			pos += best[0] + 1
			continue
		}
		out = append(out, []int{pos + best[0], pos + best[1]})
		pos += best[1]
	}
	return out
}

func grepHighlight(g *grepConf, line []byte) string {
	var b strings.Builder
	last := 0
	for _, m := range grepMatches(g, line) {
		b.Write(line[last:m[0]])
		b.WriteString("\x1b[01;31m\x1b[K")
		b.Write(line[m[0]:m[1]])
		b.WriteString("\x1b[m\x1b[K")
		last = m[1]
	}
	b.Write(line[last:])
	return b.String()
}

// parseOptsGrep parses grep's options; -NUM means -C NUM.
func parseOptsGrep(c *cmd) ([]opt, []string, bool, int) {
	args := []string{c.name}
	for _, a := range c.Args[1:] {
		if len(a) > 1 && a[0] == '-' && isDigit(a[1]) && strings.Trim(a[1:], "0123456789") == "" {
			args = append(args, "--context="+a[1:])
			continue
		}
		args = append(args, a)
	}
	spec := optSpec{Short: "0123456789A:B:C:D:EFGHIPTUVX:abcd:e:f:hiLlm:noqRrsuvwxyZz", Long: []longOpt{
		{"extended-regexp", argNone, "E"}, {"fixed-strings", argNone, "F"}, {"basic-regexp", argNone, "G"},
		{"perl-regexp", argNone, "P"}, {"regexp", argRequired, "e"}, {"file", argRequired, "f"},
		{"ignore-case", argNone, "i"}, {"no-ignore-case", argNone, "no-ignore-case"},
		{"word-regexp", argNone, "w"}, {"line-regexp", argNone, "x"}, {"null-data", argNone, "z"},
		{"no-messages", argNone, "s"}, {"invert-match", argNone, "v"}, {"version", argNone, "V"},
		{"help", argNone, "help"}, {"max-count", argRequired, "m"}, {"byte-offset", argNone, "b"},
		{"line-number", argNone, "n"}, {"line-buffered", argNone, "lb"}, {"with-filename", argNone, "H"},
		{"no-filename", argNone, "h"}, {"label", argRequired, "label"}, {"only-matching", argNone, "o"},
		{"quiet", argNone, "q"}, {"silent", argNone, "q"}, {"binary-files", argRequired, "bf"},
		{"text", argNone, "a"}, {"directories", argRequired, "d"}, {"devices", argRequired, "D"},
		{"recursive", argNone, "r"}, {"dereference-recursive", argNone, "R"},
		{"include", argRequired, "include"}, {"exclude", argRequired, "exclude"},
		{"exclude-from", argRequired, "exclude-from"}, {"exclude-dir", argRequired, "exclude-dir"},
		{"files-without-match", argNone, "L"}, {"files-with-matches", argNone, "l"},
		{"count", argNone, "c"}, {"initial-tab", argNone, "T"}, {"null", argNone, "Z"},
		{"before-context", argRequired, "B"}, {"after-context", argRequired, "A"},
		{"context", argRequired, "C"}, {"color", argOptional, "color"}, {"colour", argOptional, "color"},
		{"binary", argNone, "U"},
	}}
	opts, ops, err := parseOpts(c.name, args[1:], spec)
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
		return nil, nil, false, 2
	}
	for i := range opts {
		if len(opts[i].Key) == 1 && isDigit(opts[i].Key[0]) {
			opts[i] = opt{Key: "C", Val: opts[i].Key, HasVal: true}
		}
	}
	return opts, ops, true, 0
}
