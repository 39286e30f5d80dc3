package commands

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// How the session's command line runs the current program, as ps, top, pgrep and pkill
// see it. bash 5.2 running `bash -c LINE` execs the last simple command of LINE's top-level
// list (after `;`, `&&`, `||`) when it has no redirection and is no builtin or function:
// sshd's child then *is* that program, and no "bash -c ..." process exists. So `pkill -f
// xmrig` sent as an exec request finds nothing (pkill never matches itself) and exits 1.
// Anything else (a pipeline, a redirection, a compound command, a command followed by
// another) keeps the bash process, and the program runs as its child next to the other
// members of its pipeline.

// lineShape is what the command line tells about the running program.
type lineShape struct {
	// replaced: the program is the one bash exec'd (an exec request's last simple command).
	replaced bool
	// members are the argument lines of the pipeline the program belongs to (the program
	// included, at index self); nil when the program is not found in a pipeline.
	members []string
	self    int
}

// bashBuiltins are the names bash runs itself: a builtin in a pipeline is a forked bash,
// and a builtin at the end of a line is not exec'd.
var bashBuiltinNames = []string{
	".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command",
	"compgen", "complete", "compopt", "continue", "declare", "dirs", "disown", "echo", "enable",
	"eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "help", "history",
	"jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd",
	"read", "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend",
	"test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
	"wait",
}

func isBashBuiltin(name string) bool {
	for _, b := range bashBuiltinNames {
		if b == name {
			return true
		}
	}
	return false
}

// currentLine is the command line the session is running: an exec request's string, or
// the interactive line just entered.
func (c *cmd) currentLine() string {
	if h := c.session().History; h != nil {
		if l := h(); len(l) > 0 {
			return l[len(l)-1]
		}
	}
	return ""
}

// shape works out how the line runs this program (c.Args).
func (c *cmd) shape() lineShape {
	var sh lineShape
	src := c.currentLine()
	if src == "" || len(c.Args) == 0 {
		return sh
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return sh
	}
	funcs := map[string]bool{}
	exitTrap := false
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.FuncDecl:
			funcs[x.Name.Value] = true
		case *syntax.CallExpr:
			if len(x.Args) > 0 && x.Args[0].Lit() == "trap" {
				for _, w := range x.Args[2:] {
					if s := w.Lit(); s == "EXIT" || s == "0" || s == "SIGEXIT" {
						exitTrap = true
					}
				}
			}
		}
		return true
	})
	if !c.session().Interactive && !exitTrap && len(f.Stmts) > 0 {
		st := f.Stmts[len(f.Stmts)-1]
		for {
			b, ok := st.Cmd.(*syntax.BinaryCmd)
			if !ok || (b.Op != syntax.AndStmt && b.Op != syntax.OrStmt) || st.Negated || st.Background || len(st.Redirs) > 0 {
				break
			}
			st = b.Y
		}
		if call, ok := st.Cmd.(*syntax.CallExpr); ok && !st.Negated && !st.Background && len(st.Redirs) == 0 {
			words := call.Args
			// `exec prog` and `command prog` run prog in place of the shell too
			for len(words) > 1 && (words[0].Lit() == "exec" || words[0].Lit() == "command") {
				words = words[1:]
			}
			if len(words) > 0 && c.isThisProgram(&syntax.CallExpr{Args: words}) {
				name := wordText(words[0], c.Env)
				if !isBashBuiltin(name) && !funcs[name] {
					sh.replaced = true
					return sh
				}
			}
		}
	}
	// Find the pipeline holding this program, to show its other members.
	shellArgs := "-bash"
	if !c.session().Interactive {
		shellArgs = "bash -c " + src
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if sh.members != nil {
			return false
		}
		b, ok := n.(*syntax.BinaryCmd)
		if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return true
		}
		var stmts []*syntax.Stmt
		var flatten func(s *syntax.Stmt)
		flatten = func(s *syntax.Stmt) {
			if bb, ok := s.Cmd.(*syntax.BinaryCmd); ok && (bb.Op == syntax.Pipe || bb.Op == syntax.PipeAll) {
				flatten(bb.X)
				flatten(bb.Y)
				return
			}
			stmts = append(stmts, s)
		}
		flatten(b.X)
		flatten(b.Y)
		self := -1
		members := make([]string, len(stmts))
		for i, s := range stmts {
			call, ok := s.Cmd.(*syntax.CallExpr)
			if !ok || len(call.Args) == 0 || isBashBuiltin(wordText(call.Args[0], c.Env)) || funcs[wordText(call.Args[0], c.Env)] {
				// a compound command or builtin runs in a forked copy of the shell
				members[i] = shellArgs
				continue
			}
			words := make([]string, len(call.Args))
			for k, w := range call.Args {
				words[k] = wordText(w, c.Env)
			}
			members[i] = strings.Join(words, " ")
			if self < 0 && c.isThisProgram(call) {
				self = i
			}
		}
		if self >= 0 {
			sh.members, sh.self = members, self
			return false
		}
		return true
	})
	return sh
}

// isThisProgram reports whether call is the running program: same name as invoked, and
// the same number of words when no word needed expansion.
func (c *cmd) isThisProgram(call *syntax.CallExpr) bool {
	if wordText(call.Args[0], c.Env) != c.Args[0] {
		return false
	}
	for _, w := range call.Args {
		if !plainWord(w) {
			return true
		}
	}
	return len(call.Args) == len(c.Args)
}

// plainWord reports whether a word expands to exactly one field without looking anything up.
func plainWord(w *syntax.Word) bool {
	for _, p := range w.Parts {
		switch x := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(x.Value, "*?[") {
				return false
			}
		case *syntax.SglQuoted:
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				if _, ok := q.(*syntax.Lit); !ok {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// wordText is a word after quote removal, with $NAME and ${NAME} taken from env: enough to
// show a pipeline member's argument line.
func wordText(w *syntax.Word, env map[string]string) string {
	var b strings.Builder
	var part func(p syntax.WordPart)
	part = func(p syntax.WordPart) {
		switch x := p.(type) {
		case *syntax.Lit:
			v := x.Value
			if strings.Contains(v, "\\") {
				var o strings.Builder
				for i := 0; i < len(v); i++ {
					if v[i] == '\\' && i+1 < len(v) {
						i++
					}
					o.WriteByte(v[i])
				}
				v = o.String()
			}
			b.WriteString(v)
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				part(q)
			}
		case *syntax.ParamExp:
			if x.Param != nil && x.Exp == nil && x.Repl == nil && x.Slice == nil && x.Index == nil && !x.Length && !x.Excl {
				b.WriteString(env[x.Param.Value])
			}
		}
	}
	for _, p := range w.Parts {
		part(p)
	}
	return b.String()
}

// selfPID is the running program's process id: the shell's own when bash exec'd it.
func (c *cmd) selfPID() int {
	sh := c.shape()
	if sh.replaced {
		return c.shellPID()
	}
	return c.shellPID() + 2 + 3*c.commandSerial()
}
