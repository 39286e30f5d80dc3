package awk

import (
	"strconv"
	"strings"
)

// The scanner follows mawk's scan.c, because awk's grammar leans on it: newlines are
// tokens except after '{', ',', ';', '&&', '||', 'do', 'else' and a closing ')' of if/for/
// while; a '}' supplies the ';' the statement before it lacks; '/' starts a regex unless the
// previous token could end an operand; '>' and '|' redirect inside print; '<' reads a file
// after getline. Error texts are mawk's.

type tok int

const (
	tkEOF tok = iota
	tkNL
	tkSemi
	tkFakeSemi // a ';' supplied before '}'
	tkLBrace
	tkRBrace
	tkLParen
	tkRParen
	tkLBox
	tkRBox
	tkComma
	tkQMark
	tkColon
	tkOr
	tkAnd
	tkIn
	tkMatch // ~ or !~ (val "1" or "0")
	tkEQ
	tkNEQ
	tkLT
	tkLTE
	tkGT
	tkGTE
	tkPlus
	tkMinus
	tkMul
	tkDiv
	tkMod
	tkPow
	tkNot
	tkAssign
	tkAddAsg
	tkSubAsg
	tkMulAsg
	tkDivAsg
	tkModAsg
	tkPowAsg
	tkIncDec // "++" or "--"
	tkDollar
	tkField // $constant or a pseudo field (NF, RS, FS, CONVFMT, OFMT)
	tkNumber
	tkString
	tkRegex
	tkID
	tkDID // an ID right after '$'
	tkFunctID
	tkBuiltin
	tkLength // length without '('
	tkIOOut  // > >> | inside print
	tkIOIn   // < after getline
	tkPipe
	tkUnexpected
	tkBadDecimal
	// keywords
	tkPrint
	tkPrintf
	tkDo
	tkWhile
	tkFor
	tkBreak
	tkContinue
	tkIf
	tkElse
	tkDelete
	tkSplit
	tkMatchFunc
	tkBegin
	tkEnd
	tkExit
	tkNext
	tkNextfile
	tkReturn
	tkGetline
	tkSub
	tkGsub
	tkFunction
)

var keywords = map[string]tok{
	"print": tkPrint, "printf": tkPrintf, "do": tkDo, "while": tkWhile, "for": tkFor,
	"break": tkBreak, "continue": tkContinue, "if": tkIf, "else": tkElse, "in": tkIn,
	"delete": tkDelete, "split": tkSplit, "match": tkMatchFunc, "BEGIN": tkBegin, "END": tkEnd,
	"exit": tkExit, "next": tkNext, "nextfile": tkNextfile, "return": tkReturn,
	"getline": tkGetline, "sub": tkSub, "gsub": tkGsub, "function": tkFunction,
}

var builtinNames = map[string]bool{
	"index": true, "substr": true, "sprintf": true, "sin": true, "cos": true, "atan2": true,
	"exp": true, "log": true, "int": true, "sqrt": true, "rand": true, "srand": true,
	"close": true, "system": true, "toupper": true, "tolower": true, "fflush": true,
	"systime": true, "mktime": true, "strftime": true,
}

var pseudoFields = map[string]bool{"NF": true, "RS": true, "FS": true, "CONVFMT": true, "OFMT": true}

// compileError is a compile-time diagnostic with mawk's text (without the "mawk: " prefix).
type compileError struct{ msg string }

type lexer struct {
	src  string
	pos  int
	line int

	cur       tok // last token returned (mawk's current_token)
	tokLine   int
	text      string // mawk's string_buff for error messages
	val       string // string/regex/ident value
	num       float64
	parenCnt  int
	braceCnt  int
	printFlag bool
	getline   bool

	funcs  map[string]bool // names known to be functions
	errs   *[]compileError
	fatal  bool // a runaway string/regex: stop at once
	errMax bool
}

func (l *lexer) next() byte {
	if l.pos < len(l.src) {
		c := l.src[l.pos]
		l.pos++
		return c
	}
	l.pos++
	return 0
}

func (l *lexer) unNext() { l.pos-- }

func (l *lexer) peekc() byte {
	if l.pos < len(l.src) {
		return l.src[l.pos]
	}
	return 0
}

func (l *lexer) errorf(format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = sprintfGo(format, args...)
	}
	*l.errs = append(*l.errs, compileError{msg: "line " + strconv.Itoa(l.tokLine) + ": " + msg})
}

func isIDStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }

// isScanSpace: blanks the scanner skips (mawk's SC_SPACE at compile time: ' ', \t, \v, \f, \r).
func isScanSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

func (l *lexer) eatComment() {
	for l.pos < len(l.src) && l.src[l.pos] != '\n' {
		l.pos++
	}
}

// eatNL skips blanks, comments, newlines and escaped newlines.
func (l *lexer) eatNL() {
	for {
		c := l.next()
		switch {
		case c == '#':
			l.eatComment()
		case c == '\n':
			l.line++
		case isScanSpace(c):
		case c == '\\':
			for isScanSpace(l.peekc()) {
				l.pos++
			}
			d := l.next()
			if d == '\n' {
				l.line++
				l.tokLine = l.line
				continue
			}
			if d == 0 && l.pos > len(l.src) {
				l.unNext()
				l.unNext()
				return
			}
			l.unNext()
			l.unexpected('\\')
			return
		default:
			l.unNext()
			return
		}
	}
}

func (l *lexer) unexpected(c byte) {
	var msg string
	if c > ' ' && c < 127 {
		msg = "unexpected character '" + string(c) + "'"
	} else {
		msg = "unexpected character 0x" + hex2(c)
	}
	*l.errs = append(*l.errs, compileError{msg: strconv.Itoa(l.tokLine) + ": " + msg})
}

func hex2(c byte) string {
	const h = "0123456789abcdef"
	return string([]byte{h[c>>4], h[c&15]})
}

func (l *lexer) ret(t tok) tok {
	l.cur = t
	return t
}

// lex returns the next token.
func (l *lexer) lex() tok {
	l.tokLine = l.line
reswitch:
	if l.pos >= len(l.src) {
		l.pos = len(l.src) + 1
		l.text = ""
		return l.ret(tkEOF)
	}
	c := l.next()
	switch {
	case isScanSpace(c):
		goto reswitch
	case c == '#':
		l.eatComment()
		goto reswitch
	case c == '\n':
		l.line++
		l.eatNL()
		return l.ret(tkNL)
	case c == '\\':
		for isScanSpace(l.peekc()) {
			l.pos++
		}
		d := l.next()
		if d == '\n' {
			l.line++
			l.tokLine = l.line
			goto reswitch
		}
		if l.pos > len(l.src) {
			return l.ret(tkEOF)
		}
		l.unNext()
		l.val = "\\"
		return l.ret(tkUnexpected)
	case c == ';':
		l.eatNL()
		return l.ret(tkSemi)
	case c == '{':
		l.eatNL()
		l.braceCnt++
		return l.ret(tkLBrace)
	case c == '+':
		switch l.next() {
		case '+':
			l.text = "++"
			return l.ret(tkIncDec)
		case '=':
			return l.ret(tkAddAsg)
		}
		l.unNext()
		return l.ret(tkPlus)
	case c == '-':
		switch l.next() {
		case '-':
			l.text = "--"
			return l.ret(tkIncDec)
		case '=':
			return l.ret(tkSubAsg)
		}
		l.unNext()
		return l.ret(tkMinus)
	case c == ',':
		l.eatNL()
		return l.ret(tkComma)
	case c == '*':
		return l.test1('=', tkMulAsg, tkMul)
	case c == '/':
		switch l.cur {
		case tkNumber, tkString, tkRParen, tkID, tkDID, tkRegex, tkRBox, tkField, tkGetline:
			return l.test1('=', tkDivAsg, tkDiv)
		case tkIncDec:
			if l.next() == '=' {
				l.unNext()
			}
		}
		return l.ret(l.collectRE())
	case c == '%':
		return l.test1('=', tkModAsg, tkMod)
	case c == '^':
		return l.test1('=', tkPowAsg, tkPow)
	case c == '(':
		l.parenCnt++
		return l.ret(tkLParen)
	case c == ')':
		l.parenCnt--
		if l.parenCnt < 0 {
			l.errorf("extra ')'")
			l.parenCnt = 0
			goto reswitch
		}
		return l.ret(tkRParen)
	case c == '[':
		return l.ret(tkLBox)
	case c == ']':
		return l.ret(tkRBox)
	case c == '~':
		l.text = ""
		l.val = "1"
		return l.ret(tkMatch)
	case c == '=':
		return l.test1('=', tkEQ, tkAssign)
	case c == '!':
		d := l.next()
		if d == '~' {
			l.text = "!~"
			l.val = "0"
			return l.ret(tkMatch)
		} else if d == '=' {
			return l.ret(tkNEQ)
		}
		l.unNext()
		return l.ret(tkNot)
	case c == '<':
		t := tkLT
		if l.next() == '=' {
			t = tkLTE
		} else {
			l.unNext()
		}
		if l.getline {
			l.getline = false
			return l.ret(tkIOIn)
		}
		return l.ret(t)
	case c == '>':
		if l.printFlag && l.parenCnt == 0 {
			l.printFlag = false
			if l.next() == '>' {
				l.text = ">>"
			} else {
				l.unNext()
				l.text = ">"
			}
			return l.ret(tkIOOut)
		}
		return l.test1('=', tkGTE, tkGT)
	case c == '|':
		if l.next() == '|' {
			l.eatNL()
			return l.ret(tkOr)
		}
		l.unNext()
		if l.printFlag && l.parenCnt == 0 {
			l.printFlag = false
			l.text = "|"
			return l.ret(tkIOOut)
		}
		return l.ret(tkPipe)
	case c == '&':
		if l.next() == '&' {
			l.eatNL()
			return l.ret(tkAnd)
		}
		l.unNext()
		l.val = "&"
		return l.ret(tkUnexpected)
	case c == '?':
		return l.ret(tkQMark)
	case c == ':':
		return l.ret(tkColon)
	case c == '}':
		l.braceCnt--
		if l.braceCnt < 0 {
			l.errorf("extra '}'")
			l.eatSemiColon()
			l.braceCnt = 0
			goto reswitch
		}
		switch l.cur {
		case tkNL, tkSemi, tkFakeSemi, tkRBrace:
			if l.braceCnt == 0 {
				l.eatSemiColon()
			}
			l.eatNL()
			return l.ret(tkRBrace)
		}
		l.braceCnt++
		l.unNext()
		l.cur = tkFakeSemi
		return tkSemi
	case isDigit(c) || c == '.':
		f, bad, text := l.collectDecimal(c)
		l.text = text
		if bad != 0 {
			return l.ret(bad)
		}
		l.num = f
		return l.ret(tkNumber)
	case c == '$':
		for isScanSpace(l.peekc()) {
			l.pos++
		}
		d := l.peekc()
		if !isDigit(d) && d != '.' {
			return l.ret(tkDollar)
		}
		l.pos++
		f, bad, text := l.collectDecimal(d)
		l.text = text
		if bad != 0 {
			return l.ret(bad)
		}
		if f > 0 {
			if i := dToI(f); float64(i) != f {
				l.errorf("$%s is invalid field index", formatOne("%g", f))
			}
		}
		l.val = ""
		l.num = f
		l.text = "$"
		return l.ret(tkField)
	case c == '"':
		return l.ret(l.collectString())
	case isIDStart(c):
		start := l.pos - 1
		for l.pos < len(l.src) && (isIDStart(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.pos++
		}
		name := l.src[start:l.pos]
		l.text = name
		l.val = name
		if kw, ok := keywords[name]; ok {
			return l.ret(kw)
		}
		if name == "length" {
			p := l.pos
			for p < len(l.src) && isScanSpace(l.src[p]) {
				p++
			}
			if p < len(l.src) && l.src[p] == '(' {
				return l.ret(tkBuiltin)
			}
			return l.ret(tkLength)
		}
		if builtinNames[name] {
			return l.ret(tkBuiltin)
		}
		if pseudoFields[name] {
			l.text = "$"
			return l.ret(tkField)
		}
		if l.funcs[name] || (l.peekc() == '(' && l.pos < len(l.src)) {
			l.funcs[name] = true
			return l.ret(tkFunctID)
		}
		if l.cur == tkDollar {
			return l.ret(tkDID)
		}
		return l.ret(tkID)
	}
	l.val = string(c)
	return l.ret(tkUnexpected)
}

func (l *lexer) test1(c byte, yes, no tok) tok {
	if l.next() == c {
		return l.ret(yes)
	}
	l.unNext()
	return l.ret(no)
}

// eatSemiColon eats one ';' on the current line.
func (l *lexer) eatSemiColon() {
	for isScanSpace(l.peekc()) {
		l.pos++
	}
	if l.peekc() == ';' && l.pos < len(l.src) {
		l.pos++
	}
}

// collectDecimal reads a number starting with c as mawk's collect_decimal does.
func (l *lexer) collectDecimal(c byte) (float64, tok, string) {
	start := l.pos - 1
	if c == '.' {
		if !isDigit(l.peekc()) {
			l.val = "."
			return 0, tkUnexpected, "."
		}
	} else {
		for isDigit(l.peekc()) {
			l.pos++
		}
		if l.peekc() == '.' {
			l.pos++
		}
	}
	for isDigit(l.peekc()) {
		l.pos++
	}
	if d := l.peekc(); d == 'e' || d == 'E' {
		save := l.pos
		l.pos++
		if e := l.peekc(); isDigit(e) || e == '-' || e == '+' {
			l.pos++
			for isDigit(l.peekc()) {
				l.pos++
			}
		} else {
			l.pos = save
		}
	}
	text := l.src[start:l.pos]
	f, n := strtod(text)
	if n < len(text) {
		// "1e+" and the like: give back what strtod did not take
		l.pos = start + n
		text = text[:n]
	}
	return f, 0, text
}

// rmEscape processes the escape sequences of a string literal (and of -v/command line
// values) as mawk's rm_escape: unknown escapes keep their backslash.
func rmEscape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			b.WriteByte('\\')
			break
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		case 'b':
			b.WriteByte('\b')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte(7)
		case 'v':
			b.WriteByte(11)
		case '\\':
			b.WriteByte('\\')
		case '"':
			b.WriteByte('"')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			x := int(e - '0')
			for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
				i++
				x = x<<3 + int(s[i]-'0')
			}
			b.WriteByte(byte(x))
		case 'x':
			if i+1 < len(s) && hexVal(s[i+1]) >= 0 {
				i++
				x := hexVal(s[i])
				if i+1 < len(s) && hexVal(s[i+1]) >= 0 {
					i++
					x = x<<4 + hexVal(s[i])
				}
				b.WriteByte(byte(x))
			} else {
				b.WriteString("\\x")
			}
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

func (l *lexer) collectString() tok {
	var b strings.Builder
	esc := false
	for {
		if l.pos >= len(l.src) {
			l.runaway("string constant \"", b.String())
			return tkEOF
		}
		c := l.next()
		switch c {
		case '"':
			s := b.String()
			if esc {
				s = rmEscape(s)
			}
			l.val = s
			l.text = s
			return tkString
		case '\n':
			l.runaway("string constant \"", b.String())
			return tkEOF
		case '\\':
			d := l.next()
			if d == '\n' {
				l.line++
			} else if l.pos > len(l.src) {
				l.unNext()
			} else {
				b.WriteByte('\\')
				b.WriteByte(d)
				esc = true
			}
		default:
			b.WriteByte(c)
		}
	}
}

func (l *lexer) runaway(what, s string) {
	if len(s) > 10 {
		s = s[:10]
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	l.errorf("runaway %s%s ...", what, s)
	l.fatal = true
}

func (l *lexer) collectRE() tok {
	var b []byte
	boxed := 0
	first := -1 // index in b just after the '[' that opened the class
	for {
		if l.pos >= len(l.src) {
			l.runaway("regular expression /", string(b))
			return tkEOF
		}
		c := l.next()
		switch c {
		case '^':
			if len(b) == first && first > 0 && b[first-1] == '[' {
				first = len(b) + 1
			}
			b = append(b, c)
		case '[':
			if boxed == 0 {
				first = len(b) + 1
				boxed++
			} else if l.peekc() == ':' {
				boxed++
			}
			b = append(b, c)
		case ']':
			if boxed > 0 && len(b) != first {
				boxed--
			}
			b = append(b, c)
		case '/':
			if boxed == 0 {
				l.val = string(b)
				l.text = l.val
				return tkRegex
			}
			b = append(b, c)
		case '\n':
			l.runaway("regular expression /", string(b))
			return tkEOF
		case '\\':
			d := l.next()
			switch {
			case d == '/':
				b = append(b, '/')
			case d == '\n':
			case l.pos > len(l.src):
				l.unNext()
				b = append(b, '\\')
			default:
				b = append(b, '\\', d)
			}
		default:
			b = append(b, c)
		}
	}
}
