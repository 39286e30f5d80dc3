package commands

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// find (GNU findutils 4.9) over the vfs: the common tests and actions, with -exec run
// through the calling shell (p.Sub). Entries are visited in name order (the vfs has no
// on-disk hash order).

type findNode struct {
	kind     string // "and", "or", "not", "test", "true"
	name     string
	args     []string
	l, r     *findNode
	action   bool
	execCmd  []string
	execPlus bool
}

type findState struct {
	c          *cmd
	maxDepth   int
	minDepth   int
	depthFirst bool
	status     int
	now        time.Time
	ids        *idNames
	quit       bool
	plusBatch  map[*findNode][]string
	pruned     bool
}

type findEntry struct {
	shown string
	abs   string
	meta  vfs.Meta
	depth int
}

func findMain(p *Proc) int {
	c := newCmd(p)
	args := p.Args[1:]
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-help") {
		c.print(fileutilsHelp["find"][0])
		return c.done(0)
	}
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		c.print(fileutilsHelp["find"][1])
		return c.done(0)
	}
	// Leading options -H -L -P.
	for len(args) > 0 && (args[0] == "-H" || args[0] == "-L" || args[0] == "-P") {
		args = args[1:]
	}
	var roots []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "(" && args[0] != "!" {
		roots = append(roots, args[0])
		args = args[1:]
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	st := &findState{c: c, maxDepth: -1, now: time.Now(), plusBatch: map[*findNode][]string{}}
	fp := &findParser{st: st, args: args}
	var expr *findNode
	if len(args) > 0 {
		e, err := fp.parseOr()
		if err != "" {
			c.errorf("%s", err)
			return c.done(1)
		}
		if fp.pos < len(fp.args) {
			tok := fp.args[fp.pos]
			if tok == ")" {
				c.errorf("invalid expression; you have too many ')'")
			} else {
				c.errorf("paths must precede expression: %s", c.quoteLoc(tok))
			}
			return c.done(1)
		}
		expr = e
	}
	if expr == nil || !fp.hasAction {
		pr := &findNode{kind: "test", name: "-print", action: true}
		if expr == nil {
			expr = pr
		} else {
			expr = &findNode{kind: "and", l: expr, r: pr}
		}
	}
	for _, r := range roots {
		if c.failed() || st.quit {
			break
		}
		abs := c.abs(r)
		m, err := c.FS.Lstat(abs)
		if err != nil {
			c.errorf("%s: %s", c.quoteLoc(r), errText(err))
			st.status = 1
			continue
		}
		st.walk(findEntry{shown: r, abs: abs, meta: m}, expr)
	}
	for n, batch := range st.plusBatch {
		st.runExec(n, batch)
	}
	return c.done(st.status)
}

type findParser struct {
	st        *findState
	args      []string
	pos       int
	hasAction bool
}

func (fp *findParser) peek() string {
	if fp.pos < len(fp.args) {
		return fp.args[fp.pos]
	}
	return ""
}

func (fp *findParser) parseOr() (*findNode, string) {
	l, err := fp.parseAnd()
	if err != "" {
		return nil, err
	}
	for fp.peek() == "-o" || fp.peek() == "-or" {
		fp.pos++
		r, err := fp.parseAnd()
		if err != "" {
			return nil, err
		}
		if r == nil {
			return nil, "invalid expression; you have used a binary operator '-o' with nothing after it."
		}
		l = &findNode{kind: "or", l: l, r: r}
	}
	return l, ""
}

func (fp *findParser) parseAnd() (*findNode, string) {
	l, err := fp.parseNot()
	if err != "" || l == nil {
		return l, err
	}
	for {
		t := fp.peek()
		if t == "" || t == "-o" || t == "-or" || t == ")" {
			return l, ""
		}
		if t == "-a" || t == "-and" {
			fp.pos++
		}
		r, err := fp.parseNot()
		if err != "" {
			return nil, err
		}
		if r == nil {
			return l, ""
		}
		l = &findNode{kind: "and", l: l, r: r}
	}
}

func (fp *findParser) parseNot() (*findNode, string) {
	t := fp.peek()
	if t == "!" || t == "-not" {
		fp.pos++
		e, err := fp.parseNot()
		if err != "" {
			return nil, err
		}
		if e == nil {
			return nil, "invalid expression; you have used a binary operator '!' with nothing after it."
		}
		return &findNode{kind: "not", l: e}, ""
	}
	return fp.parsePrimary()
}

var findArgCount = map[string]int{
	"-name": 1, "-iname": 1, "-path": 1, "-ipath": 1, "-wholename": 1, "-type": 1, "-xtype": 1, "-maxdepth": 1,
	"-mindepth": 1, "-perm": 1, "-size": 1, "-user": 1, "-group": 1, "-uid": 1, "-gid": 1, "-mtime": 1,
	"-mmin": 1, "-atime": 1, "-amin": 1, "-ctime": 1, "-cmin": 1, "-newer": 1, "-printf": 1, "-fprint": 1,
	"-regex": 1, "-iregex": 1, "-links": 1, "-inum": 1, "-lname": 1, "-ilname": 1, "-samefile": 1,
}

func (fp *findParser) parsePrimary() (*findNode, string) {
	t := fp.peek()
	if t == "" {
		return nil, ""
	}
	if t == "(" {
		fp.pos++
		e, err := fp.parseOr()
		if err != "" {
			return nil, err
		}
		if fp.peek() != ")" {
			return nil, "invalid expression; I was expecting to find a ')' somewhere but did not see one."
		}
		fp.pos++
		if e == nil {
			return nil, "invalid expression; empty parentheses are not allowed."
		}
		return e, ""
	}
	if t == ")" {
		return nil, ""
	}
	fp.pos++
	if !strings.HasPrefix(t, "-") || t == "-" {
		return nil, fmt.Sprintf("paths must precede expression: %s", fp.st.c.quoteLoc(t))
	}
	n := &findNode{kind: "test", name: t}
	switch t {
	case "-print", "-print0", "-delete", "-ls", "-quit", "-prune":
		n.action = t != "-prune"
		if t == "-delete" {
			fp.st.depthFirst = true
		}
		if n.action {
			fp.hasAction = true
		}
		return n, ""
	case "-true", "-false", "-empty", "-executable", "-readable", "-writable", "-nouser", "-nogroup":
		return n, ""
	case "-depth", "-d":
		fp.st.depthFirst = true
		return &findNode{kind: "true"}, ""
	case "-xdev", "-mount", "-noleaf", "-ignore_readdir_race", "-follow", "-daystart":
		return &findNode{kind: "true"}, ""
	case "-exec", "-execdir", "-ok", "-okdir":
		var cmdArgs []string
		for fp.pos < len(fp.args) {
			a := fp.args[fp.pos]
			fp.pos++
			if a == ";" {
				n.execCmd = cmdArgs
				n.action = true
				fp.hasAction = true
				if len(cmdArgs) == 0 {
					return nil, fmt.Sprintf("missing argument to `%s'", t)
				}
				return n, ""
			}
			if a == "+" && len(cmdArgs) > 0 && cmdArgs[len(cmdArgs)-1] == "{}" {
				n.execCmd = cmdArgs
				n.execPlus = true
				n.action = true
				fp.hasAction = true
				return n, ""
			}
			cmdArgs = append(cmdArgs, a)
		}
		return nil, fmt.Sprintf("missing argument to `%s'", t)
	}
	cnt, known := findArgCount[t]
	if !known {
		return nil, fmt.Sprintf("unknown predicate `%s'", t)
	}
	if fp.pos+cnt > len(fp.args) {
		return nil, fmt.Sprintf("missing argument to `%s'", t)
	}
	n.args = fp.args[fp.pos : fp.pos+cnt]
	fp.pos += cnt
	switch t {
	case "-maxdepth", "-mindepth":
		v, err := strconv.Atoi(n.args[0])
		if err != nil || v < 0 {
			return nil, fmt.Sprintf("Expected a positive decimal integer argument to %s, but got %s", t, fp.st.c.quoteLoc(n.args[0]))
		}
		if t == "-maxdepth" {
			fp.st.maxDepth = v
		} else {
			fp.st.minDepth = v
		}
		return &findNode{kind: "true"}, ""
	case "-type", "-xtype":
		for _, part := range strings.Split(n.args[0], ",") {
			if len(part) != 1 || !strings.Contains("bcdpflsD", part) {
				if len(part) > 1 {
					return nil, fmt.Sprintf("Must separate multiple arguments to %s using: ','", t)
				}
				return nil, fmt.Sprintf("Unknown argument to %s: %s", t, part)
			}
		}
	case "-printf", "-fprint":
		n.action = true
		fp.hasAction = true
	case "-perm":
		if _, _, ok := findPerm(n.args[0]); !ok {
			return nil, fmt.Sprintf("invalid mode %s", fp.st.c.quoteLoc(n.args[0]))
		}
	case "-size":
		if _, _, _, ok := findSize(n.args[0]); !ok {
			return nil, fmt.Sprintf("invalid -size type `%s'", n.args[0])
		}
	}
	return n, ""
}

func (st *findState) walk(e findEntry, expr *findNode) {
	c := st.c
	if c.failed() || st.quit {
		return
	}
	isDir := e.meta.Mode.IsDir()
	st.pruned = false
	if !st.depthFirst && e.depth >= st.minDepth {
		st.eval(expr, e)
	}
	pruned := st.pruned
	if isDir && !pruned && (st.maxDepth < 0 || e.depth < st.maxDepth) {
		kids, err := c.FS.ReadDir(e.abs)
		if err != nil {
			c.errorf("%s: %s", c.quoteLoc(e.shown), errText(err))
			st.status = 1
		}
		for _, k := range kids {
			if st.quit {
				break
			}
			shown := e.shown + "/" + k.Name
			if strings.HasSuffix(e.shown, "/") {
				shown = e.shown + k.Name
			}
			st.walk(findEntry{shown: shown, abs: path.Join(e.abs, k.Name), meta: k, depth: e.depth + 1}, expr)
		}
	}
	if st.depthFirst && e.depth >= st.minDepth {
		st.eval(expr, e)
	}
}

func findPerm(s string) (byte, uint32, bool) {
	var prefix byte
	if s != "" && (s[0] == '-' || s[0] == '/' || s[0] == '+') {
		prefix, s = s[0], s[1:]
	}
	m, ok := parseChmod(s, 0, 0, false)
	return prefix, m, ok
}

func findSize(s string) (byte, int64, int64, bool) {
	var sign byte
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[0], s[1:]
	}
	unit := int64(512)
	if s != "" && !isDigit(s[len(s)-1]) {
		switch s[len(s)-1] {
		case 'c':
			unit = 1
		case 'w':
			unit = 2
		case 'b':
			unit = 512
		case 'k':
			unit = 1024
		case 'M':
			unit = 1 << 20
		case 'G':
			unit = 1 << 30
		default:
			return 0, 0, 0, false
		}
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, 0, 0, false
	}
	return sign, n, unit, true
}

func cmpNum(spec string, v int64) bool {
	switch {
	case strings.HasPrefix(spec, "+"):
		n, _ := strconv.ParseInt(spec[1:], 10, 64)
		return v > n
	case strings.HasPrefix(spec, "-"):
		n, _ := strconv.ParseInt(spec[1:], 10, 64)
		return v < n
	}
	n, _ := strconv.ParseInt(spec, 10, 64)
	return v == n
}

func typeLetter(m fs.FileMode) byte {
	switch {
	case m.IsDir():
		return 'd'
	case m&fs.ModeSymlink != 0:
		return 'l'
	case m&fs.ModeNamedPipe != 0:
		return 'p'
	case m&fs.ModeSocket != 0:
		return 's'
	case m&fs.ModeCharDevice != 0:
		return 'c'
	case m&fs.ModeDevice != 0:
		return 'b'
	}
	return 'f'
}

func (st *findState) eval(n *findNode, e findEntry) bool {
	c := st.c
	switch n.kind {
	case "true":
		return true
	case "and":
		return st.eval(n.l, e) && st.eval(n.r, e)
	case "or":
		return st.eval(n.l, e) || st.eval(n.r, e)
	case "not":
		return !st.eval(n.l, e)
	}
	m := e.meta
	switch n.name {
	case "-print":
		c.print(e.shown + "\n")
		return true
	case "-print0":
		c.print(e.shown + "\x00")
		return true
	case "-true":
		return true
	case "-false":
		return false
	case "-quit":
		st.quit = true
		return true
	case "-prune":
		st.pruned = true
		return true
	case "-name", "-iname":
		base := baseOf(e.shown)
		if e.depth == 0 {
			base = baseOf(e.shown)
		}
		return globMatch(n.args[0], base, n.name == "-iname")
	case "-path", "-wholename", "-ipath":
		return globMatchPath(n.args[0], e.shown, n.name == "-ipath")
	case "-lname", "-ilname":
		return m.Mode&fs.ModeSymlink != 0 && globMatch(n.args[0], m.Target, n.name == "-ilname")
	case "-regex", "-iregex":
		re, err := compileRegex(n.args[0], reEmacs, n.name == "-iregex")
		if err != nil {
			return false
		}
		loc := re.FindStringIndex(e.shown)
		return loc != nil && loc[0] == 0 && loc[1] == len(e.shown)
	case "-type":
		l := typeLetter(m.Mode)
		return strings.IndexByte(n.args[0], l) >= 0
	case "-xtype":
		mm := m
		if m.Mode&fs.ModeSymlink != 0 {
			if t, err := c.FS.Stat(e.abs); err == nil {
				mm = t
			}
		}
		return strings.IndexByte(n.args[0], typeLetter(mm.Mode)) >= 0
	case "-empty":
		if m.Mode.IsDir() {
			kids, err := c.FS.ReadDir(e.abs)
			return err == nil && len(kids) == 0
		}
		return m.Mode.IsRegular() && m.Size == 0
	case "-executable":
		return m.Mode&0o111 != 0
	case "-readable":
		return m.Mode&0o444 != 0
	case "-writable":
		return m.Mode&0o222 != 0
	case "-perm":
		prefix, want, _ := findPerm(n.args[0])
		have := unixMode(m.Mode)
		switch prefix {
		case '-':
			return have&want == want
		case '/', '+':
			return want == 0 || have&want != 0
		}
		return have&0o7777 == want
	case "-size":
		sign, num, unit, _ := findSize(n.args[0])
		sz := m.Size
		if m.Mode.IsDir() || m.Mode.IsRegular() || m.Mode&fs.ModeSymlink != 0 {
			sz = m.Size
		}
		v := (sz + unit - 1) / unit
		switch sign {
		case '+':
			return v > num
		case '-':
			return v < num
		}
		return v == num
	case "-user", "-group", "-uid", "-gid":
		if st.ids == nil {
			st.ids = c.loadIDNames()
		}
		arg := n.args[0]
		switch n.name {
		case "-user":
			if id, ok := st.ids.uids[arg]; ok {
				return m.UID == id
			}
			v, err := strconv.ParseUint(arg, 10, 32)
			return err == nil && uint32(v) == m.UID
		case "-group":
			if id, ok := st.ids.gids[arg]; ok {
				return m.GID == id
			}
			v, err := strconv.ParseUint(arg, 10, 32)
			return err == nil && uint32(v) == m.GID
		case "-uid":
			return cmpNum(arg, int64(m.UID))
		default:
			return cmpNum(arg, int64(m.GID))
		}
	case "-nouser", "-nogroup":
		if st.ids == nil {
			st.ids = c.loadIDNames()
		}
		if n.name == "-nouser" {
			_, ok := st.ids.users[m.UID]
			return !ok
		}
		_, ok := st.ids.groups[m.GID]
		return !ok
	case "-links":
		return cmpNum(n.args[0], int64(m.Nlink))
	case "-inum":
		return cmpNum(n.args[0], int64(m.Ino))
	case "-mtime", "-atime", "-ctime":
		t := m.MTime
		if n.name == "-atime" {
			t = m.ATime
		} else if n.name == "-ctime" {
			t = m.CTime
		}
		days := int64(st.now.Sub(t) / (24 * time.Hour))
		return cmpNum(n.args[0], days)
	case "-mmin", "-amin", "-cmin":
		t := m.MTime
		if n.name == "-amin" {
			t = m.ATime
		} else if n.name == "-cmin" {
			t = m.CTime
		}
		mins := int64((st.now.Sub(t) + time.Minute - 1) / time.Minute)
		return cmpNum(n.args[0], mins)
	case "-newer", "-samefile":
		ref, err := c.FS.Stat(c.abs(n.args[0]))
		if err != nil {
			return false
		}
		if n.name == "-samefile" {
			return ref.Ino == m.Ino
		}
		return m.MTime.After(ref.MTime)
	case "-delete":
		if e.depth == 0 && (e.shown == "." || e.shown == "./") {
			return true
		}
		if err := c.FS.Remove(e.abs); err != nil {
			c.errorf("cannot delete %s: %s", c.quoteLoc(e.shown), errText(err))
			st.status = 1
			return false
		}
		return true
	case "-ls":
		if st.ids == nil {
			st.ids = c.loadIDNames()
		}
		line := fmt.Sprintf("%9d %6d %s %3d %-8s %-8s %8d %s %s", m.Ino, blocks1K(m), modeString(m.Mode), m.Nlink,
			st.ids.user(m.UID), st.ids.group(m.GID), m.Size, findLsTime(m.MTime, st.now, c.location()), e.shown)
		if m.Mode&fs.ModeSymlink != 0 {
			line += " -> " + m.Target
		}
		c.print(line + "\n")
		return true
	case "-printf":
		c.print(st.printf(n.args[0], e))
		return true
	case "-fprint":
		_ = c.FS.AppendFile(c.abs(n.args[0]), []byte(e.shown+"\n"), 0o644)
		return true
	case "-exec", "-execdir", "-ok", "-okdir":
		if n.execPlus {
			st.plusBatch[n] = append(st.plusBatch[n], e.shown)
			return true
		}
		return st.runExec(n, []string{e.shown}) == 0
	}
	return false
}

func findLsTime(t, now time.Time, loc *time.Location) string {
	t = t.In(loc)
	six := now.Add(-time.Duration(31556952/2) * time.Second)
	if t.After(six) && !t.After(now) {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

// runExec runs an -exec command through the calling shell; {} becomes the path(s).
func (st *findState) runExec(n *findNode, paths []string) int {
	c := st.c
	if c.Sub == nil {
		return 1
	}
	var words []string
	for _, a := range n.execCmd {
		if n.execPlus && a == "{}" {
			for _, p := range paths {
				words = append(words, shSingleQuote(p))
			}
			continue
		}
		words = append(words, shSingleQuote(strings.ReplaceAll(a, "{}", paths[0])))
	}
	c.flush()
	rc := c.Sub(c.Ctx, strings.Join(words, " "), nil, c.Stdin, c.Stdout, c.Stderr)
	if rc != 0 && n.execPlus {
		st.status = 1
	}
	return rc
}

// shSingleQuote quotes s for a shell command line.
func shSingleQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (st *findState) printf(format string, e findEntry) string {
	var b bytes.Buffer
	m := e.meta
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' && i+1 < len(format) {
			i++
			switch format[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '0':
				b.WriteByte(0)
			case '\\':
				b.WriteByte('\\')
			default:
				b.WriteByte('\\')
				b.WriteByte(format[i])
			}
			continue
		}
		if ch != '%' || i+1 >= len(format) {
			b.WriteByte(ch)
			continue
		}
		i++
		// Width/flags.
		j := i
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		flags := format[i:j]
		i = j
		if i >= len(format) {
			break
		}
		var s string
		switch format[i] {
		case 'p':
			s = e.shown
		case 'f':
			s = baseOf(e.shown)
		case 'h':
			s = dirOf(e.shown)
		case 'P':
			s = e.shown
		case 's':
			s = strconv.FormatInt(m.Size, 10)
		case 'm':
			s = strconv.FormatUint(uint64(unixMode(m.Mode)), 8)
		case 'M':
			s = modeString(m.Mode)
		case 'u':
			if st.ids == nil {
				st.ids = st.c.loadIDNames()
			}
			s = st.ids.user(m.UID)
		case 'g':
			if st.ids == nil {
				st.ids = st.c.loadIDNames()
			}
			s = st.ids.group(m.GID)
		case 'U':
			s = strconv.FormatUint(uint64(m.UID), 10)
		case 'G':
			s = strconv.FormatUint(uint64(m.GID), 10)
		case 'd':
			s = strconv.Itoa(e.depth)
		case 'y':
			s = string(typeLetter(m.Mode))
		case 'l':
			s = m.Target
		case 'i':
			s = strconv.FormatUint(m.Ino, 10)
		case 'n':
			s = strconv.FormatUint(uint64(m.Nlink), 10)
		case 'k':
			s = strconv.FormatInt(blocks1K(m), 10)
		case 't':
			s = strftime("%a %b %e %H:%M:%S.0000000000 %Y", m.MTime.In(st.c.location()))
		case 'T':
			if i+1 < len(format) {
				i++
				s = strftime("%"+string(format[i]), m.MTime.In(st.c.location()))
			}
		case '%':
			s = "%"
		default:
			s = "%" + string(format[i])
		}
		if flags != "" {
			s = sprintfC("%"+flags+"s", s)
		}
		b.WriteString(s)
	}
	return b.String()
}
