package awk

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// The tree-walking interpreter. Runtime errors, exit and output failure unwind with panics
// caught in run(); statements report break/continue/next/return through execResult.

type rtError struct {
	msg   string
	limit bool // "program limit exceeded" form
}

type execResult int

const (
	resNormal execResult = iota
	resBreak
	resContinue
	resNext
	resNextfile
	resReturn
)

type frame struct {
	vals []cell
	arrs []*array
	ret  cell
}

type interp struct {
	env       *Env
	prog      *program
	pfileName string

	globals []cell
	garrs   []*array
	frame   *frame
	depth   int

	// $0 and the fields; nf < 0 means $0 has not been split yet.
	f0     cell
	fields []cell
	nf     int

	fsKind  int // fsSpace, fsNull, fsRegex
	fsRe    *Regex
	rsKind  int
	rsChar  byte
	rsStr   string
	rsRe    *Regex
	convfmt string
	ofmt    string

	reCache map[string]*Regex

	// input
	mainIn    *recReader
	mainOpen  bool
	mainDone  bool
	mainStdin bool
	anyFile   bool
	symtab    map[string]*symbol
	argi      float64
	stdinRec  *recReader
	rtNR      int
	rtFNR     int
	inputs    map[string]*recReader
	cmdStatus map[string]int

	// output
	stdout       *outStream
	streams      []*outStream // mawk's file_list: most recently used first
	stdoutFailed bool

	mem       int
	steps     int
	nextCheck int
	exitCode  int
	inEnd     bool

	seed     cell
	rnd      glibcRandom
	rangeOn  []bool
	ruleIdx  map[*rule]int
	argvSym  *symbol
	environ  *symbol
	progName string
	argv0    string
}

func newInterp(env *Env) *interp {
	in := &interp{env: env, convfmt: "%.6g", ofmt: "%.6g", reCache: map[string]*Regex{},
		inputs: map[string]*recReader{}, cmdStatus: map[string]int{}}
	in.stdout = &outStream{name: "/dev/stdout", kind: outStdout, in: in}
	in.streams = []*outStream{in.stdout, {name: "/dev/stderr", kind: outStderr, in: in}}
	// mawk seeds rand() from the clock at start-up.
	in.seedWith(num(float64(env.now().Unix())))
	return in
}

// load sets up variables for prog.
func (in *interp) load(prog *program, progName string, operands []string) {
	in.prog = prog
	in.progName = progName
	// Give every symbol its slot.
	nv := spCount
	na := 0
	var syms []*symbol
	seen := map[*symbol]bool{}
	for _, s := range collectGlobals(prog) {
		if !seen[s] {
			seen[s] = true
			syms = append(syms, s)
		}
	}
	sort.SliceStable(syms, func(a, b int) bool { return syms[a].name < syms[b].name })
	for _, s := range syms {
		switch {
		case s.special == spENVIRON:
			s.idx = 0
		case s.special == spARGV:
			s.idx = 1
		case s.kind == symArray:
			s.idx = 2 + na
			na++
		case s.special != spNone:
			s.idx = s.special
		default:
			s.kind = symVar
			s.idx = nv
			nv++
		}
	}
	in.globals = make([]cell, nv)
	in.garrs = make([]*array, 2+na)
	for i := range in.garrs {
		in.garrs[i] = &array{}
	}
	in.globals[spNR] = num(0)
	in.globals[spFNR] = num(0)
	in.globals[spNF] = num(0)
	in.globals[spFS] = str(" ")
	in.globals[spOFS] = str(" ")
	in.globals[spORS] = str("\n")
	in.globals[spRS] = str("\n")
	in.globals[spSUBSEP] = str("\x1c")
	in.globals[spFILENAME] = str("")
	in.globals[spCONVFMT] = str("%.6g")
	in.globals[spOFMT] = str("%.6g")
	in.globals[spRSTART] = num(0)
	in.globals[spRLENGTH] = num(-1)
	in.fsKind = fsSpace
	in.rsKind = rsChar
	in.rsChar = '\n'
	in.f0 = str("")
	in.nf = 0
	// ARGV and ARGC
	argv := in.garrs[1]
	*in.find(argv, akey{isInt: true, ival: 0}, true) = str(progName)
	for k, a := range operands {
		*in.find(argv, akey{isInt: true, ival: k + 1}, true) = maybe(a)
	}
	in.globals[spARGC] = num(float64(len(operands) + 1))
	in.argi = 1
	// ENVIRON, in the order the environment lists its variables
	env := in.garrs[0]
	names := make([]string, 0, len(in.env.Environ))
	for k := range in.env.Environ {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		*in.find(env, akey{s: k}, true) = maybe(in.env.Environ[k])
	}
	in.ruleIdx = map[*rule]int{}
	for i, r := range prog.rules {
		in.ruleIdx[r] = i
	}
	in.rangeOn = make([]bool, len(prog.rules))
}

// collectGlobals walks the program for the global symbols it uses.
func collectGlobals(prog *program) []*symbol {
	var out []*symbol
	var walkE func(e expr)
	var walkS func(s stmt)
	add := func(s *symbol) {
		if s != nil && !s.local {
			out = append(out, s)
		}
	}
	walkList := func(l []expr) {
		for _, e := range l {
			walkE(e)
		}
	}
	walkE = func(e expr) {
		switch n := e.(type) {
		case *varRef:
			add(n.sym)
		case *bareArg:
			add(n.sym)
		case *fieldRef:
			walkE(n.index)
		case *indexRef:
			add(n.arr)
			walkList(n.subs)
		case *groupExpr:
			walkE(n.e)
		case *groupList:
			walkList(n.items)
		case *assignExpr:
			walkE(n.lhs)
			walkE(n.rhs)
		case *condExpr:
			walkE(n.c)
			walkE(n.a)
			walkE(n.b)
		case *andExpr:
			walkE(n.a)
			walkE(n.b)
		case *orExpr:
			walkE(n.a)
			walkE(n.b)
		case *notExpr:
			walkE(n.e)
		case *negExpr:
			walkE(n.e)
		case *uplusExpr:
			walkE(n.e)
		case *binExpr:
			walkE(n.a)
			walkE(n.b)
		case *cmpExpr:
			walkE(n.a)
			walkE(n.b)
		case *catExpr:
			walkE(n.a)
			walkE(n.b)
		case *matchExpr:
			walkE(n.lhs)
			walkE(n.re)
		case *inExpr:
			walkList(n.subs)
			add(n.arr)
		case *incDec:
			walkE(n.lv)
		case *callExpr:
			walkList(n.args)
		case *lengthArr:
			add(n.arr)
		case *splitExpr:
			walkE(n.s)
			add(n.arr)
			walkE(n.sep)
		case *subExpr:
			walkE(n.re)
			walkE(n.repl)
			walkE(n.target)
		case *matchCall:
			walkE(n.s)
			walkE(n.re)
		case *userCall:
			walkList(n.args)
		case *getlineExpr:
			walkE(n.lv)
			walkE(n.src)
		}
	}
	walkS = func(s stmt) {
		switch n := s.(type) {
		case *blockStmt:
			if n == nil {
				return
			}
			for _, x := range n.list {
				walkS(x)
			}
		case *exprStmt:
			walkE(n.e)
		case *printStmt:
			walkList(n.args)
			walkE(n.dest)
		case *ifStmt:
			walkE(n.cond)
			walkS(n.then)
			walkS(n.els)
		case *whileStmt:
			walkE(n.cond)
			walkS(n.body)
		case *doStmt:
			walkS(n.body)
			walkE(n.cond)
		case *forStmt:
			walkE(n.init)
			walkE(n.cond)
			walkE(n.post)
			walkS(n.body)
		case *forInStmt:
			add(n.v)
			add(n.arr)
			walkS(n.body)
		case *exitStmt:
			walkE(n.e)
		case *returnStmt:
			walkE(n.e)
		case *deleteStmt:
			add(n.arr)
			walkList(n.subs)
		}
	}
	for _, b := range prog.begins {
		walkS(b)
	}
	for _, r := range prog.rules {
		walkE(r.pat)
		walkE(r.pat2)
		walkS(r.action)
	}
	for _, b := range prog.ends {
		walkS(b)
	}
	names := make([]string, 0, len(prog.funcs))
	for k := range prog.funcs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		walkS(prog.funcs[k].body)
	}
	// Built-in variables always exist (command-line assignments may name them).
	return out
}

// run executes BEGIN, the main loop and END, and returns the exit status.
func (in *interp) run() (status int) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *rtError:
				in.closeAll()
				in.reportRT(e)
				status = 2
			case exitNow:
				in.closeAll()
				status = e.status
			default:
				panic(r)
			}
		}
		if in.stdoutFailed {
			status = 141
		}
	}()
	exited := in.phase(func() {
		for _, b := range in.prog.begins {
			in.execBlock(b)
		}
	})
	if !exited && (len(in.prog.rules) > 0 || len(in.prog.ends) > 0) {
		exited = in.phase(in.mainLoop)
	}
	in.inEnd = true
	in.phase(func() {
		for _, b := range in.prog.ends {
			in.execBlock(b)
		}
	})
	in.closeAll()
	return in.exitCode
}

// exitSignal is the exit statement unwinding to the end of its phase.
type exitSignal struct{}

// phase runs f and reports whether it ended with exit.
func (in *interp) phase(f func()) (exited bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitSignal); ok {
				exited = true
				return
			}
			panic(r)
		}
	}()
	f()
	return false
}

func (in *interp) reportRT(e *rtError) {
	in.flushStdout()
	fn := in.toStr(in.globals[spFILENAME])
	where := "\tFILENAME=\"" + fn + "\" FNR=" + strconv.Itoa(in.rtFNR) + " NR=" + strconv.Itoa(in.rtNR) + "\n"
	if e.limit {
		in.errWrite(in.name() + ": program limit exceeded: " + e.msg + "\n" + where)
		return
	}
	in.errWrite(in.name() + ": run time error: " + e.msg + "\n" + where)
}

func (in *interp) rtErrorf(format string, args ...any) {
	panic(&rtError{msg: sprintfGo(format, args...)})
}

func (in *interp) outOfMemory() { panic(&rtError{msg: "out of memory"}) }

// charge accounts n bytes to a (may be nil) and fails past the memory cap.
func (in *interp) charge(a *array, n int) {
	in.mem += n
	if a != nil {
		a.bytes += n
	}
	if in.mem > memCap {
		in.outOfMemory()
	}
}

func (in *interp) uncharge(a *array, n int) {
	in.mem -= n
	if a != nil {
		a.bytes -= n
	}
}

// checkStr fails for strings too large to keep.
func (in *interp) checkStr(n int) {
	if n > memCap || in.mem+n > 2*memCap {
		in.outOfMemory()
	}
}

// tick counts a step of work (a loop iteration, a call) and stops the program when the
// session ends.
func (in *interp) tick() {
	in.steps++
	if in.steps >= in.nextCheck {
		in.checkpoint()
	}
}

// spend counts work proportional to n bytes handled.
func (in *interp) spend(n int) {
	in.steps += n >> 6
	if in.steps >= in.nextCheck {
		in.checkpoint()
	}
}

func (in *interp) checkpoint() {
	in.nextCheck = in.steps + stepsPerCheck
	if in.env.Ctx != nil && in.env.Ctx.Err() != nil {
		panic(exitNow{status: 130})
	}
	if in.stdoutFailed {
		panic(exitNow{status: 141})
	}
}

// mainLoop reads records and applies the rules.
func (in *interp) mainLoop() {
	for {
		in.tick()
		line, ok := in.nextMainRecord()
		if !ok {
			return
		}
		in.setRecord(line)
		in.incNR(true)
		if in.runRules() == resNextfile {
			in.skipFile()
		}
	}
}

func (in *interp) incNR(fnr bool) {
	in.globals[spNR] = num(toNum(in.globals[spNR]) + 1)
	in.rtNR++
	if fnr {
		in.globals[spFNR] = num(toNum(in.globals[spFNR]) + 1)
		in.rtFNR++
	}
}

func (in *interp) runRules() execResult {
	for i, r := range in.prog.rules {
		match := false
		switch {
		case r.pat == nil:
			match = true
		case r.pat2 != nil:
			if !in.rangeOn[i] {
				if truth(in.eval(r.pat)) {
					match = true
					in.rangeOn[i] = !truth(in.eval(r.pat2))
				}
			} else {
				match = true
				if truth(in.eval(r.pat2)) {
					in.rangeOn[i] = false
				}
			}
		default:
			match = truth(in.eval(r.pat))
		}
		if !match {
			continue
		}
		if r.action == nil {
			in.printRecord()
			continue
		}
		switch res := in.execBlock(r.action); res {
		case resNext:
			return resNormal
		case resNextfile:
			return res
		}
	}
	return resNormal
}

func (in *interp) printRecord() {
	in.stdout.write(in.outStr(in.f0))
	in.stdout.write(in.toStr(in.globals[spORS]))
}

func (in *interp) execBlock(b *blockStmt) execResult {
	for _, s := range b.list {
		if r := in.exec(s); r != resNormal {
			return r
		}
	}
	return resNormal
}

func (in *interp) exec(s stmt) execResult {
	switch n := s.(type) {
	case *blockStmt:
		return in.execBlock(n)
	case *exprStmt:
		in.eval(n.e)
	case *printStmt:
		in.execPrint(n)
	case *ifStmt:
		if truth(in.eval(n.cond)) {
			if n.then != nil {
				return in.exec(n.then)
			}
		} else if n.els != nil {
			return in.exec(n.els)
		}
	case *whileStmt:
		for truth(in.eval(n.cond)) {
			in.tick()
			if n.body == nil {
				continue
			}
			switch r := in.exec(n.body); r {
			case resBreak:
				return resNormal
			case resContinue, resNormal:
			default:
				return r
			}
		}
	case *doStmt:
		for {
			in.tick()
			if n.body != nil {
				switch r := in.exec(n.body); r {
				case resBreak:
					return resNormal
				case resContinue, resNormal:
				default:
					return r
				}
			}
			if !truth(in.eval(n.cond)) {
				break
			}
		}
	case *forStmt:
		if n.init != nil {
			in.eval(n.init)
		}
		for n.cond == nil || truth(in.eval(n.cond)) {
			in.tick()
			if n.body != nil {
				switch r := in.exec(n.body); r {
				case resBreak:
					return resNormal
				case resContinue, resNormal:
				default:
					return r
				}
			}
			if n.post != nil {
				in.eval(n.post)
			}
		}
	case *forInStmt:
		keys := in.keys(in.arrayOf(n.arr))
		for _, k := range keys {
			in.tick()
			in.assignVar(n.v, str(k))
			if n.body == nil {
				continue
			}
			switch r := in.exec(n.body); r {
			case resBreak:
				return resNormal
			case resContinue, resNormal:
			default:
				return r
			}
		}
	case *simpleStmt:
		switch n.kind {
		case skBreak:
			return resBreak
		case skContinue:
			return resContinue
		case skNext:
			return resNext
		case skNextfile:
			return resNextfile
		}
	case *exitStmt:
		if n.e != nil {
			in.exitCode = dToI(toNum(in.eval(n.e))) & 0xff
		}
		panic(exitSignal{})
	case *returnStmt:
		if n.e != nil {
			v := in.eval(n.e)
			if v.k == kMaybe {
				v = resolve(v)
			}
			in.frame.ret = v
		}
		return resReturn
	case *deleteStmt:
		a := in.arrayOf(n.arr)
		if n.subs == nil {
			in.clear(a)
		} else {
			in.remove(a, in.subscript(n.subs))
		}
	}
	return resNormal
}

func (in *interp) execPrint(n *printStmt) {
	var out *outStream
	if n.redir != "" {
		out = in.getOutput(in.toStr(in.eval(n.dest)), n.redir)
	} else {
		out = in.stdout
	}
	if n.printf {
		args := make([]cell, len(n.args))
		for i, a := range n.args {
			args[i] = in.eval(a)
		}
		format := in.toStr(args[0])
		s, err := in.sprintf("printf", format, args[1:])
		out.write(s)
		if err != nil {
			panic(&rtError{msg: err.msg, limit: err.limit})
		}
		return
	}
	if len(n.args) == 0 {
		out.write(in.outStr(in.f0))
		out.write(in.outStr(in.globals[spORS]))
		return
	}
	var b strings.Builder
	for i, a := range n.args {
		if i > 0 {
			b.WriteString(in.outStr(in.globals[spOFS]))
		}
		b.WriteString(in.outStr(in.eval(a)))
	}
	b.WriteString(in.outStr(in.globals[spORS]))
	out.write(b.String())
}

// toStr converts for string use (CONVFMT).
func (in *interp) toStr(c cell) string {
	switch c.k {
	case kNum:
		return in.numToStrConv(c.n)
	case kNoInit:
		return ""
	}
	return c.s
}

func (in *interp) numToStrConv(f float64) string { return numToStr(f, in.convfmt) }

// outStr converts for output (OFMT).
func (in *interp) outStr(c cell) string {
	if c.k == kNum {
		return numToStr(c.n, in.ofmt)
	}
	return in.toStr(c)
}

func (in *interp) arrayOf(s *symbol) *array {
	if s.local {
		a := in.frame.arrs[s.idx]
		if a == nil {
			a = &array{}
			in.frame.arrs[s.idx] = a
		}
		return a
	}
	return in.garrs[s.idx]
}

func (in *interp) subscript(subs []expr) akey {
	if len(subs) == 1 {
		return in.keyOf(in.eval(subs[0]))
	}
	sep := in.toStr(in.globals[spSUBSEP])
	var b strings.Builder
	for i, e := range subs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(in.toStr(in.eval(e)))
	}
	return akey{s: b.String()}
}

func (in *interp) getVar(s *symbol) cell {
	if s.local {
		return in.frame.vals[s.idx]
	}
	if s.special == spNF {
		in.splitIfNeeded()
	}
	return in.globals[s.idx]
}

func (in *interp) assignVar(s *symbol, v cell) {
	if v.k == kMaybe {
		v = resolve(v)
	}
	if s.local {
		in.frame.vals[s.idx] = v
		return
	}
	if s.special != spNone {
		in.setSpecial(s.special, v)
		return
	}
	in.globals[s.idx] = v
}

// eval evaluates an expression.
func (in *interp) eval(e expr) cell {
	switch n := e.(type) {
	case *numLit:
		return num(n.v)
	case *strLit:
		return str(n.s)
	case *regexLit:
		return boolNum(n.re.MatchString(in.toStr(in.f0), in))
	case *varRef:
		return in.getVar(n.sym)
	case *bareArg:
		if n.sym.kind == symArray {
			in.rtErrorf("can't use array %s in scalar context", n.sym.name)
		}
		return in.getVar(n.sym)
	case *fieldNum:
		return in.getField(n.n)
	case *fieldRef:
		return in.getField(in.fieldIndex(in.eval(n.index)))
	case *indexRef:
		a := in.arrayOf(n.arr)
		return *in.find(a, in.subscript(n.subs), true)
	case *groupExpr:
		return in.eval(n.e)
	case *assignExpr:
		return in.evalAssign(n)
	case *condExpr:
		if truth(in.eval(n.c)) {
			return in.eval(n.a)
		}
		return in.eval(n.b)
	case *andExpr:
		return boolNum(truth(in.eval(n.a)) && truth(in.eval(n.b)))
	case *orExpr:
		return boolNum(truth(in.eval(n.a)) || truth(in.eval(n.b)))
	case *notExpr:
		return boolNum(!truth(in.eval(n.e)))
	case *negExpr:
		return num(-toNum(in.eval(n.e)))
	case *uplusExpr:
		return num(toNum(in.eval(n.e)))
	case *binExpr:
		a := toNum(in.eval(n.a))
		b := toNum(in.eval(n.b))
		return num(arith(n.op, a, b))
	case *cmpExpr:
		a := in.eval(n.a)
		b := in.eval(n.b)
		c := in.compare(a, b)
		switch n.op {
		case tkEQ:
			return boolNum(c == 0)
		case tkNEQ:
			return boolNum(c != 0)
		case tkLT:
			return boolNum(c < 0)
		case tkLTE:
			return boolNum(c <= 0)
		case tkGT:
			return boolNum(c > 0)
		}
		return boolNum(c >= 0)
	case *catExpr:
		a := in.toStr(in.eval(n.a))
		b := in.toStr(in.eval(n.b))
		in.checkStr(len(a) + len(b))
		in.spend(len(a) + len(b))
		return str(a + b)
	case *matchExpr:
		s := in.toStr(in.eval(n.lhs))
		re := in.regexOf(n.re)
		return boolNum(re.MatchString(s, in) != n.neg)
	case *inExpr:
		a := in.arrayOf(n.arr)
		return boolNum(in.find(a, in.subscript(n.subs), false) != nil)
	case *incDec:
		return in.evalIncDec(n)
	case *callExpr:
		return in.callBuiltin(n)
	case *lengthArr:
		return num(float64(in.arrayOf(n.arr).size))
	case *splitExpr:
		return in.split(n)
	case *subExpr:
		return in.sub(n)
	case *matchCall:
		s := in.toStr(in.eval(n.s))
		re := in.regexOf(n.re)
		start, end, ok := re.Match(s, false, in)
		if ok {
			in.globals[spRSTART] = num(float64(start + 1))
			in.globals[spRLENGTH] = num(float64(end - start))
			return num(float64(start + 1))
		}
		in.globals[spRSTART] = num(0)
		in.globals[spRLENGTH] = num(-1)
		return num(0)
	case *userCall:
		return in.callUser(n)
	case *getlineExpr:
		return in.getline(n)
	case *groupList:
		in.rtErrorf("bad grouping")
	}
	return cell{}
}

func arith(op tok, a, b float64) float64 {
	switch op {
	case tkPlus:
		return a + b
	case tkMinus:
		return a - b
	case tkMul:
		return a * b
	case tkDiv:
		return a / b
	case tkMod:
		return fixNaN(math.Mod(a, b), a, b)
	case tkPow:
		return fixNaN(math.Pow(a, b), a, b)
	}
	return 0
}

// regexOf returns the regex for a match operand: a literal, or a dynamic string compiled
// (and cached) at run time.
func (in *interp) regexOf(e expr) *Regex {
	if r, ok := e.(*regexLit); ok {
		return r.re
	}
	return in.dynRegex(in.toStr(in.eval(e)))
}

func (in *interp) dynRegex(s string) *Regex {
	if re, ok := in.reCache[s]; ok {
		return re
	}
	re, err := compileRegex(s)
	if err != nil {
		in.rtErrorf("regular expression compile failed (%s)\n%s", err.Error(), s)
	}
	if len(in.reCache) > 500 {
		in.reCache = map[string]*Regex{}
	}
	in.reCache[s] = re
	return re
}

func (in *interp) evalAssign(n *assignExpr) cell {
	var v cell
	if n.op == tkAssign {
		v = in.eval(n.rhs)
		if v.k == kMaybe {
			v = resolve(v)
		}
		// mawk evaluates the right side, then finds the target.
		return in.store(n.lhs, v)
	}
	// op-assign: target address first, then the right side.
	r := toNum(in.eval(n.rhs))
	ref := in.ref(n.lhs)
	cur := toNum(ref.get())
	var x float64
	switch n.op {
	case tkAddAsg:
		x = cur + r
	case tkSubAsg:
		x = cur - r
	case tkMulAsg:
		x = cur * r
	case tkDivAsg:
		x = cur / r
	case tkModAsg:
		x = fixNaN(math.Mod(cur, r), cur, r)
	case tkPowAsg:
		x = fixNaN(math.Pow(cur, r), cur, r)
	}
	ref.set(num(x))
	return num(x)
}

// lref is an assignable place.
type lref struct {
	in    *interp
	sym   *symbol
	cellp *cell
	field int
	kind  int // 0 var, 1 element, 2 field
}

func (r lref) get() cell {
	switch r.kind {
	case 0:
		return r.in.getVar(r.sym)
	case 1:
		return *r.cellp
	}
	return r.in.getField(r.field)
}

func (r lref) set(v cell) {
	switch r.kind {
	case 0:
		r.in.assignVar(r.sym, v)
	case 1:
		if v.k == kMaybe {
			v = resolve(v)
		}
		r.in.mem += len(v.s) - len(r.cellp.s)
		if r.in.mem > memCap {
			r.in.outOfMemory()
		}
		*r.cellp = v
	default:
		r.in.setField(r.field, v)
	}
}

func (in *interp) ref(e expr) lref {
	switch n := e.(type) {
	case *varRef:
		return lref{in: in, sym: n.sym}
	case *bareArg:
		return lref{in: in, sym: n.sym}
	case *indexRef:
		a := in.arrayOf(n.arr)
		return lref{in: in, cellp: in.find(a, in.subscript(n.subs), true), kind: 1}
	case *fieldNum:
		in.splitIfNeeded()
		return lref{in: in, field: n.n, kind: 2}
	case *fieldRef:
		i := in.fieldIndex(in.eval(n.index))
		if i > 0 {
			in.splitIfNeeded()
		}
		return lref{in: in, field: i, kind: 2}
	case *groupExpr:
		return in.ref(n.e)
	}
	in.rtErrorf("assignment to a non-variable")
	return lref{}
}

func (in *interp) store(lhs expr, v cell) cell {
	r := in.ref(lhs)
	r.set(v)
	if r.kind == 2 {
		return in.getField(r.field)
	}
	return v
}

func (in *interp) evalIncDec(n *incDec) cell {
	r := in.ref(n.lv)
	old := toNum(r.get())
	d := 1.0
	if !n.inc {
		d = -1
	}
	r.set(num(old + d))
	if n.pre {
		return num(old + d)
	}
	return num(old)
}

func (in *interp) callUser(c *userCall) cell {
	fd := c.fn
	in.tick()
	if in.depth >= maxCallDepth {
		in.outOfMemory()
	}
	fr := &frame{vals: make([]cell, len(fd.params)), arrs: make([]*array, len(fd.params))}
	for i, p := range fd.params {
		if i >= len(c.args) {
			break
		}
		a := c.args[i]
		if p.kind == symArray {
			if b, ok := a.(*bareArg); ok {
				fr.arrs[i] = in.arrayOf(b.sym)
			}
			continue
		}
		if b, ok := a.(*bareArg); ok {
			if b.sym.kind == symArray {
				continue
			}
			fr.vals[i] = in.getVar(b.sym)
			continue
		}
		v := in.eval(a)
		if v.k == kMaybe {
			v = resolve(v)
		}
		fr.vals[i] = v
	}
	saved := in.frame
	in.frame = fr
	in.depth++
	defer func() {
		in.depth--
		in.frame = saved
	}()
	in.execBlock(fd.body)
	return fr.ret
}
