package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// aliasCall expands an alias in the command word of ce, as bash does before parsing the
// rest: the alias text replaces the word and the result is parsed and run. It reports
// whether it ran the command.
func (r *runner) aliasCall(ce *syntax.CallExpr) bool {
	first := ce.Args[0]
	name, ok := plainWord(first)
	if !ok {
		return false
	}
	val, ok := r.aliases[name]
	if !ok || r.aliasActive(name) {
		return false
	}
	text, ok := r.srcSlice(ce.Pos(), ce.End(), "")
	if !ok {
		return false
	}
	base := int(ce.Pos().Offset())
	a, b := int(first.Pos().Offset())-base, int(first.End().Offset())-base
	if a < 0 || b > len(text) || a > b {
		return false
	}
	rest := text[b:]
	// An alias ending in a blank makes the next word a candidate too (alias sudo='sudo ').
	if strings.HasSuffix(val, " ") && len(ce.Args) > 1 {
		if n2, ok := plainWord(ce.Args[1]); ok {
			if v2, ok := r.aliases[n2]; ok && n2 != name {
				c, d := int(ce.Args[1].Pos().Offset())-base, int(ce.Args[1].End().Offset())-base
				if c >= b && d <= len(text) {
					rest = text[b:c] + v2 + text[d:]
				}
			}
		}
	}
	src := text[:a] + val + rest
	r.aliasStack = append(r.aliasStack, name)
	defer func() { r.aliasStack = r.aliasStack[:len(r.aliasStack)-1] }()
	if len(r.aliasStack) > 16 {
		return false
	}
	f, err := parse(src, "")
	if err != nil {
		se := describeSyntaxError(err, src)
		r.syntaxError(se, srcTop)
		return true
	}
	prev := r.src
	r.src = &source{text: src, name: prev.name, kind: prev.kind}
	line := r.line
	r.stmtsNoStep(f.Stmts)
	r.src, r.line = prev, line
	return true
}

// stmtsNoStep runs an alias expansion's statements (the step was already counted).
func (r *runner) stmtsNoStep(list []*syntax.Stmt) {
	for _, st := range list {
		if r.stop() {
			return
		}
		if st.Background {
			r.background(st)
			continue
		}
		r.stmtSync(st)
	}
}

func (r *runner) aliasActive(name string) bool {
	for _, a := range r.aliasStack {
		if a == name {
			return true
		}
	}
	return false
}

// plainWord returns the text of an unquoted literal word.
func plainWord(w *syntax.Word) (string, bool) {
	if len(w.Parts) != 1 {
		return "", false
	}
	l, ok := w.Parts[0].(*syntax.Lit)
	if !ok || strings.ContainsAny(l.Value, `\`) {
		return "", false
	}
	return l.Value, true
}
