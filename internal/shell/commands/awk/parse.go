package awk

import (
	"fmt"
	"strconv"
)

// A recursive-descent parser for the grammar of mawk's parse.y. Its yacc precedences are
// reproduced level by level (assignment, ?:, ||, &&, in, ~, comparisons, concatenation,
// + -, * / %, unary ! - +, | getline, ^, ++ --, $), including the quirks that follow from
// them: "a || b = 1" assigns b, "x ~ y == z" matches against (y == z), "cmd" x | getline
// reads from x. Tokens are fetched lazily so the parser can skip newlines where mawk's
// actions call eat_nl() before the next token is scanned.

const (
	scopeMain = iota
	scopeBegin
	scopeEnd
	scopeFunct
)

// parseAbort unwinds from a syntax error to the nearest place that recovers, as yacc's
// error productions do; parseFatal ends the parse.
type parseAbort struct{}
type parseFatal struct{}

// maxCompileErrors: mawk stops at the fifth error.
const maxCompileErrors = 5

type callSite struct {
	call   *userCall
	caller *funcDef
}

type parser struct {
	lx       *lexer
	tk       tok
	have     bool
	errs     []compileError
	prog     *program
	globals  map[string]*symbol
	fn       *funcDef
	locals   map[string]*symbol
	scope    int
	loops    int
	calls    []callSite
	pending  expr
	regexErr func(src string, err error)
}

func (p *parser) cur() tok {
	if !p.have {
		p.tk = p.lx.lex()
		p.have = true
		if p.lx.fatal {
			panic(parseAbort{})
		}
	}
	return p.tk
}

func (p *parser) advance() {
	p.cur()
	p.have = false
}

// eatNL is mawk's eat_nl() in a parser action: newlines before the next token vanish.
func (p *parser) eatNL() {
	if p.have {
		for p.tk == tkNL {
			p.have = false
			p.cur()
		}
		return
	}
	p.lx.eatNL()
}

func (p *parser) is(t tok) bool { return p.cur() == t }

func (p *parser) expect(t tok) {
	if p.cur() != t {
		p.syntaxError()
	}
	p.advance()
}

func (p *parser) compileErrorf(format string, args ...any) {
	p.errs = append(p.errs, compileError{msg: "line " + strconv.Itoa(p.lx.tokLine) + ": " + sprintfGo(format, args...)})
}

func sprintfGo(format string, args ...any) string { return fmt.Sprintf(format, args...) }

var tokStrings = map[tok]string{
	tkEOF: "end of file", tkNL: "end of line", tkSemi: ";", tkLBrace: "{", tkRBrace: "}",
	tkLParen: "(", tkRParen: ")", tkLBox: "[", tkRBox: "]", tkQMark: "?", tkColon: ":",
	tkOr: "||", tkAnd: "&&", tkAssign: "=", tkAddAsg: "+=", tkSubAsg: "-=", tkMulAsg: "*=",
	tkDivAsg: "/=", tkModAsg: "%=", tkPowAsg: "^=", tkEQ: "==", tkNEQ: "!=", tkLT: "<",
	tkLTE: "<=", tkGT: ">", tkGTE: ">=", tkPlus: "+", tkMinus: "-", tkMul: "*", tkDiv: "/",
	tkMod: "%", tkPow: "^", tkNot: "!", tkComma: ",", tkIOIn: "<", tkPipe: "|", tkDollar: "$",
	tkField: "$",
}

func (p *parser) tokenString() (string, bool) {
	t := p.cur()
	if t == tkSemi && p.lx.cur == tkFakeSemi {
		return "}", true
	}
	if s, ok := tokStrings[t]; ok {
		return s, true
	}
	switch t {
	case tkMatch, tkIncDec, tkNumber, tkString, tkID, tkFunctID, tkBuiltin, tkIOOut:
		return p.lx.text, true
	}
	for k, v := range keywords {
		if v == t {
			return k, true
		}
	}
	return "", false
}

// syntaxError reports an error at the current token as mawk's yyerror does and abandons
// the parse.
func (p *parser) syntaxError() {
	t := p.cur()
	line := strconv.Itoa(p.lx.tokLine)
	if s, ok := p.tokenString(); ok {
		isFake := t == tkSemi && p.lx.cur == tkFakeSemi
		if p.lx.parenCnt > 0 && (t == tkEOF || t == tkNL || t == tkSemi || isFake || t == tkRBrace) {
			p.errs = append(p.errs, compileError{msg: "line " + line + ": missing ) near " + s})
			panic(parseAbort{})
		}
		if p.lx.braceCnt > 0 && (t == tkEOF || t == tkBegin || t == tkEnd) {
			p.errs = append(p.errs, compileError{msg: "line " + line + ": missing } near " + s})
			panic(parseAbort{})
		}
		p.errs = append(p.errs, compileError{msg: "line " + line + ": syntax error at or near " + s})
		panic(parseAbort{})
	}
	switch t {
	case tkUnexpected:
		p.lx.unexpected(p.lx.val[0])
	case tkBadDecimal:
		p.errs = append(p.errs, compileError{msg: "line " + line + ": syntax error in decimal constant " + p.lx.text})
	case tkRegex:
		p.errs = append(p.errs, compileError{msg: "line " + line + ": syntax error at or near /" + p.lx.text + "/"})
	default:
		p.errs = append(p.errs, compileError{msg: "line " + line + ": syntax error"})
	}
	panic(parseAbort{})
}

// parseProgram parses src (a program text; mawk appends the final newline itself).
func parseProgram(src string, regexErr func(string, error)) (prog *program, errs []compileError) {
	p := &parser{
		prog:     &program{funcs: map[string]*funcDef{}},
		globals:  map[string]*symbol{},
		regexErr: regexErr,
	}
	p.lx = &lexer{src: src + "\n", line: 1, funcs: map[string]bool{}, cur: -1}
	p.lx.errs = &p.errs
	for name, sp := range specialNames {
		s := &symbol{name: name, kind: symVar, special: sp}
		if sp == spENVIRON || sp == spARGV {
			s.kind = symArray
		}
		p.globals[name] = s
	}
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case parseAbort, parseFatal:
			default:
				panic(r)
			}
			prog = nil
			errs = p.errs
			if len(errs) > maxCompileErrors {
				errs = errs[:maxCompileErrors]
			}
		}
	}()
	p.lx.eatNL()
	for !p.is(tkEOF) {
		if !p.try(p.programBlock) {
			// program_block: outside_error block: skip to a block and read it.
			for !p.is(tkLBrace) {
				if p.is(tkEOF) {
					panic(parseFatal{})
				}
				p.advance()
			}
			p.resetFlags()
			p.try(func() { p.block() })
		}
	}
	if len(p.errs) == 0 {
		p.resolveCalls()
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return p.prog, nil
}

func (p *parser) programBlock() {
	switch p.cur() {
	case tkBegin:
		p.advance()
		p.scope = scopeBegin
		if !p.is(tkLBrace) {
			p.syntaxError()
		}
		p.prog.begins = append(p.prog.begins, p.block())
		p.scope = scopeMain
	case tkEnd:
		p.advance()
		p.scope = scopeEnd
		if !p.is(tkLBrace) {
			p.syntaxError()
		}
		p.prog.ends = append(p.prog.ends, p.block())
		p.scope = scopeMain
	case tkFunction:
		p.function()
	case tkLBrace:
		p.prog.rules = append(p.prog.rules, &rule{action: p.block()})
	default:
		r := &rule{pat: p.expr()}
		if p.is(tkComma) {
			p.advance()
			r.pat2 = p.expr()
		}
		switch p.cur() {
		case tkLBrace:
			r.action = p.block()
		case tkNL, tkSemi:
			p.advance()
		default:
			p.syntaxError()
		}
		p.prog.rules = append(p.prog.rules, r)
	}
}

func (p *parser) function() {
	p.advance()
	var name string
	switch p.cur() {
	case tkID, tkFunctID:
		name = p.lx.val
	default:
		p.syntaxError()
	}
	p.lx.funcs[name] = true
	p.advance()
	fd := p.prog.funcs[name]
	if fd == nil {
		fd = &funcDef{name: name}
		p.prog.funcs[name] = fd
	} else if fd.defined {
		p.compileErrorf("redefinition of %s", name)
	}
	if g := p.globals[name]; g != nil && g.kind != symNone {
		p.compileErrorf("illegal reference to %s %s", kindName(g), name)
	}
	p.expect(tkLParen)
	p.locals = map[string]*symbol{}
	var params []*symbol
	if !p.is(tkRParen) {
		for {
			if !p.is(tkID) {
				p.syntaxError()
			}
			pn := p.lx.val
			if p.locals[pn] != nil {
				p.compileErrorf("%s is duplicated in argument list", pn)
			}
			s := &symbol{name: pn, local: true, idx: len(params)}
			p.locals[pn] = s
			params = append(params, s)
			p.advance()
			if p.is(tkComma) {
				p.advance()
				continue
			}
			break
		}
	}
	if !p.is(tkRParen) {
		p.syntaxError()
	}
	p.advance()
	p.eatNL()
	fd.params = params
	fd.defined = true
	prevFn := p.fn
	p.fn = fd
	p.scope = scopeFunct
	if !p.is(tkLBrace) {
		p.syntaxError()
	}
	fd.body = p.block()
	p.fn = prevFn
	p.locals = nil
	p.scope = scopeMain
}

func kindName(s *symbol) string {
	switch {
	case s.local && s.kind == symVar:
		return "local variable"
	case s.local && s.kind == symArray:
		return "local array"
	case s.local:
		return "local untyped variable"
	case s.kind == symVar:
		return "variable"
	case s.kind == symArray:
		return "array"
	}
	return "untyped variable"
}

// lookup finds the symbol for an identifier in the current scope.
func (p *parser) lookup(name string) *symbol {
	if p.locals != nil {
		if s := p.locals[name]; s != nil {
			return s
		}
	}
	s := p.globals[name]
	if s == nil {
		s = &symbol{name: name}
		p.globals[name] = s
	}
	return s
}

func (p *parser) checkVar(s *symbol) {
	switch s.kind {
	case symNone:
		s.kind = symVar
	case symArray:
		p.compileErrorf("illegal reference to %s %s", kindName(s), s.name)
	}
}

func (p *parser) checkArray(s *symbol) {
	switch s.kind {
	case symNone:
		s.kind = symArray
	case symVar:
		p.compileErrorf("illegal reference to %s %s", kindName(s), s.name)
	}
}

// try runs f and reports false if it ended in a syntax error that can be recovered from.
func (p *parser) try(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isAbort := r.(parseAbort); !isAbort {
				panic(r)
			}
			if len(p.errs) >= maxCompileErrors || p.is(tkEOF) {
				panic(parseFatal{})
			}
			ok = false
		}
	}()
	f()
	return true
}

func (p *parser) resetFlags() {
	p.lx.printFlag, p.lx.getline, p.lx.parenCnt = false, false, 0
	p.pending = nil
}

func (p *parser) block() *blockStmt {
	p.expect(tkLBrace)
	b := &blockStmt{}
	first := true
	for !p.is(tkRBrace) {
		if p.is(tkEOF) {
			p.syntaxError()
		}
		var s stmt
		if !p.try(func() { s = p.statement() }) {
			// statement: error separator, or block: LBRACE error RBRACE
			for {
				t := p.cur()
				if t == tkEOF {
					panic(parseFatal{})
				}
				p.advance()
				if t == tkNL || t == tkSemi {
					break
				}
				if t == tkRBrace && first {
					p.resetFlags()
					return b
				}
			}
			p.resetFlags()
			continue
		}
		first = false
		if s != nil {
			b.list = append(b.list, s)
		}
	}
	p.advance()
	return b
}

func (p *parser) separator() {
	switch p.cur() {
	case tkNL, tkSemi:
		p.advance()
	default:
		p.syntaxError()
	}
}

func (p *parser) statement() stmt {
	switch p.cur() {
	case tkLBrace:
		return p.block()
	case tkNL, tkSemi:
		p.advance()
		return nil
	case tkIf:
		p.advance()
		p.expect(tkLParen)
		cond := p.expr()
		p.expect(tkRParen)
		p.eatNL()
		s := &ifStmt{cond: cond, then: p.statement()}
		if p.is(tkElse) {
			p.advance()
			p.eatNL()
			s.els = p.statement()
		}
		return s
	case tkWhile:
		p.advance()
		p.expect(tkLParen)
		cond := p.expr()
		p.expect(tkRParen)
		p.eatNL()
		p.loops++
		body := p.statement()
		p.loops--
		return &whileStmt{cond: cond, body: body}
	case tkDo:
		p.advance()
		p.eatNL()
		p.loops++
		body := p.statement()
		p.loops--
		p.expect(tkWhile)
		p.expect(tkLParen)
		cond := p.expr()
		p.expect(tkRParen)
		p.separator()
		return &doStmt{body: body, cond: cond}
	case tkFor:
		return p.forStatement()
	case tkBreak, tkContinue:
		kind, what := skBreak, "break"
		if p.cur() == tkContinue {
			kind, what = skContinue, "continue"
		}
		if p.loops == 0 {
			p.compileErrorf("%s statement outside of loop", what)
		}
		p.advance()
		p.separator()
		return &simpleStmt{kind: kind}
	case tkNext, tkNextfile:
		kind, what := skNext, "next"
		if p.cur() == tkNextfile {
			kind, what = skNextfile, "nextfile"
		}
		p.advance()
		p.separator()
		if p.scope != scopeMain {
			p.compileErrorf("improper use of %s", what)
		}
		return &simpleStmt{kind: kind}
	case tkExit:
		p.advance()
		if p.is(tkNL) || p.is(tkSemi) {
			p.advance()
			return &exitStmt{}
		}
		e := p.expr()
		p.separator()
		return &exitStmt{e: e}
	case tkReturn:
		p.advance()
		s := &returnStmt{}
		if !(p.is(tkNL) || p.is(tkSemi)) {
			s.e = p.expr()
		}
		p.separator()
		if p.scope != scopeFunct {
			p.compileErrorf("return outside function body")
		}
		return s
	case tkDelete:
		p.advance()
		if !p.is(tkID) {
			p.syntaxError()
		}
		sym := p.lookup(p.lx.val)
		p.advance()
		s := &deleteStmt{arr: sym}
		if p.is(tkLBox) {
			p.advance()
			s.subs = p.exprList()
			p.expect(tkRBox)
		}
		p.separator()
		p.checkArray(sym)
		return s
	case tkPrint, tkPrintf:
		return p.printStatement()
	}
	e := p.expr()
	p.separator()
	return &exprStmt{e: e}
}

func (p *parser) forStatement() stmt {
	p.advance()
	p.expect(tkLParen)
	if p.is(tkID) {
		// for (k in a) needs three tokens of lookahead; try it and back up if it is not.
		save, saveTk, saveHave := *p.lx, p.tk, p.have
		nerr := len(p.errs)
		name := p.lx.val
		p.advance()
		if p.is(tkIn) {
			p.advance()
			if p.is(tkID) {
				arrName := p.lx.val
				p.advance()
				if p.is(tkRParen) {
					p.advance()
					p.eatNL()
					v := p.lookup(name)
					p.checkVar(v)
					arr := p.lookup(arrName)
					p.checkArray(arr)
					p.loops++
					body := p.statement()
					p.loops--
					return &forInStmt{v: v, arr: arr, body: body}
				}
			}
		}
		*p.lx = save
		p.tk, p.have = saveTk, saveHave
		p.errs = p.errs[:nerr]
	}
	s := &forStmt{}
	if !p.is(tkSemi) {
		s.init = p.expr()
	}
	p.expect(tkSemi)
	if !p.is(tkSemi) {
		s.cond = p.expr()
	}
	p.expect(tkSemi)
	if !p.is(tkRParen) {
		s.post = p.expr()
	}
	p.expect(tkRParen)
	p.eatNL()
	p.loops++
	s.body = p.statement()
	p.loops--
	return s
}

func (p *parser) printStatement() stmt {
	s := &printStmt{printf: p.cur() == tkPrintf}
	p.lx.printFlag = true
	p.advance()
	switch p.cur() {
	case tkNL, tkSemi, tkIOOut:
	case tkLParen:
		p.advance()
		if p.is(tkRParen) {
			p.advance()
			break
		}
		first := p.expr()
		if p.is(tkComma) {
			items := []expr{first}
			for p.is(tkComma) {
				p.advance()
				items = append(items, p.expr())
			}
			p.expect(tkRParen)
			if p.is(tkIn) {
				p.pending = &groupList{items: items}
				s.args = p.exprList()
			} else {
				s.args = items
			}
			break
		}
		p.expect(tkRParen)
		if _, isField := first.(*fieldRef); !isField {
			if _, isNum := first.(*fieldNum); !isNum {
				first = &groupExpr{e: first}
			}
		}
		p.pending = first
		s.args = p.exprList()
	default:
		s.args = p.exprList()
	}
	if p.is(tkIOOut) {
		s.redir = p.lx.text
		p.advance()
		s.dest = p.expr()
	}
	if s.printf && len(s.args) == 0 {
		p.compileErrorf("no arguments in call to printf")
	}
	p.lx.printFlag = false
	p.separator()
	return s
}

func (p *parser) exprList() []expr {
	list := []expr{p.expr()}
	for p.is(tkComma) {
		p.advance()
		list = append(list, p.expr())
	}
	return list
}

func isLvalue(e expr) bool {
	switch e.(type) {
	case *varRef, *indexRef, *fieldRef, *fieldNum:
		return true
	}
	return false
}

func isAssignOp(t tok) bool {
	switch t {
	case tkAssign, tkAddAsg, tkSubAsg, tkMulAsg, tkDivAsg, tkModAsg, tkPowAsg:
		return true
	}
	return false
}

// maybeAssign turns an lvalue followed by an assignment operator into the assignment, as
// yacc does wherever the grammar allows an expr.
func (p *parser) maybeAssign(e expr) expr {
	if isLvalue(e) && isAssignOp(p.cur()) {
		op := p.cur()
		p.advance()
		rhs := p.expr()
		return &assignExpr{op: op, lhs: e, rhs: rhs}
	}
	return e
}

func (p *parser) expr() expr {
	e := p.ternary()
	return p.maybeAssign(e)
}

func (p *parser) ternary() expr {
	c := p.orExpr()
	c = p.maybeAssign(c)
	if p.is(tkQMark) {
		p.advance()
		a := p.expr()
		p.expect(tkColon)
		b := p.expr()
		return &condExpr{c: c, a: a, b: b}
	}
	return c
}

func (p *parser) orExpr() expr {
	a := p.andExpr()
	for p.is(tkOr) {
		p.advance()
		b := p.maybeAssign(p.andExpr())
		a = &orExpr{a: a, b: b}
	}
	return a
}

func (p *parser) andExpr() expr {
	a := p.inExpr()
	for p.is(tkAnd) {
		p.advance()
		b := p.maybeAssign(p.inExpr())
		a = &andExpr{a: a, b: b}
	}
	return a
}

func (p *parser) inExpr() expr {
	a := p.matchExpr()
	for p.is(tkIn) {
		p.advance()
		if !p.is(tkID) {
			p.syntaxError()
		}
		arr := p.lookup(p.lx.val)
		p.checkArray(arr)
		p.advance()
		if g, ok := a.(*groupList); ok {
			a = &inExpr{subs: g.items, arr: arr}
		} else {
			a = &inExpr{subs: []expr{a}, arr: arr}
		}
	}
	if _, ok := a.(*groupList); ok {
		p.syntaxError()
	}
	return a
}

func (p *parser) matchExpr() expr {
	a := p.compare()
	for p.is(tkMatch) {
		neg := p.lx.val == "0"
		p.advance()
		b := p.maybeAssign(p.compare())
		a = &matchExpr{neg: neg, lhs: a, re: b}
	}
	return a
}

func (p *parser) compare() expr {
	a := p.concat()
	for {
		switch op := p.cur(); op {
		case tkEQ, tkNEQ, tkLT, tkLTE, tkGT, tkGTE:
			p.advance()
			b := p.maybeAssign(p.concat())
			a = &cmpExpr{op: op, a: a, b: b}
			continue
		}
		return a
	}
}

// startsOperand reports whether t can begin a p_expr (and so continue a concatenation).
func startsOperand(t tok) bool {
	switch t {
	case tkNumber, tkString, tkID, tkFunctID, tkBuiltin, tkLength, tkLParen, tkRegex, tkNot,
		tkIncDec, tkDollar, tkField, tkSplit, tkMatchFunc, tkSub, tkGsub, tkGetline, tkMinus, tkPlus:
		return true
	}
	return false
}

func (p *parser) concat() expr {
	a := p.additive()
	for {
		t := p.cur()
		if t == tkMinus || t == tkPlus || !startsOperand(t) {
			return a
		}
		b := p.additive()
		a = &catExpr{a: a, b: b}
	}
}

func (p *parser) additive() expr {
	a := p.multiplicative()
	for p.is(tkPlus) || p.is(tkMinus) {
		op := p.cur()
		p.advance()
		b := p.multiplicative()
		a = &binExpr{op: op, a: a, b: b}
	}
	return a
}

func (p *parser) multiplicative() expr {
	a := p.unary()
	for p.is(tkMul) || p.is(tkDiv) || p.is(tkMod) {
		op := p.cur()
		p.advance()
		b := p.unary()
		a = &binExpr{op: op, a: a, b: b}
	}
	return a
}

func (p *parser) unary() expr {
	if p.pending != nil {
		return p.pipeGetline()
	}
	switch p.cur() {
	case tkNot:
		p.advance()
		return &notExpr{e: p.unary()}
	case tkMinus:
		p.advance()
		return &negExpr{e: p.unary()}
	case tkPlus:
		p.advance()
		return &uplusExpr{e: p.unary()}
	}
	return p.pipeGetline()
}

func (p *parser) pipeGetline() expr {
	a := p.power()
	for p.is(tkPipe) {
		p.advance()
		if !p.is(tkGetline) {
			p.syntaxError()
		}
		p.advance()
		g := &getlineExpr{kind: glCmd, src: a}
		g.lv = p.optFvalue()
		a = g
	}
	return a
}

func (p *parser) power() expr {
	a := p.postfix()
	if p.is(tkPow) {
		p.advance()
		var b expr
		switch p.cur() {
		case tkMinus:
			p.advance()
			b = &negExpr{e: p.powOperand()}
		case tkPlus:
			p.advance()
			b = &uplusExpr{e: p.powOperand()}
		case tkNot:
			p.advance()
			b = &notExpr{e: p.powOperand()}
		default:
			b = p.power()
		}
		return &binExpr{op: tkPow, a: a, b: b}
	}
	return a
}

func (p *parser) powOperand() expr {
	switch p.cur() {
	case tkMinus:
		p.advance()
		return &negExpr{e: p.powOperand()}
	case tkPlus:
		p.advance()
		return &uplusExpr{e: p.powOperand()}
	case tkNot:
		p.advance()
		return &notExpr{e: p.powOperand()}
	}
	return p.power()
}

func (p *parser) postfix() expr {
	if p.pending == nil && p.is(tkIncDec) {
		inc := p.lx.text == "++"
		p.advance()
		lv := p.lvalueOrField()
		return &incDec{pre: true, inc: inc, lv: lv}
	}
	e := p.primary()
	if p.is(tkIncDec) {
		switch e.(type) {
		case *varRef, *indexRef, *fieldRef, *fieldNum:
			inc := p.lx.text == "++"
			p.advance()
			return &incDec{inc: inc, lv: e}
		}
	}
	return e
}

// lvalueOrField parses what may follow a prefix ++/--: a variable, an element or a field.
func (p *parser) lvalueOrField() expr {
	switch p.cur() {
	case tkID:
		return p.idRef(true)
	case tkDollar, tkField:
		return p.field()
	case tkLParen:
		// (field) is a field
		save, saveTk, saveHave, nerr := *p.lx, p.tk, p.have, len(p.errs)
		p.advance()
		if p.is(tkDollar) || p.is(tkField) {
			f := p.field()
			if p.is(tkRParen) {
				p.advance()
				return f
			}
		}
		*p.lx = save
		p.tk, p.have = saveTk, saveHave
		p.errs = p.errs[:nerr]
	}
	p.syntaxError()
	return nil
}

// optFvalue parses the optional variable or field after getline.
func (p *parser) optFvalue() expr {
	switch p.cur() {
	case tkID:
		return p.idRef(true)
	case tkDollar, tkField:
		return p.field()
	}
	return nil
}

// idRef parses ID or ID[subs]; lv says it is used as an lvalue (no function call check).
func (p *parser) idRef(lv bool) expr {
	name := p.lx.val
	sym := p.lookup(name)
	p.advance()
	if p.is(tkLBox) {
		p.advance()
		subs := p.exprList()
		p.expect(tkRBox)
		p.checkArray(sym)
		return &indexRef{arr: sym, subs: subs}
	}
	p.checkVar(sym)
	return &varRef{sym: sym}
}

func (p *parser) fieldRefSym(name string) expr {
	return &varRef{sym: p.globals[name]}
}

// field parses $expr, $constant or a pseudo field (NF, RS, FS, CONVFMT, OFMT).
func (p *parser) field() expr {
	if p.is(tkField) {
		if p.lx.val != "" {
			e := p.fieldRefSym(p.lx.val)
			p.advance()
			return e
		}
		n := p.lx.num
		p.advance()
		if n <= 0 {
			return &fieldNum{n: 0}
		}
		return &fieldNum{n: dToI(n)}
	}
	p.expect(tkDollar)
	return &fieldRef{index: p.dollarOperand()}
}

func (p *parser) dollarOperand() expr {
	switch p.cur() {
	case tkIncDec:
		inc := p.lx.text == "++"
		p.advance()
		return &incDec{pre: true, inc: inc, lv: p.lvalueOrField()}
	case tkMinus:
		p.advance()
		return &negExpr{e: p.dollarOperand()}
	case tkPlus:
		p.advance()
		return &uplusExpr{e: p.dollarOperand()}
	case tkNot:
		p.advance()
		return &notExpr{e: p.dollarOperand()}
	case tkDID:
		return p.idRef(false)
	}
	return p.primary()
}

func (p *parser) regexNode(src string) *regexLit {
	re, err := compileRegex(src)
	if err != nil {
		p.compileErrorf("regular expression compile failed (%s)\n%s", err.Error(), src)
		re, _ = compileRegex("")
	}
	return &regexLit{re: re}
}

func (p *parser) primary() expr {
	if p.pending != nil {
		e := p.pending
		p.pending = nil
		return e
	}
	switch p.cur() {
	case tkNumber:
		v := p.lx.num
		p.advance()
		return &numLit{v: v}
	case tkString:
		s := p.lx.val
		p.advance()
		return &strLit{s: s}
	case tkRegex:
		src := p.lx.val
		p.advance()
		return p.regexNode(src)
	case tkLParen:
		p.advance()
		e := p.expr()
		if p.is(tkComma) {
			items := []expr{e}
			for p.is(tkComma) {
				p.advance()
				items = append(items, p.expr())
			}
			p.expect(tkRParen)
			if !p.is(tkIn) {
				p.syntaxError()
			}
			return &groupList{items: items}
		}
		p.expect(tkRParen)
		switch e.(type) {
		case *fieldRef, *fieldNum:
			return e
		}
		if v, ok := e.(*varRef); ok && v.sym.special != spNone && isPseudoField(v.sym.special) {
			return e
		}
		return &groupExpr{e: e}
	case tkID:
		return p.idRef(false)
	case tkDollar, tkField:
		return p.field()
	case tkLength:
		p.advance()
		return &callExpr{name: "length"}
	case tkBuiltin:
		return p.builtin()
	case tkFunctID:
		return p.userCall()
	case tkSplit:
		p.advance()
		p.expect(tkLParen)
		s := p.expr()
		p.expect(tkComma)
		if !p.is(tkID) {
			p.syntaxError()
		}
		arr := p.lookup(p.lx.val)
		p.advance()
		p.checkArray(arr)
		e := &splitExpr{s: s, arr: arr}
		if p.is(tkComma) {
			p.advance()
			e.sep = p.expr()
		}
		p.expect(tkRParen)
		return e
	case tkMatchFunc:
		p.advance()
		p.expect(tkLParen)
		s := p.expr()
		p.expect(tkComma)
		re := p.reArg()
		p.expect(tkRParen)
		return &matchCall{s: s, re: re}
	case tkSub, tkGsub:
		global := p.cur() == tkGsub
		p.advance()
		p.expect(tkLParen)
		re := p.reArg()
		p.expect(tkComma)
		repl := p.expr()
		e := &subExpr{global: global, re: re, repl: repl}
		if p.is(tkComma) {
			p.advance()
			switch p.cur() {
			case tkID:
				e.target = p.idRef(true)
				if v, ok := e.target.(*varRef); ok {
					p.checkVar(v.sym)
				}
			case tkDollar, tkField:
				e.target = p.field()
			default:
				p.syntaxError()
			}
		}
		p.expect(tkRParen)
		return e
	case tkGetline:
		p.lx.getline = true
		p.advance()
		g := &getlineExpr{kind: glPlain}
		g.lv = p.optFvalue()
		if p.is(tkIOIn) {
			p.advance()
			g.kind = glFile
			g.src = p.powOperand()
		}
		p.lx.getline = false
		return g
	}
	p.syntaxError()
	return nil
}

func isPseudoField(sp int) bool {
	switch sp {
	case spNF, spRS, spFS, spCONVFMT, spOFMT:
		return true
	}
	return false
}

func (p *parser) reArg() expr {
	e := p.expr()
	if s, ok := e.(*strLit); ok {
		return p.regexNode(s.s)
	}
	return e
}

var builtinArity = map[string][2]int{
	"length": {0, 1}, "index": {2, 2}, "substr": {2, 3}, "sprintf": {1, 255}, "sin": {1, 1},
	"cos": {1, 1}, "atan2": {2, 2}, "exp": {1, 1}, "log": {1, 1}, "int": {1, 1}, "sqrt": {1, 1},
	"rand": {0, 0}, "srand": {0, 1}, "close": {1, 1}, "system": {1, 1}, "toupper": {1, 1},
	"tolower": {1, 1}, "fflush": {0, 1}, "systime": {0, 0}, "mktime": {1, 1}, "strftime": {0, 3},
}

func (p *parser) builtin() expr {
	name := p.lx.val
	p.advance()
	p.expect(tkLParen)
	ar := builtinArity[name]
	if name == "length" && p.is(tkID) {
		save, saveTk, saveHave, nerr := *p.lx, p.tk, p.have, len(p.errs)
		sym := p.lookup(p.lx.val)
		p.advance()
		if p.is(tkRParen) && sym.kind == symArray {
			p.advance()
			return &lengthArr{arr: sym}
		}
		*p.lx = save
		p.tk, p.have = saveTk, saveHave
		p.errs = p.errs[:nerr]
	}
	var args []expr
	if !p.is(tkRParen) {
		args = p.exprList()
	}
	p.expect(tkRParen)
	if len(args) < ar[0] || len(args) > ar[1] {
		p.compileErrorf("wrong number of arguments in call to %s", name)
	}
	return &callExpr{name: name, args: args}
}

func (p *parser) userCall() expr {
	name := p.lx.val
	line := p.lx.tokLine
	p.advance()
	p.expect(tkLParen)
	c := &userCall{name: name, line: line}
	if !p.is(tkRParen) {
		for {
			c.args = append(c.args, p.callArg())
			if !p.is(tkComma) {
				break
			}
			p.advance()
		}
	}
	p.expect(tkRParen)
	p.calls = append(p.calls, callSite{call: c, caller: p.fn})
	return c
}

// bareArg is a name passed to a function as it is: it may be an array (passed by
// reference), which is decided once all functions are known.
type bareArg struct{ sym *symbol }

func (p *parser) callArg() expr {
	if p.is(tkID) {
		save, saveTk, saveHave, nerr := *p.lx, p.tk, p.have, len(p.errs)
		sym := p.lookup(p.lx.val)
		p.advance()
		if p.is(tkComma) || p.is(tkRParen) {
			return &bareArg{sym: sym}
		}
		*p.lx = save
		p.tk, p.have = saveTk, saveHave
		p.errs = p.errs[:nerr]
	}
	return p.expr()
}

// resolveCalls checks calls against definitions and settles the types of names passed
// bare, the way mawk's fcall.c does after the whole program is read.
func (p *parser) resolveCalls() {
	p.lx.tokLine = p.lx.line
	for _, cs := range p.calls {
		c := cs.call
		fd := p.prog.funcs[c.name]
		if fd == nil || !fd.defined {
			p.compileErrorf("function %s never defined", c.name)
			continue
		}
		c.fn = fd
		if len(c.args) > len(fd.params) {
			p.compileErrorf("too many arguments in call to %s", c.name)
		}
	}
	reported := map[*userCall]bool{}
	for changed := true; changed; {
		changed = false
		for _, cs := range p.calls {
			c := cs.call
			if c.fn == nil {
				continue
			}
			for i, a := range c.args {
				if i >= len(c.fn.params) {
					break
				}
				param := c.fn.params[i]
				argKind := symVar
				var bare *symbol
				if b, ok := a.(*bareArg); ok {
					bare = b.sym
					argKind = b.sym.kind
				}
				switch {
				case param.kind == symNone && argKind != symNone:
					param.kind = argKind
					changed = true
				case argKind == symNone && param.kind != symNone:
					bare.kind = param.kind
					changed = true
				case argKind != symNone && param.kind != symNone && argKind != param.kind:
					if !reported[c] {
						reported[c] = true
						p.errs = append(p.errs, compileError{msg: "line " + strconv.Itoa(c.line) + ": " + sprintfGo("type error in arg(%d) in call to %s", i+1, c.name)})
					}
				}
			}
		}
	}
}
