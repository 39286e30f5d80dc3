package session

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// backslashContinues reports whether src ends in a backslash that joins the next line to
// it, as bash reads `echo a \` Enter `b` as one command. A backslash inside a comment is
// text; inside quotes the command is incomplete anyway.
func backslashContinues(src string) bool {
	trailing := len(src) - len(strings.TrimRight(src, `\`))
	if trailing%2 == 0 {
		return false
	}
	f, err := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return false
	}
	end := uint(len(src))
	inComment := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.Comment); ok && c.End().Offset() >= end {
			inComment = true
		}
		return !inComment
	})
	return !inComment
}

// lexerEOF reports whether the parse of src ends inside a quote or a $( ), ${ } or ( )
// (bash's lexer reading end of file) rather than in an unfinished compound command.
func lexerEOF(src string) bool {
	_, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	var pe syntax.ParseError
	if !errors.As(err, &pe) || !pe.Incomplete {
		return false
	}
	t := pe.Text
	return strings.HasPrefix(t, "reached EOF without closing quote") ||
		strings.Contains(t, "`${` with `}`") || strings.Contains(t, "`$(` with `)`") ||
		strings.Contains(t, "`$((`") || strings.Contains(t, "`(` with `)`")
}

// noSemiAfter reports whether bash joins the next line of a multi-line command to one
// ending in tok with a space rather than "; " in its history (no_semi_successors in bash's
// parse.y).
func noSemiAfter(tok string) bool {
	switch tok {
	case "{", "(", ";", "&", "|", "&&", "||", ";;", ";&", ";;&",
		"case", "do", "else", "if", "then", "until", "while", "in":
		return true
	}
	return false
}

// editorEntry renders a multi-line command as bash's history shows it on one line (cmdhist
// without lithist): lines are joined with "; " or a space, a backslash-newline disappears,
// and newlines stay only inside quotes and here-documents. The line editor cannot show a
// newline, and bash's arrows recall the joined form.
func editorEntry(src string) string {
	if !strings.Contains(src, "\n") {
		return src
	}
	if strings.Contains(src, "<<") {
		return src
	}
	lines := strings.Split(src, "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	var q quoteState
	q.scan(lines[0])
	for i, l := range lines[1:] {
		prev := lines[i]
		switch {
		case q.open():
			b.WriteByte('\n')
		case backslashEnded(prev):
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-1])
		case strings.TrimSpace(l) == "":
		case noSemiAfter(lastToken(prev)):
			b.WriteByte(' ')
		case strings.HasSuffix(strings.TrimSpace(prev), "()"):
			b.WriteByte(' ') // a function definition before its body
		default:
			b.WriteString("; ")
		}
		b.WriteString(l)
		q.scan(l)
	}
	return b.String()
}

func backslashEnded(l string) bool {
	return (len(l)-len(strings.TrimRight(l, `\`)))%2 == 1
}

// lastToken is the last word or operator of a line.
func lastToken(l string) string {
	l = strings.TrimRight(l, " \t")
	if l == "" {
		return ""
	}
	for _, op := range []string{";;&", ";;", ";&", "&&", "||"} {
		if strings.HasSuffix(l, op) {
			return op
		}
	}
	switch c := l[len(l)-1]; c {
	case ';', '&', '|', '(', ')', '{':
		return string(c)
	}
	i := strings.LastIndexAny(l, " \t;&|()")
	return l[i+1:]
}

// quoteState follows single and double quotes across lines.
type quoteState struct{ q byte }

func (s *quoteState) open() bool { return s.q != 0 }

func (s *quoteState) scan(l string) {
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch s.q {
		case 0:
			switch c {
			case '\\':
				i++
			case '\'', '"':
				s.q = c
			case '#':
				if i == 0 || l[i-1] == ' ' || l[i-1] == '\t' {
					return // a comment to the end of the line
				}
			}
		case '\'':
			if c == '\'' {
				s.q = 0
			}
		case '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				s.q = 0
			}
		}
	}
}
