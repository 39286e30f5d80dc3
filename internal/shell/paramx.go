package shell

import (
	"regexp"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/pattern"
	"mvdan.cc/sh/v3/syntax"
)

// A few parameter expansions are computed here because expand gets them wrong for bash:
// anchored replacement ${x/#a/b}, ${#assoc[@]}, defaults of empty arrays ("${a[@]:-x}")
// and ${x@Q}. The result is handed to expand through a hidden slot variable, so field
// splitting and globbing still apply exactly as for any other expansion.

const slotPrefix = "\x00lure"

// needsCustom reports whether expand would get pe wrong.
func (r *runner) needsCustom(pe *syntax.ParamExp) bool {
	if pe.Param == nil {
		return false
	}
	idx := ""
	if w, ok := pe.Index.(*syntax.Word); ok {
		idx = w.Lit()
	}
	all := idx == "@" || idx == "*"
	switch {
	case pe.Repl != nil:
		if !all && pe.Repl.With != nil && len(pe.Repl.With.Parts) > 0 {
			// a scalar replacement whose worst case is large is computed here, exactly
			v := r.paramSize(pe)
			if w := r.estimate(pe.Repl.With.Parts, 1); w > 1 && (v+1)*(w-1) > r.sh.lim.MaxVar/4 {
				return true
			}
		}
		if pe.Repl.Orig != nil && len(pe.Repl.Orig.Parts) > 0 {
			if l, ok := pe.Repl.Orig.Parts[0].(*syntax.Lit); ok && (strings.HasPrefix(l.Value, "#") || strings.HasPrefix(l.Value, "%")) {
				return true
			}
			if r.opts.shopt["extglob"] {
				for _, p := range pe.Repl.Orig.Parts {
					switch p := p.(type) {
					case *syntax.ExtGlob:
						return true
					case *syntax.Lit:
						for _, op := range []string{"?(", "*(", "+(", "@(", "!("} {
							if strings.Contains(p.Value, op) {
								return true
							}
						}
					}
				}
			}
		}
	case pe.Length && all:
		v, _ := r.vars.get(pe.Param.Value)
		return v.Kind == expand.Associative
	case pe.Exp != nil && all:
		switch pe.Exp.Op {
		case syntax.DefaultUnset, syntax.DefaultUnsetOrNull, syntax.AlternateUnset, syntax.AlternateUnsetOrNull:
			return r.arrayLen(pe.Param.Value) == 0
		}
	case pe.Exp != nil && pe.Exp.Op == syntax.OtherParamOps:
		if pe.Exp.Word != nil {
			switch pe.Exp.Word.Lit() {
			case "Q", "P":
				return !all
			}
		}
	}
	return false
}

// arrayLen counts the elements "${name[@]}" expands to.
func (r *runner) arrayLen(name string) int {
	v := shellEnv{r}.Get(name)
	if !v.IsSet() {
		return 0
	}
	switch v.Kind {
	case expand.Indexed:
		return len(v.List)
	case expand.Associative:
		return len(v.Map)
	}
	return 1
}

// customParam computes pe's value.
func (r *runner) customParam(pe *syntax.ParamExp) (string, error) {
	name := pe.Param.Value
	switch {
	case pe.Repl != nil:
		val, err := r.literal(&syntax.Word{Parts: []syntax.WordPart{&syntax.ParamExp{Param: pe.Param, Index: pe.Index}}})
		if err != nil {
			return "", err
		}
		orig := pe.Repl.Orig
		var anchor byte
		if first, ok := orig.Parts[0].(*syntax.Lit); ok && (strings.HasPrefix(first.Value, "#") || strings.HasPrefix(first.Value, "%")) {
			anchor = first.Value[0]
			orig = &syntax.Word{Parts: append([]syntax.WordPart{&syntax.Lit{Value: first.Value[1:]}}, orig.Parts[1:]...)}
		}
		pat, err := r.pattern(orig)
		if err != nil {
			return "", err
		}
		with := ""
		if pe.Repl.With != nil {
			if with, err = r.literal(pe.Repl.With); err != nil {
				return "", err
			}
		}
		mode := pattern.Mode(0)
		if r.opts.shopt["extglob"] {
			mode |= pattern.ExtendedOperators
		}
		expr, err := pattern.Regexp(pat, mode)
		if err != nil || pat == "" {
			return val, nil
		}
		switch anchor {
		case '#':
			rx, err := regexp.Compile("^(?:" + expr + ")")
			if err != nil {
				return val, nil
			}
			if loc := longestPrefix(rx, val); loc >= 0 {
				return with + val[loc:], nil
			}
			return val, nil
		case '%':
			rx, err := regexp.Compile("^(?:" + expr + ")$")
			if err != nil {
				return val, nil
			}
			for i := 0; i <= len(val); i++ {
				if rx.MatchString(val[i:]) {
					return val[:i] + with, nil
				}
			}
			return val, nil
		}
		// unanchored: leftmost, longest match, once or everywhere
		rx, err := regexp.Compile("(?:" + expr + ")")
		if err != nil {
			return val, nil
		}
		rx.Longest()
		n := 1
		if pe.Repl.All {
			n = -1
		}
		locs := rx.FindAllStringIndex(val, n)
		size := int64(len(val))
		for _, loc := range locs {
			size += int64(len(with) - (loc[1] - loc[0]))
		}
		if size > r.sh.lim.MaxVar {
			return "", &errVarLimit{want: size}
		}
		var b strings.Builder
		last := 0
		for _, loc := range locs {
			if loc[0] == loc[1] {
				continue
			}
			b.WriteString(val[last:loc[0]])
			b.WriteString(with)
			last = loc[1]
		}
		b.WriteString(val[last:])
		return b.String(), nil
	case pe.Length:
		return itoa(r.arrayLen(name)), nil
	case pe.Exp != nil && pe.Exp.Op == syntax.OtherParamOps:
		v := shellEnv{r}.Get(name)
		if !v.IsSet() && !(name == "@" || name == "*") {
			return "", nil
		}
		s, err := r.literal(&syntax.Word{Parts: []syntax.WordPart{&syntax.ParamExp{Param: pe.Param, Index: pe.Index}}})
		if err != nil {
			return "", err
		}
		switch pe.Exp.Word.Lit() {
		case "Q":
			return bashQuoteQ(s), nil
		case "P":
			return unprotect(r.decodePrompt(s)), nil
		}
		return s, nil
	case pe.Exp != nil:
		// "${a[@]:-word}" and friends on an empty array
		switch pe.Exp.Op {
		case syntax.DefaultUnset, syntax.DefaultUnsetOrNull:
			return r.literal(pe.Exp.Word)
		}
		return "", nil
	}
	return "", nil
}

func longestPrefix(rx *regexp.Regexp, s string) int {
	for i := len(s); i >= 0; i-- {
		if m := rx.FindStringIndex(s[:i]); m != nil && m[0] == 0 && m[1] == i {
			return i
		}
	}
	return -1
}

// bashQuoteQ quotes like ${x@Q}: single quotes, $'...' for control characters.
func bashQuoteQ(s string) string {
	if hasControl(s) {
		return ansiCQuote(s)
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// slotVar stores a computed value and returns the hidden name expand will read it from.
func (r *runner) slotVar(val string) string {
	if r.slots == nil {
		r.slots = map[string]string{}
	}
	name := slotPrefix + strconv.Itoa(len(r.slots))
	r.slots[name] = val
	return name
}
