package shell

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// syntaxErr is a parse error worded as bash words it.
type syntaxErr struct {
	msg   string // "syntax error near unexpected token `)'"
	line  int
	text  string // the offending line, quoted on a second line by non-interactive bash
	quote bool
}

func parse(src, name string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), name)
}

func isIncomplete(err error) bool {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return pe.Incomplete || strings.HasPrefix(pe.Text, "unclosed here-document")
	}
	return false
}

// describeSyntaxError translates a parser error of mvdan.cc/sh into bash's message.
func describeSyntaxError(err error, src string) syntaxErr {
	lines := strings.Split(src, "\n")
	lineText := func(n int) string {
		if n >= 1 && n <= len(lines) {
			return lines[n-1]
		}
		return ""
	}
	eofLine := strings.Count(strings.TrimSuffix(src, "\n"), "\n") + 2
	var pe syntax.ParseError
	if !errors.As(err, &pe) {
		var le syntax.LangError
		if errors.As(err, &le) {
			l := int(le.Pos.Line())
			return syntaxErr{msg: "syntax error near unexpected token `" + tokenAt(src, int(le.Pos.Offset())) + "'", line: l, text: lineText(l), quote: true}
		}
		return syntaxErr{msg: "syntax error", line: 1, text: lineText(1), quote: true}
	}
	line := int(pe.Pos.Line())
	t := pe.Text
	if pe.Incomplete {
		switch {
		case strings.HasPrefix(t, "reached EOF without closing quote "):
			q := strings.TrimPrefix(t, "reached EOF without closing quote ")
			if len(q) >= 3 {
				q = q[1 : len(q)-1]
			}
			return syntaxErr{msg: "unexpected EOF while looking for matching `" + q + "'", line: line}
		case strings.Contains(t, "`${` with `}`"):
			return syntaxErr{msg: "unexpected EOF while looking for matching `}'", line: line}
		case strings.Contains(t, "`$(` with `)`"):
			return syntaxErr{msg: "unexpected EOF while looking for matching `)'", line: eofLine}
		case strings.HasPrefix(t, "`$((` must be followed"), strings.Contains(t, "`(` with `)`"):
			return syntaxErr{msg: "unexpected EOF while looking for matching `)'", line: line}
		case strings.Contains(t, "must be followed by a word"):
			// a redirection without its target: bash names the next token at once
			off := skipToken(src, int(pe.Pos.Offset()))
			return syntaxErr{msg: "syntax error near unexpected token `" + tokenAt(src, off) + "'", line: line, text: lineText(line), quote: true}
		}
		return syntaxErr{msg: "syntax error: unexpected end of file", line: eofLine}
	}
	tok := ""
	switch {
	case strings.HasPrefix(t, "a command can only contain words and redirects; encountered "):
		tok = strings.Trim(strings.TrimPrefix(t, "a command can only contain words and redirects; encountered "), "`")
	case strings.Contains(t, "must be followed by"):
		// the token after the operator is the unexpected one
		off := int(pe.Pos.Offset())
		tok = tokenAt(src, skipToken(src, off))
	case strings.HasPrefix(t, "`"):
		if i := strings.Index(t[1:], "`"); i >= 0 {
			tok = t[1 : i+1]
		}
	}
	if tok == "" {
		tok = tokenAt(src, int(pe.Pos.Offset()))
	}
	if strings.HasSuffix(tok, "(") && len(tok) > 1 {
		tok = "("
	}
	return syntaxErr{msg: "syntax error near unexpected token `" + tok + "'", line: line, text: lineText(line), quote: true}
}

var shellOps = []string{";;&", ";;", ";&", "&&", "||", "|&", ">>", "<<", "&>", ">&", "<&", "<>", "(", ")", ";", "&", "|", "<", ">"}

// tokenAt returns the shell token starting at off (after blanks): an operator, a word, or
// "newline" at the end of a line.
func tokenAt(src string, off int) string {
	for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
		off++
	}
	if off >= len(src) || src[off] == '\n' {
		return "newline"
	}
	for _, op := range shellOps {
		if strings.HasPrefix(src[off:], op) {
			return op
		}
	}
	end := off
	for end < len(src) && !strings.ContainsRune(" \t\n;&|()<>", rune(src[end])) {
		end++
	}
	return src[off:end]
}

// skipToken returns the offset after the token at off.
func skipToken(src string, off int) int {
	for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
		off++
	}
	if off >= len(src) {
		return off
	}
	for _, op := range shellOps {
		if strings.HasPrefix(src[off:], op) {
			return off + len(op)
		}
	}
	for off < len(src) && !strings.ContainsRune(" \t\n;&|()<>", rune(src[off])) {
		off++
	}
	return off
}

// unclosedHeredoc reports a here-document that runs to the end of input, and its delimiter.
func unclosedHeredoc(err error) (string, bool) {
	var pe syntax.ParseError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Text, "unclosed here-document `") {
		d := strings.TrimPrefix(pe.Text, "unclosed here-document `")
		d = strings.TrimSuffix(d, "`")
		return d, d != ""
	}
	return "", false
}

func heredocLine(err error) int {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return int(pe.Pos.Line())
	}
	return 1
}
