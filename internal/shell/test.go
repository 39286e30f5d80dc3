package shell

import (
	"errors"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// errQuietFail is a test failure whose message was already printed.
var errQuietFail = errors.New("test failed")

// errArithTest is an arithmetic error inside [[ ]]: reported, status 1.
var errArithTest = errors.New("arithmetic error in test")

// testBuiltin is `test` and `[`.
func testBuiltin(r *runner, args []string) int {
	name := args[0]
	args = args[1:]
	if name == "[" {
		if len(args) == 0 || args[len(args)-1] != "]" {
			r.errf("[: missing `]'\n")
			return 2
		}
		args = args[:len(args)-1]
	}
	t := &testParser{r: r, args: args, name: name}
	ok, err := t.eval()
	if err != nil {
		r.errf("%s: %s\n", name, err.Error())
		return 2
	}
	return boolStatus(ok)
}

type testParser struct {
	r    *runner
	args []string
	pos  int
	name string
}

func (t *testParser) eval() (bool, error) {
	a := t.args
	switch len(a) {
	case 0:
		return false, nil
	case 1:
		return a[0] != "", nil
	case 2:
		return t.two(a[0], a[1])
	case 3:
		return t.three(a)
	case 4:
		if a[0] == "!" {
			v, err := t.three(a[1:])
			return !v, err
		}
		if a[0] == "(" && a[3] == ")" {
			return t.two(a[1], a[2])
		}
	}
	v, err := t.orExpr()
	if err != nil {
		return false, err
	}
	if t.pos < len(t.args) {
		return false, errors.New("too many arguments")
	}
	return v, nil
}

func (t *testParser) two(a, b string) (bool, error) {
	if a == "!" {
		return b == "", nil
	}
	if isUnaryTestOp(a) {
		return t.r.unaryTest(a, b)
	}
	return false, errors.New(a + ": unary operator expected")
}

func (t *testParser) three(a []string) (bool, error) {
	if isBinaryTestOp(a[1]) {
		return t.r.binaryTest(a[1], a[0], a[2], false)
	}
	switch a[1] {
	case "-a":
		return a[0] != "" && a[2] != "", nil
	case "-o":
		return a[0] != "" || a[2] != "", nil
	}
	if a[0] == "!" {
		v, err := t.two(a[1], a[2])
		return !v, err
	}
	if a[0] == "(" && a[2] == ")" {
		return a[1] != "", nil
	}
	return false, errors.New(a[1] + ": binary operator expected")
}

func (t *testParser) peek() string {
	if t.pos < len(t.args) {
		return t.args[t.pos]
	}
	return ""
}

func (t *testParser) orExpr() (bool, error) {
	v, err := t.andExpr()
	for err == nil && t.pos < len(t.args) && t.peek() == "-o" {
		t.pos++
		var w bool
		w, err = t.andExpr()
		v = v || w
	}
	return v, err
}

func (t *testParser) andExpr() (bool, error) {
	v, err := t.notExpr()
	for err == nil && t.pos < len(t.args) && t.peek() == "-a" {
		t.pos++
		var w bool
		w, err = t.notExpr()
		v = v && w
	}
	return v, err
}

func (t *testParser) notExpr() (bool, error) {
	if t.peek() == "!" && t.pos+1 < len(t.args) {
		t.pos++
		v, err := t.notExpr()
		return !v, err
	}
	return t.primary()
}

func (t *testParser) primary() (bool, error) {
	if t.pos >= len(t.args) {
		return false, errors.New("argument expected")
	}
	a := t.args[t.pos]
	if a == "(" {
		t.pos++
		v, err := t.orExpr()
		if err != nil {
			return false, err
		}
		if t.peek() != ")" {
			return false, errors.New("`)' expected")
		}
		t.pos++
		return v, nil
	}
	if t.pos+2 < len(t.args) && isBinaryTestOp(t.args[t.pos+1]) {
		op, b := t.args[t.pos+1], t.args[t.pos+2]
		t.pos += 3
		return t.r.binaryTest(op, a, b, false)
	}
	if isUnaryTestOp(a) && t.pos+1 < len(t.args) {
		b := t.args[t.pos+1]
		t.pos += 2
		return t.r.unaryTest(a, b)
	}
	t.pos++
	return a != "", nil
}

func isUnaryTestOp(s string) bool {
	switch s {
	case "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w",
		"-x", "-G", "-L", "-N", "-O", "-S", "-z", "-n", "-o", "-v", "-R":
		return true
	}
	return false
}

func isBinaryTestOp(s string) bool {
	switch s {
	case "=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef":
		return true
	}
	return false
}

// unaryTest evaluates -f file, -z str and friends over the vfs.
func (r *runner) unaryTest(op, x string) (bool, error) {
	switch op {
	case "-z":
		return x == "", nil
	case "-n":
		return x != "", nil
	case "-o":
		on, ok := r.optionValue(x)
		return ok && on, nil
	case "-v":
		name, sub, hasSub := strings.Cut(x, "[")
		v := shellEnv{r}.Get(name)
		if hasSub {
			sub = strings.TrimSuffix(sub, "]")
			s, err := r.arithVarString(name, sub, true, false)
			_ = s
			if err != nil {
				return false, nil
			}
			switch v.Kind {
			case expand.Indexed:
				i, err := r.evalArith(sub)
				if err != nil {
					return false, nil
				}
				_, ok := indexedGet(v.List, v.Indexes, int(i))
				return ok, nil
			case expand.Associative:
				_, ok := v.Map[sub]
				return ok, nil
			}
			return v.IsSet() && sub == "0", nil
		}
		return v.IsSet(), nil
	case "-R":
		v, _ := r.vars.get(x)
		return v.Kind == expand.NameRef, nil
	case "-t":
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil || n < 0 || n > 9 || r.fd[n] == nil {
			return false, nil
		}
		return r.fd[n].term && r.sh.cfg.TTY, nil
	}
	if x == "" {
		return false, nil
	}
	abs := r.abs(x)
	if op == "-h" || op == "-L" {
		m, err := r.fs().Lstat(abs)
		return err == nil && m.Mode&fs.ModeSymlink != 0, nil
	}
	if dev, ok := devMode(abs); ok {
		switch op {
		case "-e", "-a", "-r", "-w":
			return true, nil
		case "-c":
			return dev == 'c', nil
		case "-p":
			return dev == 'p', nil
		}
		return false, nil
	}
	m, err := r.fs().Stat(abs)
	if err != nil {
		return false, nil
	}
	switch op {
	case "-e", "-a":
		return true, nil
	case "-f":
		return m.Mode.IsRegular(), nil
	case "-d":
		return m.Mode.IsDir(), nil
	case "-b":
		return m.Mode&fs.ModeDevice != 0 && m.Mode&fs.ModeCharDevice == 0, nil
	case "-c":
		return m.Mode&fs.ModeCharDevice != 0, nil
	case "-p":
		return m.Mode&fs.ModeNamedPipe != 0, nil
	case "-S":
		return m.Mode&fs.ModeSocket != 0, nil
	case "-s":
		return m.Size > 0, nil
	case "-g":
		return m.Mode&fs.ModeSetgid != 0, nil
	case "-u":
		return m.Mode&fs.ModeSetuid != 0, nil
	case "-k":
		return m.Mode&fs.ModeSticky != 0, nil
	case "-r":
		return r.canAccess(m, 4), nil
	case "-w":
		return r.canAccess(m, 2), nil
	case "-x":
		if r.sh.cfg.User.UID == 0 {
			return m.Mode.IsDir() || m.Mode.Perm()&0o111 != 0, nil
		}
		return r.canAccess(m, 1), nil
	case "-O":
		return int(m.UID) == r.sh.cfg.User.UID, nil
	case "-G":
		return int(m.GID) == r.sh.cfg.User.GID, nil
	case "-N":
		return m.MTime.After(m.ATime), nil
	}
	return false, nil
}

// devMode knows the device files every Linux box has, whatever the image holds.
func devMode(p string) (byte, bool) {
	switch p {
	case "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full", "/dev/tty":
		return 'c', true
	}
	return 0, false
}

// binaryTest evaluates a binary test. arith selects [[ ]] rules, where -eq operands are
// arithmetic expressions.
func (r *runner) binaryTest(op, x, y string, arith bool) (bool, error) {
	switch op {
	case "=", "==":
		return x == y, nil
	case "!=":
		return x != y, nil
	case "<":
		return x < y, nil
	case ">":
		return x > y, nil
	case "-nt", "-ot":
		mx, ex := r.fs().Stat(r.abs(x))
		my, ey := r.fs().Stat(r.abs(y))
		if op == "-nt" {
			return ex == nil && (ey != nil || mx.MTime.After(my.MTime)), nil
		}
		return ey == nil && (ex != nil || mx.MTime.Before(my.MTime)), nil
	case "-ef":
		px, ex := r.fs().Realpath(r.abs(x))
		py, ey := r.fs().Realpath(r.abs(y))
		return ex == nil && ey == nil && px == py, nil
	}
	var a, b int64
	var err error
	if arith {
		if a, err = r.evalArith(x); err != nil {
			return false, err
		}
		if b, err = r.evalArith(y); err != nil {
			return false, err
		}
	} else {
		if a, err = testInt(x); err != nil {
			return false, err
		}
		if b, err = testInt(y); err != nil {
			return false, err
		}
	}
	switch op {
	case "-eq":
		return a == b, nil
	case "-ne":
		return a != b, nil
	case "-lt":
		return a < b, nil
	case "-le":
		return a <= b, nil
	case "-gt":
		return a > b, nil
	case "-ge":
		return a >= b, nil
	}
	return false, errors.New(op + ": binary operator expected")
}

// testInt parses test's integers: optional blanks and sign, decimal digits.
func testInt(s string) (int64, error) {
	t := strings.Trim(s, " \t\n")
	u := strings.TrimPrefix(strings.TrimPrefix(t, "-"), "+")
	if u == "" {
		return 0, errors.New(s + ": integer expression expected")
	}
	for i := 0; i < len(u); i++ {
		if u[i] < '0' || u[i] > '9' {
			return 0, errors.New(s + ": integer expression expected")
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, errors.New(s + ": integer expression expected")
	}
	return n, nil
}

// testExpr evaluates a [[ ]] expression.
func (r *runner) testExpr(x syntax.TestExpr) (bool, error) {
	switch x := x.(type) {
	case *syntax.Word:
		s, err := r.literal(x)
		return s != "", err
	case *syntax.ParenTest:
		return r.testExpr(x.X)
	case *syntax.UnaryTest:
		if x.Op == syntax.TsNot {
			v, err := r.testExpr(x.X)
			return !v, err
		}
		w, ok := x.X.(*syntax.Word)
		if !ok {
			return false, nil
		}
		s, err := r.literal(w)
		if err != nil {
			return false, err
		}
		return r.unaryTest(x.Op.String(), s)
	case *syntax.BinaryTest:
		switch x.Op {
		case syntax.AndTest:
			a, err := r.testExpr(x.X)
			if err != nil || !a {
				return false, err
			}
			return r.testExpr(x.Y)
		case syntax.OrTest:
			a, err := r.testExpr(x.X)
			if err != nil || a {
				return a, err
			}
			return r.testExpr(x.Y)
		}
		lw, _ := x.X.(*syntax.Word)
		rw, _ := x.Y.(*syntax.Word)
		left, err := r.literal(lw)
		if err != nil {
			return false, err
		}
		switch x.Op {
		case syntax.TsMatch, syntax.TsNoMatch, syntax.TsMatchShort:
			pat, err := r.pattern(rw)
			if err != nil {
				return false, err
			}
			m := r.match(pat, left)
			if x.Op == syntax.TsNoMatch {
				return !m, nil
			}
			return m, nil
		case syntax.TsReMatch:
			re, err := r.regexWord(rw)
			if err != nil {
				return false, err
			}
			return r.regexMatch(left, re)
		}
		right, err := r.literal(rw)
		if err != nil {
			return false, err
		}
		ok, err := r.binaryTest(x.Op.String(), left, right, true)
		var ae *arithError
		if errors.As(err, &ae) {
			r.errf("[[: %s\n", ae.Error())
			return false, errArithTest
		}
		return ok, err
	}
	return false, nil
}

// regexWord expands the right side of =~: quoted parts match literally.
func (r *runner) regexWord(w *syntax.Word) (string, error) {
	if w == nil {
		return "", nil
	}
	var sb strings.Builder
	for _, p := range w.Parts {
		s, err := r.literal(&syntax.Word{Parts: []syntax.WordPart{p}})
		if err != nil {
			return "", err
		}
		switch p.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			sb.WriteString(regexp.QuoteMeta(s))
		default:
			sb.WriteString(s)
		}
	}
	return sb.String(), nil
}

// regexMatch runs [[ s =~ re ]] and fills BASH_REMATCH. An invalid regex is status 2.
func (r *runner) regexMatch(s, re string) (bool, error) {
	rx, err := regexp.Compile(re)
	if err != nil {
		return false, errQuietFail
	}
	m := rx.FindStringSubmatch(s)
	if m == nil {
		r.vars.setEntry("BASH_REMATCH", varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: []string{}}})
		return false, nil
	}
	r.vars.setEntry("BASH_REMATCH", varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: m}})
	return true, nil
}
