package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quoting as gnulib's quotearg does it, which is how coreutils names files in messages:
//   quoteAF  (shell_escape_always): 'name' always, e.g. "ls: cannot access '/nope'"
//   quoteF   (shell_escape + colon): only when needed, e.g. "cat: 'a b': No such file"
//   quoteLoc (locale): 'name' in the C locale, ‘name’ under UTF-8, e.g. mkdir's messages
//   quoteN   (shell_escape, no colon): names as ls prints them on a terminal

// quoteAF quotes like coreutils' quoteaf().
func (c *cmd) quoteAF(s string) string { return shellQuote(s, true, false, c.utf8Locale()) }

// quoteF quotes like coreutils' quotef().
func (c *cmd) quoteF(s string) string { return shellQuote(s, false, true, c.utf8Locale()) }

// quoteN quotes like ls's shell-escape style on a terminal.
func (c *cmd) quoteN(s string) string { return shellQuote(s, false, false, c.utf8Locale()) }

// quoteLoc quotes like coreutils' quote().
func (c *cmd) quoteLoc(s string) string {
	utf := c.utf8Locale()
	var b strings.Builder
	if utf {
		b.WriteString("\u2018")
	} else {
		b.WriteByte('\'')
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		ch := s[i]
		switch {
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == '\'' && !utf:
			b.WriteString(`\'`)
		case ch < 0x20 || ch == 0x7f:
			b.WriteString(cEscape(ch))
		case ch >= 0x80 && (!utf || r == utf8.RuneError || !unicode.IsPrint(r)):
			for j := 0; j < n; j++ {
				b.WriteString(octEscape(s[i+j]))
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if utf {
		b.WriteString("\u2019")
	} else {
		b.WriteByte('\'')
	}
	return b.String()
}

func octEscape(ch byte) string {
	return "\\" + string([]byte{'0' + ch>>6, '0' + (ch>>3)&7, '0' + ch&7})
}

func cEscape(ch byte) string {
	switch ch {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	return octEscape(ch)
}

// shellSpecial reports whether byte ch at index i of s forces shell quoting.
func shellSpecial(s string, i int, colon bool) bool {
	ch := s[i]
	switch ch {
	case '#', '~':
		return i == 0
	case '{', '}':
		return len(s) == 1
	case ' ', '!', '"', '$', '&', '\'', '(', ')', '*', ';', '<', '=', '>', '?', '[', '\\', '^', '`', '|':
		return true
	case ':':
		return colon
	}
	return false
}

// shellQuote implements gnulib's shell_escape(_always) quoting styles.
func shellQuote(s string, always, colon, utf bool) string {
	if s == "" {
		return "''"
	}
	need := always
	hasQuote := false
	compat := true // every special char also survives inside "..." unchanged
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		ch := s[i]
		if ch >= 0x80 {
			if !utf || r == utf8.RuneError || !unicode.IsPrint(r) {
				need, compat = true, false
			}
			i += n
			continue
		}
		if ch < 0x20 || ch == 0x7f {
			need, compat = true, false
		} else if shellSpecial(s, i, colon) {
			need = true
			switch ch {
			case '\'':
				hasQuote = true
			case ' ', '#', '~', '{', '}', ':', '(', ')', '*', ';', '<', '=', '>', '?', '[', '&', '|', '^':
			default:
				compat = false
			}
		}
		i++
	}
	if !need {
		return s
	}
	if hasQuote && compat {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('\'')
	inQ, inD := true, false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		ch := s[i]
		esc := ""
		if ch < 0x20 || ch == 0x7f {
			esc = cEscape(ch)
		} else if ch >= 0x80 && (!utf || r == utf8.RuneError || !unicode.IsPrint(r)) {
			for j := 0; j < n; j++ {
				esc += octEscape(s[i+j])
			}
		}
		if esc != "" {
			if inQ {
				b.WriteByte('\'')
				inQ = false
			}
			if !inD {
				b.WriteString("$'")
				inD = true
			}
			b.WriteString(esc)
			i += n
			continue
		}
		if inD {
			b.WriteByte('\'')
			inD = false
		}
		if ch == '\'' {
			if inQ {
				b.WriteString(`'\''`)
			} else {
				b.WriteString(`\''`)
				inQ = true
			}
			i++
			continue
		}
		if !inQ {
			b.WriteByte('\'')
			inQ = true
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	if inD || inQ {
		b.WriteByte('\'')
	}
	return b.String()
}
