package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// formatFunc prints a function as bash's declare -f and type do:
//
//	f ()
//	{
//	    echo hi;
//	    ...
//	}
func formatFunc(r *runner, name string, fn *funcDef) string {
	var b strings.Builder
	b.WriteString(name + " () \n")
	fp := &funcPrinter{b: &b}
	body := fn.body
	if blk, ok := body.Cmd.(*syntax.Block); ok && len(body.Redirs) == 0 {
		b.WriteString("{ \n")
		fp.list(blk.Stmts, 1, false)
		b.WriteString("}\n")
		return b.String()
	}
	fp.stmt(body, 0)
	b.WriteString("\n")
	return b.String()
}

type funcPrinter struct {
	b *strings.Builder
}

func indent(n int) string { return strings.Repeat("    ", n) }

// list prints statements one per line; in nested bodies every statement ends with ";",
// at a function's top level the last one does not.
func (p *funcPrinter) list(stmts []*syntax.Stmt, depth int, nested bool) {
	for i, st := range stmts {
		p.b.WriteString(indent(depth))
		p.stmt(st, depth)
		if nested || i < len(stmts)-1 {
			if !st.Background {
				p.b.WriteString(";")
			}
		}
		p.b.WriteString("\n")
	}
}

func (p *funcPrinter) stmt(st *syntax.Stmt, depth int) {
	if st.Negated {
		p.b.WriteString("! ")
	}
	p.cmd(st.Cmd, depth)
	for _, rd := range st.Redirs {
		p.b.WriteString(" " + printNode(rd))
	}
	if st.Background {
		p.b.WriteString(" &")
	}
}

func (p *funcPrinter) cmd(cm syntax.Command, depth int) {
	switch c := cm.(type) {
	case nil:
	case *syntax.IfClause:
		p.ifClause(c, depth, "if")
	case *syntax.WhileClause:
		kw := "while"
		if c.Until {
			kw = "until"
		}
		p.b.WriteString(kw + " " + p.inline(c.Cond) + "; do\n")
		p.list(c.Do, depth+1, true)
		p.b.WriteString(indent(depth) + "done")
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			p.b.WriteString("for " + l.Name.Value)
			if l.InPos.IsValid() {
				p.b.WriteString(" in")
				for _, w := range l.Items {
					p.b.WriteString(" " + printNode(w))
				}
			}
			p.b.WriteString(";\n")
		case *syntax.CStyleLoop:
			p.b.WriteString("for ((" + printArith(l.Init) + "; " + printArith(l.Cond) + "; " + printArith(l.Post) + "))\n")
		}
		p.b.WriteString(indent(depth) + "do\n")
		p.list(c.Do, depth+1, true)
		p.b.WriteString(indent(depth) + "done")
	case *syntax.CaseClause:
		p.b.WriteString("case " + printNode(c.Word) + " in \n")
		for _, it := range c.Items {
			var pats []string
			for _, w := range it.Patterns {
				pats = append(pats, printNode(w))
			}
			p.b.WriteString(indent(depth+1) + strings.Join(pats, " | ") + ")\n")
			p.list(it.Stmts, depth+2, false)
			op := ";;"
			switch it.Op {
			case syntax.Fallthrough:
				op = ";&"
			case syntax.Resume:
				op = ";;&"
			}
			p.b.WriteString(indent(depth+1) + op + "\n")
		}
		p.b.WriteString(indent(depth) + "esac")
	case *syntax.Block:
		p.b.WriteString("{ \n")
		p.list(c.Stmts, depth+1, true)
		p.b.WriteString(indent(depth) + "}")
	case *syntax.Subshell:
		p.b.WriteString("( " + p.inline(c.Stmts) + " )")
	case *syntax.BinaryCmd:
		p.stmt(c.X, depth)
		p.b.WriteString(" " + c.Op.String() + " ")
		p.stmt(c.Y, depth)
	default:
		p.b.WriteString(printNode(cm))
	}
}

func (p *funcPrinter) ifClause(c *syntax.IfClause, depth int, kw string) {
	p.b.WriteString(kw + " " + p.inline(c.Cond) + "; then\n")
	p.list(c.Then, depth+1, true)
	if e := c.Else; e != nil {
		if len(e.Cond) == 0 {
			p.b.WriteString(indent(depth) + "else\n")
			p.list(e.Then, depth+1, true)
		} else {
			p.b.WriteString(indent(depth))
			p.ifClause(e, depth, "elif")
			return
		}
	}
	p.b.WriteString(indent(depth) + "fi")
}

// inline prints a condition list on one line.
func (p *funcPrinter) inline(stmts []*syntax.Stmt) string {
	var parts []string
	for _, st := range stmts {
		var b strings.Builder
		q := &funcPrinter{b: &b}
		q.stmt(st, 0)
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "; ")
}

func printNode(n syntax.Node) string {
	var sb strings.Builder
	syntax.NewPrinter(syntax.SingleLine(true)).Print(&sb, n)
	return sb.String()
}
