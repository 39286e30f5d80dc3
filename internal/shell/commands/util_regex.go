package commands

import (
	"errors"
	"regexp"
	"strings"
)

// POSIX regular expressions (GNU flavour, as grep, sed and find use them) translated to Go's
// RE2 syntax and matched leftmost-longest, as POSIX requires. Back-references have no RE2
// equivalent and are reported as unsupported.

type reFlavor int

const (
	reBRE reFlavor = iota
	reERE
	reEmacs
)

var errBackref = errors.New("back-references are not supported")

// compileRegex compiles a POSIX pattern of the given flavour.
func compileRegex(pat string, flavor reFlavor, icase bool) (*regexp.Regexp, error) {
	s, err := translateRegex(pat, flavor)
	if err != nil {
		return nil, err
	}
	prefix := "(?s)"
	if icase {
		prefix = "(?si)"
	}
	re, err := regexp.Compile(prefix + s)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}

func translateRegex(p string, flavor reFlavor) (string, error) {
	var b strings.Builder
	ere := flavor == reERE
	atStart := true // at the start of the RE or a group/alternative: '*' is literal there
	lastQuant := false
	for i := 0; i < len(p); i++ {
		ch := p[i]
		wasStart := atStart
		atStart = false
		quant := false
		switch {
		case ch == '\\':
			if i+1 >= len(p) {
				return "", errors.New("Trailing backslash")
			}
			i++
			e := p[i]
			switch {
			case !ere && e == '(':
				b.WriteString("(")
				atStart = true
			case !ere && e == ')':
				b.WriteString(")")
			case !ere && e == '|':
				b.WriteString("|")
				atStart = true
			case !ere && flavor == reBRE && e == '{':
				j := strings.Index(p[i:], `\}`)
				if j < 0 {
					return "", errors.New("Unmatched \\{")
				}
				if wasStart {
					b.WriteString(`\{`)
					break
				}
				b.WriteString("{" + p[i+1:i+j] + "}")
				i += j + 1
				quant = true
			case !ere && (e == '+' || e == '?'):
				if wasStart {
					b.WriteString(regexp.QuoteMeta(string(e)))
				} else if !lastQuant {
					b.WriteByte(e)
					quant = true
				}
			case e == '<' || e == '>' || e == 'b':
				b.WriteString(`\b`)
			case e == 'B' || e == 'w' || e == 'W' || e == 's' || e == 'S':
				b.WriteString(`\` + string(e))
			case e == '\'':
				b.WriteString(`\z`)
			case e == '`':
				b.WriteString(`\A`)
			case e == 'n':
				b.WriteString(`\n`)
			case e == 't':
				b.WriteString(`\t`)
			case e >= '1' && e <= '9':
				return "", errBackref
			default:
				b.WriteString(regexp.QuoteMeta(string(e)))
			}
		case ch == '[':
			j, cls, err := bracketExpr(p, i)
			if err != nil {
				return "", err
			}
			b.WriteString(cls)
			i = j
		case ch == '*':
			if wasStart {
				b.WriteString(`\*`)
			} else if !lastQuant {
				b.WriteString("*")
				quant = true
			}
		case ch == '^':
			if ere || wasStart {
				b.WriteString("^")
				atStart = true
			} else {
				b.WriteString(`\^`)
			}
		case ch == '$':
			rest := p[i+1:]
			if ere || rest == "" || strings.HasPrefix(rest, `\)`) || strings.HasPrefix(rest, `\|`) {
				b.WriteString("$")
			} else {
				b.WriteString(`\$`)
			}
		case ch == '.':
			b.WriteString(".")
		case ere && (ch == '(' || ch == '|'):
			b.WriteByte(ch)
			atStart = true
		case ere && ch == ')':
			b.WriteByte(ch)
		case (ere || flavor == reEmacs) && (ch == '+' || ch == '?'):
			if wasStart {
				b.WriteString(regexp.QuoteMeta(string(ch)))
			} else if !lastQuant {
				b.WriteByte(ch)
				quant = true
			}
		case ere && ch == '{':
			j := strings.IndexByte(p[i:], '}')
			valid := j > 0 && regexp.MustCompile(`^\{[0-9]*(,[0-9]*)?\}$`).MatchString(p[i:i+j+1]) && j > 1
			if !valid || wasStart {
				b.WriteString(`\{`)
				break
			}
			b.WriteString(p[i : i+j+1])
			i += j
			quant = true
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
		lastQuant = quant
	}
	return b.String(), nil
}

// bracketExpr translates the POSIX bracket expression starting at p[i] ('[') and returns the
// index of its closing ']'.
func bracketExpr(p string, i int) (int, string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := i + 1
	if j < len(p) && p[j] == '^' {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(p); j++ {
		ch := p[j]
		if ch == ']' && !first {
			b.WriteByte(']')
			return j, b.String(), nil
		}
		first = false
		switch {
		case ch == '[' && j+1 < len(p) && (p[j+1] == ':' || p[j+1] == '=' || p[j+1] == '.'):
			kind := p[j+1]
			end := strings.Index(p[j+2:], string(kind)+"]")
			if end < 0 {
				return 0, "", errors.New("Unmatched [, [^, [:, [., or [=")
			}
			name := p[j+2 : j+2+end]
			if kind == ':' {
				switch name {
				case "alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct", "print", "graph", "cntrl", "xdigit":
					b.WriteString("[:" + name + ":]")
				default:
					return 0, "", errors.New("Invalid character class name")
				}
			} else {
				b.WriteString(regexp.QuoteMeta(name))
			}
			j += 2 + end + 1
		case ch == '\\' || ch == '[' || ch == ']':
			b.WriteString(`\` + string(ch))
		case ch == '-':
			b.WriteByte('-')
		default:
			if ch == '^' {
				b.WriteString(`\^`)
			} else {
				b.WriteByte(ch)
			}
		}
	}
	return 0, "", errors.New("Unmatched [, [^, [:, [., or [=")
}

// globMatch matches name against a shell pattern as fnmatch(3) without flags does (find
// -name): '*' and '?' match any character, a leading '.' included.
func globMatch(pattern, name string, icase bool) bool {
	if icase {
		pattern, name = strings.ToLower(pattern), strings.ToLower(name)
	}
	return fnmatch(pattern, name)
}

// globMatchPath is globMatch for whole paths ('*' also matches '/', as find -path does).
func globMatchPath(pattern, name string, icase bool) bool { return globMatch(pattern, name, icase) }

func fnmatch(p, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if ok, n, valid := matchClass(p[px:], s[sx]); valid {
						if ok {
							px += n
							sx++
							continue
						}
					} else if s[sx] == '[' {
						px++
						sx++
						continue
					}
				}
			case '\\':
				if px+1 < len(p) && sx < len(s) && p[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// matchClass matches byte c against the bracket expression at the start of p. It returns
// whether it matched, the length of the expression, and whether the expression was valid.
func matchClass(p string, c byte) (bool, int, bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	matched := false
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return matched != neg, i + 1, true
		}
		first = false
		if p[i] == '[' && i+1 < len(p) && p[i+1] == ':' {
			end := strings.Index(p[i+2:], ":]")
			if end >= 0 {
				if classMatch(p[i+2:i+2+end], c) {
					matched = true
				}
				i += 2 + end + 2
				continue
			}
		}
		lo := p[i]
		if lo == '\\' && i+1 < len(p) {
			i++
			lo = p[i]
		}
		i++
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			if hi == '\\' && i+2 < len(p) {
				hi = p[i+2]
				i++
			}
			i += 2
		}
		if c >= lo && c <= hi {
			matched = true
		}
	}
	return false, 0, false
}

func classMatch(name string, c byte) bool {
	switch name {
	case "alpha":
		return (c|0x20) >= 'a' && (c|0x20) <= 'z'
	case "digit":
		return c >= '0' && c <= '9'
	case "alnum":
		return classMatch("alpha", c) || classMatch("digit", c)
	case "upper":
		return c >= 'A' && c <= 'Z'
	case "lower":
		return c >= 'a' && c <= 'z'
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r')
	case "blank":
		return c == ' ' || c == '\t'
	case "punct":
		return c > 32 && c < 127 && !classMatch("alnum", c)
	case "print":
		return c >= 32 && c < 127
	case "graph":
		return c > 32 && c < 127
	case "cntrl":
		return c < 32 || c == 127
	case "xdigit":
		return classMatch("digit", c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f')
	}
	return false
}
