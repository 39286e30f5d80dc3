package shell

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
)

// Arithmetic follows bash's expr.c: the expression text is first expanded as if double
// quoted, then parsed and evaluated with 64-bit wrap-around, variables evaluated
// recursively as expressions, and errors worded with the expression and the token at fault.

// arithError is one of bash's arithmetic errors: "EXPR: MSG (error token is "TOK")".
type arithError struct {
	expr, msg, tok string
}

func (e *arithError) Error() string {
	s := e.expr + ": " + e.msg
	if e.tok != "" || e.msg == "syntax error: operand expected" || strings.HasPrefix(e.msg, "syntax error") {
		s += ` (error token is "` + e.tok + `")`
	}
	return s
}

const maxArithDepth = 1024

// evalArith expands and evaluates an arithmetic expression text.
func (r *runner) evalArith(text string) (int64, error) {
	if strings.ContainsAny(text, "$`") {
		s, err := r.expandString(text)
		if err != nil {
			return 0, err
		}
		text = s
	}
	if strings.Contains(text, `"`) {
		text = strings.ReplaceAll(text, `"`, "")
	}
	return r.arithString(text, 0)
}

// arithString evaluates an already expanded expression.
func (r *runner) arithString(text string, depth int) (int64, error) {
	if n, ok := plainInt(text); ok {
		return n, nil
	}
	if depth > maxArithDepth {
		return 0, &arithError{expr: strings.TrimLeft(text, " \t\n"), msg: "expression recursion level exceeded", tok: strings.TrimLeft(text, " \t\n")}
	}
	p := &arithParser{r: r, src: text, depth: depth}
	p.expr = strings.TrimLeft(text, " \t\n")
	p.next()
	if p.err != nil {
		return 0, p.err
	}
	if p.tok.kind == tEOF {
		return 0, nil
	}
	v := p.comma()
	if p.err != nil {
		return 0, p.err
	}
	if p.tok.kind != tEOF {
		p.fail("syntax error in expression", p.tok.pos)
		return 0, p.err
	}
	return v, nil
}

// plainInt is the fast path for decimal integers.
func plainInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 18 {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

type arithTokKind int

const (
	tEOF arithTokKind = iota
	tNum
	tName
	tOp
	tBad
)

type arithTok struct {
	kind   arithTokKind
	s      string // operator text, number text, or name
	sub    string // subscript of name[sub]
	hasSub bool
	pos    int
}

type arithParser struct {
	r      *runner
	src    string
	expr   string // the expression as bash prints it in errors
	pos    int
	tok    arithTok
	last   int // start of the last token read (bash's lasttp)
	prim   int // start of the last operand token read
	noeval int
	depth  int
	err    error
}

func (p *arithParser) fail(msg string, at int) {
	if p.err != nil {
		return
	}
	tok := ""
	if at >= 0 && at <= len(p.src) {
		tok = p.src[at:]
	}
	p.err = &arithError{expr: p.expr, msg: msg, tok: tok}
}

var arithOps = []string{"<<=", ">>=", "**", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=",
	"+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "^", "|", "?", ":", "=", "(", ")", ","}

func (p *arithParser) next() {
	if p.err != nil {
		p.tok = arithTok{kind: tEOF, pos: len(p.src)}
		return
	}
	s := p.src
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n' || s[p.pos] == '\r') {
		p.pos++
	}
	if p.tok.kind != tEOF || p.pos > 0 {
		p.last = p.tok.pos
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = arithTok{kind: tEOF, pos: len(s)}
		return
	}
	c := s[p.pos]
	switch {
	case c >= '0' && c <= '9':
		for p.pos < len(s) && (isAlnum(s[p.pos]) || s[p.pos] == '#' || s[p.pos] == '@' || s[p.pos] == '_') {
			p.pos++
		}
		p.tok = arithTok{kind: tNum, s: s[start:p.pos], pos: start}
		return
	case isAlpha(c) || c == '_':
		for p.pos < len(s) && (isAlnum(s[p.pos]) || s[p.pos] == '_') {
			p.pos++
		}
		t := arithTok{kind: tName, s: s[start:p.pos], pos: start}
		if p.pos < len(s) && s[p.pos] == '[' {
			depth := 0
			j := p.pos
			for ; j < len(s); j++ {
				if s[j] == '[' {
					depth++
				} else if s[j] == ']' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(s) {
				p.fail("bad array subscript", start)
				p.tok = arithTok{kind: tEOF, pos: len(s)}
				return
			}
			t.sub, t.hasSub = s[p.pos+1:j], true
			p.pos = j + 1
		}
		p.tok = t
		return
	}
	for _, op := range arithOps {
		if strings.HasPrefix(s[p.pos:], op) {
			p.pos += len(op)
			p.tok = arithTok{kind: tOp, s: op, pos: start}
			return
		}
	}
	p.tok = arithTok{kind: tBad, s: string(c), pos: start}
	p.fail("syntax error: invalid arithmetic operator", start)
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func (p *arithParser) is(op string) bool { return p.tok.kind == tOp && p.tok.s == op }

// comma: expr (',' expr)*
func (p *arithParser) comma() int64 {
	v := p.assign()
	for p.err == nil && p.is(",") {
		p.next()
		v = p.assign()
	}
	return v
}

func (p *arithParser) assign() int64 {
	if p.tok.kind == tName {
		// look ahead for an assignment operator
		save, savePos, saveLast := p.tok, p.pos, p.last
		p.next()
		if p.tok.kind == tOp {
			switch op := p.tok.s; op {
			case "=", "*=", "/=", "%=", "+=", "-=", "<<=", ">>=", "&=", "^=", "|=":
				opPos := p.tok.pos
				p.next()
				rhs := p.assign()
				if p.err != nil {
					return 0
				}
				v := rhs
				if op != "=" {
					old := p.value(save)
					v = p.binop(op[:len(op)-1], old, rhs, opPos)
					if p.err != nil {
						return 0
					}
				}
				if p.noeval == 0 {
					p.setVar(save, v)
				}
				return v
			}
		}
		p.tok, p.pos, p.last = save, savePos, saveLast
	}
	v := p.cond()
	if p.err == nil && p.tok.kind == tOp {
		switch p.tok.s {
		case "=", "*=", "/=", "%=", "+=", "-=", "<<=", ">>=", "&=", "^=", "|=":
			p.fail("attempted assignment to non-variable", p.tok.pos)
		}
	}
	return v
}

func (p *arithParser) cond() int64 {
	c := p.lor()
	if p.err != nil || !p.is("?") {
		return c
	}
	p.next()
	if c == 0 {
		p.noeval++
	}
	a := p.comma()
	if c == 0 {
		p.noeval--
	}
	if p.err != nil {
		return 0
	}
	if !p.is(":") {
		p.fail("`:' expected for conditional expression", p.tok.pos)
		return 0
	}
	p.next()
	if c != 0 {
		p.noeval++
	}
	b := p.cond()
	if c != 0 {
		p.noeval--
	}
	if c != 0 {
		return a
	}
	return b
}

func (p *arithParser) lor() int64 {
	v := p.land()
	for p.err == nil && p.is("||") {
		p.next()
		if v != 0 {
			p.noeval++
		}
		w := p.land()
		if v != 0 {
			p.noeval--
		}
		v = b2i(v != 0 || w != 0)
	}
	return v
}

func (p *arithParser) land() int64 {
	v := p.bor()
	for p.err == nil && p.is("&&") {
		p.next()
		if v == 0 {
			p.noeval++
		}
		w := p.bor()
		if v == 0 {
			p.noeval--
		}
		v = b2i(v != 0 && w != 0)
	}
	return v
}

func (p *arithParser) bor() int64 {
	v := p.bxor()
	for p.err == nil && p.is("|") {
		p.next()
		v |= p.bxor()
	}
	return v
}

func (p *arithParser) bxor() int64 {
	v := p.band()
	for p.err == nil && p.is("^") {
		p.next()
		v ^= p.band()
	}
	return v
}

func (p *arithParser) band() int64 {
	v := p.eq()
	for p.err == nil && p.is("&") {
		p.next()
		v &= p.eq()
	}
	return v
}

func (p *arithParser) eq() int64 {
	v := p.rel()
	for p.err == nil && (p.is("==") || p.is("!=")) {
		op := p.tok.s
		p.next()
		w := p.rel()
		if op == "==" {
			v = b2i(v == w)
		} else {
			v = b2i(v != w)
		}
	}
	return v
}

func (p *arithParser) rel() int64 {
	v := p.shift()
	for p.err == nil && (p.is("<") || p.is(">") || p.is("<=") || p.is(">=")) {
		op := p.tok.s
		p.next()
		w := p.shift()
		switch op {
		case "<":
			v = b2i(v < w)
		case ">":
			v = b2i(v > w)
		case "<=":
			v = b2i(v <= w)
		default:
			v = b2i(v >= w)
		}
	}
	return v
}

func (p *arithParser) shift() int64 {
	v := p.add()
	for p.err == nil && (p.is("<<") || p.is(">>")) {
		op := p.tok.s
		p.next()
		w := p.add()
		v = p.binop(op, v, w, 0)
	}
	return v
}

func (p *arithParser) add() int64 {
	v := p.mul()
	for p.err == nil && (p.is("+") || p.is("-")) {
		op := p.tok.s
		p.next()
		w := p.mul()
		v = p.binop(op, v, w, 0)
	}
	return v
}

func (p *arithParser) mul() int64 {
	v := p.pow()
	for p.err == nil && (p.is("*") || p.is("/") || p.is("%")) {
		op := p.tok.s
		p.next()
		w := p.pow()
		if p.err != nil {
			return 0
		}
		v = p.binop(op, v, w, 0)
	}
	return v
}

func (p *arithParser) pow() int64 {
	v := p.unary()
	if p.err == nil && p.is("**") {
		p.next()
		w := p.pow()
		if p.err != nil {
			return 0
		}
		v = p.binop("**", v, w, 0)
	}
	return v
}

// binop applies a binary operator with bash's semantics.
func (p *arithParser) binop(op string, v, w int64, _ int) int64 {
	switch op {
	case "+":
		return v + w
	case "-":
		return v - w
	case "*":
		return v * w
	case "/", "%":
		if w == 0 {
			if p.noeval > 0 {
				return 0
			}
			p.fail("division by 0", p.prim)
			return 0
		}
		if op == "/" {
			return v / w
		}
		return v % w
	case "**":
		if w < 0 {
			p.fail("exponent less than 0", p.prim)
			return 0
		}
		res := int64(1)
		for w > 0 {
			if w&1 != 0 {
				res *= v
			}
			v *= v
			w >>= 1
		}
		return res
	case "<<":
		return v << (uint64(w) & 63)
	case ">>":
		return v >> (uint64(w) & 63)
	case "&":
		return v & w
	case "|":
		return v | w
	case "^":
		return v ^ w
	}
	return 0
}

func (p *arithParser) unary() int64 {
	if p.err != nil {
		return 0
	}
	if p.tok.kind == tOp {
		switch op := p.tok.s; op {
		case "!":
			p.next()
			return b2i(p.unary() == 0)
		case "~":
			p.next()
			return ^p.unary()
		case "-":
			p.next()
			return -p.unary()
		case "+":
			p.next()
			return p.unary()
		case "++", "--":
			opPos := p.tok.pos
			p.next()
			if p.tok.kind != tName {
				// bash reads "++x" as "+(+x)" when no variable follows
				if p.tok.kind == tEOF {
					p.fail("syntax error: operand expected", opPos)
					return 0
				}
				v := p.unary()
				if op == "--" {
					return v
				}
				return v
			}
			t := p.tok
			p.prim = t.pos
			p.next()
			v := p.value(t)
			if op == "++" {
				v++
			} else {
				v--
			}
			if p.noeval == 0 {
				p.setVar(t, v)
			}
			return v
		}
	}
	return p.postfix()
}

func (p *arithParser) postfix() int64 {
	if p.tok.kind == tName {
		t := p.tok
		p.prim = t.pos
		p.next()
		v := p.value(t)
		if p.err == nil && (p.is("++") || p.is("--")) {
			nv := v + 1
			if p.tok.s == "--" {
				nv = v - 1
			}
			if p.noeval == 0 {
				p.setVar(t, nv)
			}
			p.next()
		}
		return v
	}
	return p.primary()
}

func (p *arithParser) primary() int64 {
	switch p.tok.kind {
	case tNum:
		t := p.tok
		p.prim = t.pos
		n, ok := parseArithNum(t.s)
		if !ok {
			p.fail("value too great for base", t.pos)
			return 0
		}
		p.next()
		return n
	case tOp:
		if p.is("(") {
			p.next()
			v := p.comma()
			if p.err != nil {
				return 0
			}
			if !p.is(")") {
				p.fail("missing `)'", p.tok.pos)
				return 0
			}
			p.next()
			return v
		}
		p.fail("syntax error: operand expected", p.tok.pos)
		return 0
	case tEOF:
		p.fail("syntax error: operand expected", p.last)
		return 0
	}
	p.fail("syntax error: operand expected", p.tok.pos)
	return 0
}

// parseArithNum parses bash integer constants: 10, 010 (octal), 0x1f, base#digits.
func parseArithNum(s string) (int64, bool) {
	base := int64(10)
	digits := s
	if b, d, ok := strings.Cut(s, "#"); ok {
		n, err := strconv.Atoi(b)
		if err != nil || n < 2 || n > 64 {
			return 0, false
		}
		base, digits = int64(n), d
		if digits == "" {
			return 0, false
		}
	} else if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		base, digits = 16, s[2:]
		if digits == "" {
			return 0, true
		}
	} else if len(s) > 1 && s[0] == '0' {
		base, digits = 8, s[1:]
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'z':
			d = int64(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			if base <= 36 {
				d = int64(c-'A') + 10
			} else {
				d = int64(c-'A') + 36
			}
		case c == '@':
			d = 62
		case c == '_':
			d = 63
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		n = n*base + d
	}
	return n, true
}

// value reads a variable (or array element) as an arithmetic operand.
func (p *arithParser) value(t arithTok) int64 {
	if p.err != nil {
		return 0
	}
	s, err := p.r.arithVarString(t.s, t.sub, t.hasSub, p.noeval > 0)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return 0
	}
	if s == "" {
		return 0
	}
	if n, ok := plainInt(s); ok {
		return n
	}
	v, err := p.r.arithString(s, p.depth+1)
	if err != nil && p.err == nil {
		var ae *arithError
		if errorsAs(err, &ae) && ae.msg == "expression recursion level exceeded" {
			ae.expr, ae.tok = t.s, t.s
		}
		p.err = err
	}
	return v
}

// setVar assigns an arithmetic result.
func (p *arithParser) setVar(t arithTok, v int64) {
	if p.err != nil {
		return
	}
	if err := p.r.arithAssign(t.s, t.sub, t.hasSub, v); err != nil {
		p.err = err
	}
}

// arithVarString returns the value of name or name[sub].
func (r *runner) arithVarString(name, sub string, hasSub, noeval bool) (string, error) {
	if !hasSub {
		if name == "LINENO" || name == "RANDOM" || name == "SECONDS" {
			return shellEnv{r}.Get(name).String(), nil
		}
		v := shellEnv{r}.Get(name)
		if !v.IsSet() && r.opts.nounset && !noeval {
			return "", shellErr(name + ": unbound variable")
		}
		return v.String(), nil
	}
	v := shellEnv{r}.Get(name)
	switch v.Kind {
	case expand.Associative:
		key, err := r.expandString(sub)
		if err != nil {
			return "", err
		}
		return v.Map[key], nil
	}
	if noeval {
		return "", nil
	}
	i, err := r.evalArith(sub)
	if err != nil {
		return "", err
	}
	switch v.Kind {
	case expand.Indexed:
		if i < 0 {
			i += int64(indexedMax(v.List, v.Indexes)) + 1
			if i < 0 {
				return "", shellErr(name + ": bad array subscript")
			}
		}
		s, _ := indexedGet(v.List, v.Indexes, int(i))
		return s, nil
	case expand.String:
		if i == 0 {
			return v.Str, nil
		}
	}
	return "", nil
}

// arithAssign stores an arithmetic result into name or name[sub].
func (r *runner) arithAssign(name, sub string, hasSub bool, v int64) error {
	prev, _ := r.vars.get(name)
	if prev.ReadOnly {
		return shellErr(name + ": readonly variable")
	}
	val := itoa64(v)
	if !hasSub {
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
	e := prev
	if prev.Kind == expand.Associative {
		key, err := r.expandString(sub)
		if err != nil {
			return err
		}
		e.Map = cloneMap(prev.Map)
		e.Map[key] = val
	} else {
		i, err := r.evalArith(sub)
		if err != nil {
			return err
		}
		list, idx := prev.List, prev.Indexes
		if prev.Kind == expand.String {
			list, idx = []string{prev.Str}, nil
		} else if prev.Kind != expand.Indexed {
			list, idx = nil, nil
		}
		if i < 0 {
			i += int64(indexedMax(list, idx)) + 1
			if i < 0 {
				return shellErr(name + ": bad array subscript")
			}
		}
		e.Kind = expand.Indexed
		e.List, e.Indexes = indexedSet(list, idx, int(i), val)
	}
	e.Set = true
	return r.vars.setEntry(name, e)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
