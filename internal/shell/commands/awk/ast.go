package awk

// Syntax tree. Expressions and statements are small structs walked by the interpreter with a
// type switch; names are resolved to symbols while parsing and given slots after it.

type symKind uint8

const (
	symNone symKind = iota
	symVar
	symArray
)

type symbol struct {
	name    string
	kind    symKind
	local   bool
	idx     int // slot: globals (scalars or arrays by kind) or the frame's parameter index
	special int // spNone or a built-in variable
}

// Built-in variables with side effects or special reads.
const (
	spNone = iota
	spNR
	spFNR
	spNF
	spFS
	spOFS
	spORS
	spRS
	spSUBSEP
	spFILENAME
	spCONVFMT
	spOFMT
	spRSTART
	spRLENGTH
	spARGC
	spENVIRON
	spARGV
	spCount
)

var specialNames = map[string]int{
	"NR": spNR, "FNR": spFNR, "NF": spNF, "FS": spFS, "OFS": spOFS, "ORS": spORS, "RS": spRS,
	"SUBSEP": spSUBSEP, "FILENAME": spFILENAME, "CONVFMT": spCONVFMT, "OFMT": spOFMT,
	"RSTART": spRSTART, "RLENGTH": spRLENGTH, "ARGC": spARGC, "ENVIRON": spENVIRON, "ARGV": spARGV,
}

type expr interface{}

type (
	numLit   struct{ v float64 }
	strLit   struct{ s string }
	regexLit struct{ re *Regex } // as a value: $0 ~ re
	varRef   struct{ sym *symbol }
	fieldRef struct{ index expr } // $expr
	fieldNum struct{ n int }      // $constant
	indexRef struct {
		arr  *symbol
		subs []expr
	}
	groupExpr  struct{ e expr } // (e): not assignable
	groupList  struct{ items []expr }
	assignExpr struct {
		op  tok // tkAssign or an op-assign token
		lhs expr
		rhs expr
	}
	condExpr  struct{ c, a, b expr }
	andExpr   struct{ a, b expr }
	orExpr    struct{ a, b expr }
	notExpr   struct{ e expr }
	negExpr   struct{ e expr }
	uplusExpr struct{ e expr }
	binExpr   struct {
		op   tok
		a, b expr
	}
	cmpExpr struct {
		op   tok
		a, b expr
	}
	catExpr   struct{ a, b expr }
	matchExpr struct {
		neg bool
		lhs expr
		re  expr // *regexLit or a dynamic expression
	}
	inExpr struct {
		subs []expr
		arr  *symbol
	}
	incDec struct {
		pre, inc bool
		lv       expr
	}
	callExpr struct {
		name string
		args []expr
	}
	lengthArr struct{ arr *symbol }
	splitExpr struct {
		s   expr
		arr *symbol
		sep expr // nil: FS
	}
	subExpr struct {
		global bool
		re     expr
		repl   expr
		target expr // nil: $0
	}
	matchCall struct {
		s  expr
		re expr
	}
	userCall struct {
		name string
		fn   *funcDef
		args []expr
		line int
	}
	getlineExpr struct {
		kind int  // glPlain, glFile, glCmd
		lv   expr // nil: $0
		src  expr
	}
)

const (
	glPlain = iota
	glFile
	glCmd
)

type stmt interface{}

type (
	blockStmt struct{ list []stmt }
	exprStmt  struct{ e expr }
	printStmt struct {
		printf bool
		args   []expr
		redir  string // "", ">", ">>", "|"
		dest   expr
	}
	ifStmt struct {
		cond      expr
		then, els stmt
	}
	whileStmt struct {
		cond expr
		body stmt
	}
	doStmt struct {
		body stmt
		cond expr
	}
	forStmt struct {
		init, cond, post expr
		body             stmt
	}
	forInStmt struct {
		v    *symbol
		arr  *symbol
		body stmt
	}
	simpleStmt struct{ kind int } // break, continue, next, nextfile
	exitStmt   struct{ e expr }
	returnStmt struct{ e expr }
	deleteStmt struct {
		arr  *symbol
		subs []expr // nil: the whole array
	}
)

const (
	skBreak = iota
	skContinue
	skNext
	skNextfile
)

type rule struct {
	pat, pat2 expr // pat2 set for a range pattern
	action    *blockStmt
	inRange   bool
}

type funcDef struct {
	name    string
	params  []*symbol
	body    *blockStmt
	defined bool
}

type program struct {
	begins []*blockStmt
	rules  []*rule
	ends   []*blockStmt
	funcs  map[string]*funcDef
}
