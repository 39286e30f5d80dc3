package awk

import (
	"bytes"
	"strings"
)

// Regular expressions as mawk 1.3.4 20200120 reads and matches them. Its dialect is not quite
// POSIX ERE: there are no {n,m} intervals ('{' is an ordinary character), '^' and '$' are
// anchors wherever they appear, an unmatched ')' is literal, "\x" escapes are C escapes,
// bracket expressions know [:class:] but not [= =] or [. .], and matching is byte-wise and
// leftmost-longest. Go's regexp differs in all of these, so the expression is parsed the way
// mawk's operator-precedence parser does it (which also gives its error messages) and run on
// a small Pike VM.

// Regex tokens, numbered as mawk numbers them: the parser's precedence table is indexed by them.
const (
	tNone = iota
	tOr
	tCat
	tStar
	tPlus
	tQ
	tLP
	tRP
	tStart
	tEnd
	tAny
	tClass
	tSlash
	tChar
	tStr
	tU
)

const (
	precL  = 0
	precEQ = 1
	precG  = 2
)

// reTable is mawk's operator precedence table: rows are the operator on the stack, columns
// the incoming token (0, |, CAT, *, +, ?, (, )). Negative entries are errors.
var reTable = [8][8]int8{
	{0, precL, precL, precL, precL, precL, precL, -1},
	{precG, precG, precL, precL, precL, precL, precL, precG},
	{precG, precG, precG, precL, precL, precL, precL, precG},
	{precG, precG, precG, precG, precG, precG, -7, precG},
	{precG, precG, precG, precG, precG, precG, -7, precG},
	{precG, precG, precG, precG, precG, precG, -7, precG},
	{-2, precL, precL, precL, precL, precL, precL, precEQ},
	{precG, precG, precG, precG, precG, precG, -7, precG},
}

var reErrors = [...]string{
	"",
	"missing '('",
	"missing ')'",
	"bad class -- [], [^] or [",
	"missing operand",
	"resource exhaustion -- regular expression too large",
	"syntax error ^* or ^+",
}

// reError is a compile failure; its text is mawk's.
type reError struct{ code int }

func (e *reError) Error() string { return reErrors[e.code] }

type reOp uint8

const (
	rnEmpty reOp = iota // matches the empty string
	rnStr
	rnAny
	rnClass
	rnStart
	rnEnd
	rnU // .* as one machine
	rnCat
	rnOr
	rnStar
	rnPlus
	rnQ
)

type reNode struct {
	op    reOp
	str   []byte
	cls   *byteSet
	endOn bool // the machine must end at the end of the subject ("x$")
	a, b  *reNode
}

type byteSet [4]uint64

func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) set(c int)       { s[c>>6] |= 1 << (uint(c) & 63) }

// Regex is a compiled mawk regular expression.
type Regex struct {
	src     string
	prog    []reInst
	literal string // when the expression is a plain string without anchors
	isLit   bool
	empty   bool
}

type reLexer struct {
	re         []byte
	lp         int
	prev       int
	nest       int
	plusIsStar bool
}

const reNotStarted = -1

func tokenOf(c byte) int {
	switch c {
	case '$':
		return tEnd
	case '(':
		return tLP
	case ')':
		return tRP
	case '*':
		return tStar
	case '+':
		return tPlus
	case '.':
		return tAny
	case '?':
		return tQ
	case '[':
		return tClass
	case '\\':
		return tSlash
	case '^':
		return tStart
	case '|':
		return tOr
	}
	return tChar
}

func (l *reLexer) at(i int) byte {
	if i < len(l.re) {
		return l.re[i]
	}
	return 0
}

// lex returns the next token; operands come with their machine.
func (l *reLexer) lex() (int, *reNode) {
	if l.lp >= len(l.re) {
		return 0, nil
	}
	c := tokenOf(l.re[l.lp])
	switch c {
	case tPlus, tStar:
		if l.prev == tStart {
			panic(&reError{6})
		}
		l.lp++
		l.prev = c
		return c, nil
	case tOr, tQ:
		l.lp++
		l.prev = c
		return c, nil
	case tRP:
		if l.nest == 0 {
			c = tChar // ) without ( is ordinary
			break
		}
		l.nest--
		l.lp++
		l.prev = c
		return c, nil
	case tLP:
		switch l.prev {
		case tChar, tStr, tAny, tClass, tStart, tRP, tPlus, tStar, tQ, tU:
			l.prev = tCat
			return tCat, nil
		}
		l.nest++
		l.lp++
		l.prev = tLP
		return tLP, nil
	}
	switch l.prev {
	case reNotStarted, tOr, tLP, tCat:
	default:
		l.prev = tCat
		return tCat, nil
	}
	var m *reNode
	switch c {
	case tAny:
		l.lp++
		switch {
		case l.at(l.lp) == '*' && l.lp < len(l.re):
			l.lp++
			l.prev = tU
			return tU, &reNode{op: rnU}
		case l.at(l.lp) == '+' && l.lp < len(l.re):
			if l.plusIsStar {
				l.lp++
				l.plusIsStar = false
				l.prev = tU
				return tU, &reNode{op: rnU}
			}
			l.plusIsStar = true
			l.lp--
			l.prev = tAny
			return tAny, &reNode{op: rnAny}
		}
		m = &reNode{op: rnAny}
		l.prev = tAny
	case tSlash:
		l.lp++
		ch := l.escape()
		m = l.doStr(ch)
		l.prev = tStr
	case tChar:
		ch := l.re[l.lp]
		l.lp++
		m = l.doStr(ch)
		l.prev = tStr
	case tClass:
		m = l.doClass()
		l.prev = tClass
	case tStart:
		m = &reNode{op: rnStart}
		l.lp++
		l.prev = tStart
	case tEnd:
		l.lp++
		l.prev = tEnd
		return tEnd, &reNode{op: rnEnd}
	}
	if l.lp < len(l.re) && l.re[l.lp] == '$' {
		m.endOn = true
		l.lp++
	}
	return l.prev, m
}

// doStr collects a run of ordinary characters; a run that ends at *, + or ? leaves its last
// character for the operator.
func (l *reLexer) doStr(first byte) *reNode {
	s := []byte{first}
	pt := -1
	p := l.lp
	for p < len(l.re) {
		switch tokenOf(l.re[p]) {
		case tChar:
			pt = p
			s = append(s, l.re[p])
			p++
			continue
		case tSlash:
			pt = p
			l.lp = p + 1
			s = append(s, l.escape())
			p = l.lp
			continue
		}
		break
	}
	if len(s) > 1 && p < len(l.re) && (l.re[p] == '*' || l.re[p] == '+' || l.re[p] == '?') {
		s = s[:len(s)-1]
		p = pt
	}
	l.lp = p
	return &reNode{op: rnStr, str: s}
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escape reads the escape after a backslash at l.lp.
func (l *reLexer) escape() byte {
	if l.lp >= len(l.re) {
		return '\\'
	}
	c := l.re[l.lp]
	switch c {
	case 'n':
		l.lp++
		return '\n'
	case 't':
		l.lp++
		return '\t'
	case 'f':
		l.lp++
		return '\f'
	case 'b':
		l.lp++
		return '\b'
	case 'r':
		l.lp++
		return '\r'
	case 'a':
		l.lp++
		return 7
	case 'v':
		l.lp++
		return 11
	case '0', '1', '2', '3', '4', '5', '6', '7':
		x := int(c - '0')
		l.lp++
		for k := 0; k < 2 && l.lp < len(l.re) && l.re[l.lp] >= '0' && l.re[l.lp] <= '7'; k++ {
			x = x<<3 + int(l.re[l.lp]-'0')
			l.lp++
		}
		return byte(x)
	case 'x':
		l.lp++
		x := hexVal(l.at(l.lp))
		if l.lp >= len(l.re) || x < 0 {
			return 'x'
		}
		l.lp++
		if y := hexVal(l.at(l.lp)); l.lp < len(l.re) && y >= 0 {
			x = x<<4 + y
			l.lp++
		}
		return byte(x)
	}
	l.lp++
	return c
}

var cclassNames = []string{"alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"}

func cclassHas(name string, c int) bool {
	isUpper := c >= 'A' && c <= 'Z'
	isLower := c >= 'a' && c <= 'z'
	isDigit := c >= '0' && c <= '9'
	switch name {
	case "alnum":
		return isUpper || isLower || isDigit
	case "alpha":
		return isUpper || isLower
	case "blank":
		return c == ' ' || c == '\t'
	case "cntrl":
		return c < 32 || c == 127
	case "digit":
		return isDigit
	case "graph":
		return c > 32 && c < 127
	case "lower":
		return isLower
	case "print":
		return c >= 32 && c < 127
	case "punct":
		return c > 32 && c < 127 && !(isUpper || isLower || isDigit)
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r')
	case "upper":
		return isUpper
	case "xdigit":
		return isDigit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
	}
	return false
}

// cclassAt reads "[:name:]" at p; ok is false when p does not start with "[:". A "[:" that
// is not a known class is an error, as in mawk.
func (l *reLexer) cclassAt(p int) (name string, next int, ok bool) {
	if l.at(p) != '[' || l.at(p+1) != ':' || p+1 >= len(l.re) {
		return "", p, false
	}
	rest := l.re[p+2:]
	i := bytes.IndexByte(rest, ':')
	if i < 0 || i+1 >= len(rest) || rest[i+1] != ']' {
		panic(&reError{3})
	}
	name = string(rest[:i])
	for _, n := range cclassNames {
		if n == name {
			return name, p + 2 + i + 2, true
		}
	}
	panic(&reError{3})
}

func (l *reLexer) doClass() *reNode {
	start := l.lp
	p := start + 1
	literalLeftSq := func(i int) bool {
		if l.at(i) != '[' || i >= len(l.re) {
			return false
		}
		_, _, ok := l.cclassAt(i)
		return !ok
	}
	if literalLeftSq(p) || (p < len(l.re) && l.re[p] == ']') {
		p++
	} else if p < len(l.re) && l.re[p] == '^' && (literalLeftSq(p+1) || (p+1 < len(l.re) && l.re[p+1] == ']')) {
		p += 2
	}
	q := p
	level := 0
	for ; ; q++ {
		if q >= len(l.re) {
			panic(&reError{3})
		}
		switch {
		case l.re[q] == '[' && l.at(q+1) == ':' && q+1 < len(l.re):
			level++
			if level > 1 {
				panic(&reError{3})
			}
		case l.re[q] == ']':
			if level == 0 {
				goto found
			}
			if l.re[q-1] != ':' {
				panic(&reError{3})
			}
			level--
		case l.re[q] == '\\':
			q++
			if q >= len(l.re) {
				panic(&reError{3})
			}
		}
	}
found:
	p = start + 1
	l.lp = q + 1
	set := new(byteSet)
	neg := false
	if l.re[p] == '^' {
		neg = true
		p++
	}
	prevc := -1
	for p < q {
		switch l.re[p] {
		case '\\':
			save := l.lp
			l.lp = p + 1
			prevc = int(l.escape())
			p = l.lp
			l.lp = save
			set.set(prevc)
		case '[':
			if name, next, ok := l.cclassAt(p); ok {
				for c := 0; c < 256; c++ {
					if cclassHas(name, c) {
						set.set(c)
					}
				}
				p = next
			} else {
				prevc = int(l.re[p])
				p++
				set.set(prevc)
			}
		case '-':
			if prevc == -1 || p+1 == q {
				prevc = '-'
				set.set('-')
				p++
				break
			}
			p++
			mark := p
			var c int
			if l.re[p] != '\\' {
				c = int(l.re[p])
				p++
			} else {
				save := l.lp
				l.lp = p + 1
				c = int(l.escape())
				p = l.lp
				l.lp = save
			}
			if prevc <= c {
				for x := prevc; x <= c; x++ {
					set.set(x)
				}
				prevc = -1
			} else {
				p = mark
				prevc = '-'
				set.set('-')
			}
		default:
			prevc = int(l.re[p])
			set.set(prevc)
			p++
		}
	}
	if neg {
		for i := range set {
			set[i] = ^set[i]
		}
	}
	return &reNode{op: rnClass, cls: set}
}

// parseRegex runs mawk's operator-precedence parser over re.
func parseRegex(re string) (node *reNode, err error) {
	if re == "" {
		return &reNode{op: rnEmpty}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*reError)
			if !ok {
				panic(r)
			}
			node, err = nil, e
		}
	}()
	const stackSize = 64
	l := &reLexer{re: []byte(re), prev: reNotStarted}
	type op struct{ token, prec int }
	ops := []op{{token: 0}}
	var ms []*reNode
	t, m := l.lex()
	for {
		switch t {
		case tStr, tAny, tU, tStart, tEnd, tClass:
			ms = append(ms, m)
		default:
			if t == 0 && ops[len(ops)-1].token == 0 {
				if len(ms) != 1 {
					return nil, &reError{4}
				}
				return ms[0], nil
			}
			top := &ops[len(ops)-1]
			top.prec = int(reTable[top.token][t])
			if top.prec == precG {
				for {
					o := ops[len(ops)-1]
					if o.token <= tCat {
						if len(ms) == 1 && o.token == tCat {
							ops = ops[:len(ops)-1]
							if ops[len(ops)-1].prec == precL {
								break
							}
							continue
						}
						if len(ms) < 2 {
							panic(&reError{4})
						}
					} else if len(ms) < 1 {
						panic(&reError{4})
					}
					n := len(ms) - 1
					switch o.token {
					case tCat:
						ms[n-1] = &reNode{op: rnCat, a: ms[n-1], b: ms[n]}
						ms = ms[:n]
					case tOr:
						ms[n-1] = &reNode{op: rnOr, a: ms[n-1], b: ms[n]}
						ms = ms[:n]
					case tStar:
						ms[n] = &reNode{op: rnStar, a: ms[n]}
					case tPlus:
						ms[n] = &reNode{op: rnPlus, a: ms[n]}
					case tQ:
						ms[n] = &reNode{op: rnQ, a: ms[n]}
					case tNone:
						ms = ms[:n]
					}
					ops = ops[:len(ops)-1]
					if ops[len(ops)-1].prec == precL {
						break
					}
				}
				continue
			}
			if top.prec < 0 {
				if top.prec == -7 {
					return nil, &reError{4}
				}
				panic(&reError{-top.prec})
			}
			if len(ops) == stackSize {
				panic(&reError{5})
			}
			ops = append(ops, op{token: t})
		}
		if len(ms) >= stackSize-1 {
			panic(&reError{5})
		}
		t, m = l.lex()
	}
}

// Pike VM program.
type reInst struct {
	op   uint8
	c    byte
	cls  *byteSet
	x, y int
}

const (
	iByte uint8 = iota
	iClass
	iAny
	iSplit
	iJmp
	iBOL
	iEOL
	iMatch
)

type reCompiler struct{ prog []reInst }

func (c *reCompiler) emit(i reInst) int {
	c.prog = append(c.prog, i)
	return len(c.prog) - 1
}

func (c *reCompiler) gen(n *reNode) {
	switch n.op {
	case rnEmpty:
	case rnStr:
		for _, b := range n.str {
			c.emit(reInst{op: iByte, c: b})
		}
	case rnAny:
		c.emit(reInst{op: iAny})
	case rnClass:
		c.emit(reInst{op: iClass, cls: n.cls})
	case rnStart:
		c.emit(reInst{op: iBOL})
	case rnEnd:
		c.emit(reInst{op: iEOL})
	case rnU:
		s := c.emit(reInst{op: iSplit})
		c.emit(reInst{op: iAny})
		c.emit(reInst{op: iJmp, x: s})
		c.prog[s].x, c.prog[s].y = s+1, len(c.prog)
	case rnCat:
		c.gen(n.a)
		c.gen(n.b)
	case rnOr:
		s := c.emit(reInst{op: iSplit})
		c.gen(n.a)
		j := c.emit(reInst{op: iJmp})
		c.prog[s].x, c.prog[s].y = s+1, len(c.prog)
		c.gen(n.b)
		c.prog[j].x = len(c.prog)
	case rnStar:
		s := c.emit(reInst{op: iSplit})
		c.gen(n.a)
		c.emit(reInst{op: iJmp, x: s})
		c.prog[s].x, c.prog[s].y = s+1, len(c.prog)
	case rnPlus:
		start := len(c.prog)
		c.gen(n.a)
		c.emit(reInst{op: iSplit, x: start, y: len(c.prog) + 1})
	case rnQ:
		s := c.emit(reInst{op: iSplit})
		c.gen(n.a)
		c.prog[s].x, c.prog[s].y = s+1, len(c.prog)
	}
	if n.endOn {
		c.emit(reInst{op: iEOL})
	}
}

// compileRegex compiles a mawk regular expression.
func compileRegex(src string) (*Regex, error) {
	n, err := parseRegex(src)
	if err != nil {
		return nil, err
	}
	r := &Regex{src: src, empty: src == ""}
	if n.op == rnStr && !n.endOn {
		r.isLit = true
		r.literal = string(n.str)
	}
	c := &reCompiler{}
	c.gen(n)
	c.emit(reInst{op: iMatch})
	r.prog = c.prog
	return r, nil
}

type reThread struct {
	pc    int
	start int
}

// reMachine holds the VM's work lists so that matching allocates nothing per call.
type reMachine struct {
	clist, nlist []reThread
	cseen, nseen []uint32
	gen          uint32
	stack        []int
}

// ticker is told how much work matching did, so that a long match on a large string still
// notices that the session ended.
type ticker interface{ spend(n int) }

// Match returns the leftmost-longest match of r in s. noBOL forbids '^' from matching at the
// start of s (gsub and split continue matching mid-string).
func (r *Regex) Match(s string, noBOL bool, tk ticker) (start, end int, ok bool) {
	if r.isLit {
		i := strings.Index(s, r.literal)
		if i < 0 {
			return 0, 0, false
		}
		return i, i + len(r.literal), true
	}
	return r.run(s, noBOL, false, tk)
}

// MatchString reports whether r matches anywhere in s.
func (r *Regex) MatchString(s string, tk ticker) bool {
	if r.isLit {
		return strings.Contains(s, r.literal)
	}
	_, _, ok := r.run(s, false, true, tk)
	return ok
}

func (r *Regex) run(s string, noBOL, anyMatch bool, tk ticker) (int, int, bool) {
	n := len(r.prog)
	m := &reMachine{
		clist: make([]reThread, 0, n),
		nlist: make([]reThread, 0, n),
		cseen: make([]uint32, n),
		nseen: make([]uint32, n),
	}
	bestStart, bestEnd := -1, -1
	m.gen = 1
	for pos := 0; ; pos++ {
		if tk != nil && pos&1023 == 1023 {
			tk.spend(len(m.clist) * 1024)
		}
		if bestStart < 0 {
			// Seed a thread starting here; it has the largest start so far, so it goes last.
			m.add(r, &m.clist, m.cseen, reThread{pc: 0, start: pos}, pos, s, noBOL)
		}
		if len(m.clist) == 0 {
			if bestStart >= 0 || pos >= len(s) {
				break
			}
			continue
		}
		m.nlist = m.nlist[:0]
		m.gen++
		for _, t := range m.clist {
			if bestStart >= 0 && t.start > bestStart {
				continue
			}
			in := &r.prog[t.pc]
			switch in.op {
			case iMatch:
				if bestStart < 0 || t.start < bestStart || (t.start == bestStart && pos > bestEnd) {
					bestStart, bestEnd = t.start, pos
					if anyMatch {
						return bestStart, bestEnd, true
					}
				}
			case iByte:
				if pos < len(s) && s[pos] == in.c {
					m.add(r, &m.nlist, m.nseen, reThread{pc: t.pc + 1, start: t.start}, pos+1, s, noBOL)
				}
			case iClass:
				if pos < len(s) && in.cls.has(s[pos]) {
					m.add(r, &m.nlist, m.nseen, reThread{pc: t.pc + 1, start: t.start}, pos+1, s, noBOL)
				}
			case iAny:
				if pos < len(s) {
					m.add(r, &m.nlist, m.nseen, reThread{pc: t.pc + 1, start: t.start}, pos+1, s, noBOL)
				}
			}
		}
		m.clist, m.nlist = m.nlist, m.clist
		m.cseen, m.nseen = m.nseen, m.cseen
		if pos >= len(s) {
			break
		}
	}
	if bestStart < 0 {
		return 0, 0, false
	}
	return bestStart, bestEnd, true
}

// add follows epsilon transitions from t at position pos and appends the threads that wait
// on input (or match) to list, keeping the first (leftmost-starting) thread per pc.
func (m *reMachine) add(r *Regex, list *[]reThread, seen []uint32, t reThread, pos int, s string, noBOL bool) {
	gen := m.gen
	m.stack = append(m.stack[:0], t.pc)
	for len(m.stack) > 0 {
		pc := m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
		if seen[pc] == gen {
			continue
		}
		seen[pc] = gen
		in := &r.prog[pc]
		switch in.op {
		case iJmp:
			m.stack = append(m.stack, in.x)
		case iSplit:
			m.stack = append(m.stack, in.y, in.x)
		case iBOL:
			if pos == 0 && !noBOL {
				m.stack = append(m.stack, pc+1)
			}
		case iEOL:
			if pos == len(s) {
				m.stack = append(m.stack, pc+1)
			}
		default:
			*list = append(*list, reThread{pc: pc, start: t.start})
		}
	}
}
