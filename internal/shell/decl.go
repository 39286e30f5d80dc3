package shell

import (
	"sort"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// declClause runs declare, typeset, local, export, readonly (parsed as DeclClause).
func (r *runner) declClause(cm *syntax.DeclClause) {
	variant := cm.Variant.Value
	if variant == "nameref" {
		variant = "declare"
	}
	type item struct {
		as   *syntax.Assign // nil for a name or name=value from an expanded word
		name string
		val  string
		has  bool
	}
	var flags []string
	var items []item
	for _, as := range cm.Args {
		if as.Name == nil {
			fs, err := r.fields(as.Value)
			if err != nil {
				r.expandFail(err)
				return
			}
			for _, f := range fs {
				if (strings.HasPrefix(f, "-") || strings.HasPrefix(f, "+")) && len(items) == 0 && len(f) > 1 {
					flags = append(flags, f)
					continue
				}
				n, v, has := strings.Cut(f, "=")
				items = append(items, item{name: n, val: v, has: has})
			}
			continue
		}
		items = append(items, item{as: as, name: as.Name.Value})
	}
	r.status = 0
	d := declOpts{variant: variant, add: map[rune]bool{}, remove: map[rune]bool{}}
	for _, f := range flags {
		if f == "--" {
			continue
		}
		on := f[0] == '-'
		for _, c := range f[1:] {
			if !d.set(c, on) {
				r.errf("%s: %s: invalid option\n", variant, f[:1]+string(c))
				r.errf("%s", declUsage(variant))
				r.status = 2
				return
			}
		}
	}
	if variant == "local" && r.funcDepth == 0 {
		r.errf("local: can only be used in a function\n")
		r.status = 1
		return
	}
	if variant == "export" {
		d.add['x'] = !d.remove['x'] && !d.add['n']
		if d.add['n'] {
			d.remove['x'] = true
			d.add['x'] = false
		}
	}
	if variant == "readonly" {
		d.add['r'] = true
	}
	if len(items) == 0 {
		r.declList(d)
		return
	}
	for _, it := range items {
		name := it.name
		if d.add['f'] || d.add['F'] {
			fn, ok := r.funcs[name]
			if !ok {
				r.status = 1
				continue
			}
			if variant == "export" || d.add['x'] {
				continue
			}
			if d.add['F'] {
				r.out(name + "\n")
			} else {
				r.out(formatFunc(r, name, fn))
			}
			continue
		}
		if !validName(name) {
			shown := name
			if it.as != nil {
				shown = r.nodeText(it.as)
			} else if it.has {
				shown = name + "=" + it.val
			}
			r.errf("%s: `%s': not a valid identifier\n", variant, shown)
			r.status = 1
			continue
		}
		if d.add['p'] {
			if s, ok := r.declPrint(name); ok {
				r.out(s)
			} else {
				r.errf("%s: %s: not found\n", variant, name)
				r.status = 1
			}
			continue
		}
		local := variant == "local" || (variant != "export" && variant != "readonly" && r.funcDepth > 0 && !d.add['g'])
		if !r.declOne(name, it.as, it.val, it.has, d, local) {
			r.status = 1
		}
	}
}

// declOpts are declare's attribute flags.
type declOpts struct {
	variant     string
	add, remove map[rune]bool
}

func (d *declOpts) set(c rune, on bool) bool {
	if d.add == nil {
		d.add, d.remove = map[rune]bool{}, map[rune]bool{}
	}
	switch c {
	case 'a', 'A', 'i', 'l', 'u', 'n', 'r', 'x', 't', 'g', 'f', 'F', 'p', 'I':
	default:
		return false
	}
	if d.variant == "export" && !strings.ContainsRune("fnp", c) {
		return false
	}
	if d.variant == "readonly" && !strings.ContainsRune("aAfp", c) {
		return false
	}
	if on {
		d.add[c] = true
	} else {
		d.remove[c] = true
	}
	return true
}

func declUsage(v string) string {
	switch v {
	case "export":
		return "export: usage: export [-fn] [name[=value] ...] or export -p\n"
	case "readonly":
		return "readonly: usage: readonly [-aAf] [name[=value] ...] or readonly -p\n"
	case "local":
		return "local: usage: local [option] name[=value] ...\n"
	}
	return v + ": usage: " + v + " [-aAfFgiIlnrtux] [name[=value] ...] or " + v + " -p [-aAfFilnrtux] [name ...]\n"
}

// declOne applies declare to one name.
func (r *runner) declOne(name string, as *syntax.Assign, val string, has bool, d declOpts, local bool) bool {
	var prev varEntry
	if local {
		top := r.vars.scopes[len(r.vars.scopes)-1]
		if e, ok := top[name]; ok {
			prev = *e
		} else {
			prev = varEntry{Variable: expand.Variable{Local: true}}
			if vis, ok := r.vars.get(name); ok && vis.ReadOnly {
				r.errf("%s: readonly variable\n", name)
				return false
			}
		}
	} else {
		prev, _ = r.vars.get(name)
	}
	e := prev
	if prev.ReadOnly && (has || (as != nil && !as.Naked) || d.remove['r']) {
		r.errf("%s: readonly variable\n", name)
		return false
	}
	// attributes first: they shape the assignment
	if d.add['a'] && e.Kind != expand.Indexed {
		if e.Kind == expand.String && e.Set {
			e.List, e.Indexes = []string{e.Str}, nil
		} else {
			e.List = []string{}
		}
		e.Kind, e.Str = expand.Indexed, ""
	}
	if d.add['A'] && e.Kind != expand.Associative {
		if e.Kind == expand.Indexed && len(e.List) > 0 {
			r.errf("%s: cannot convert indexed to associative array\n", name)
			return false
		}
		e.Kind, e.Str, e.List, e.Map = expand.Associative, "", nil, map[string]string{}
	}
	if d.add['i'] {
		e.integer = true
	}
	if d.remove['i'] {
		e.integer = false
	}
	if d.add['l'] {
		e.lower, e.upper = true, false
	}
	if d.add['u'] {
		e.upper, e.lower = true, false
	}
	if d.add['n'] && !has && as == nil || d.add['n'] && as != nil {
		e.Kind = expand.NameRef
	}
	if d.add['x'] {
		e.Exported = true
	}
	if d.remove['x'] {
		e.Exported = false
	}
	e.Local = local || prev.Local
	var err error
	switch {
	case as != nil && as.Array != nil:
		e, err = r.arrayValue(name, e, as)
		e.Set = true
	case as != nil && as.Index != nil:
		e, err = r.elemValue(name, e, as)
		e.Set = true
	case as != nil && !as.Naked:
		v := ""
		if as.Value != nil {
			v, err = r.literal(as.Value)
		}
		if err == nil {
			e, err = r.scalarValue(name, e, v, as.Append)
			e.Set = true
		}
	case as == nil && has:
		e, err = r.scalarValue(name, e, val, false)
		e.Set = true
	}
	if err != nil {
		r.assignFail(name, err)
		return false
	}
	if d.add['r'] {
		e.ReadOnly = true
	}
	if local {
		err = r.vars.put(len(r.vars.scopes)-1, name, e)
	} else if d.add['g'] {
		err = r.vars.put(0, name, e)
	} else {
		err = r.vars.setEntry(name, e)
	}
	if err != nil {
		r.assignFail(name, err)
		return false
	}
	return true
}

// declList prints variables for declare/export/readonly without names.
func (r *runner) declList(d declOpts) {
	if d.add['f'] || d.add['F'] {
		names := make([]string, 0, len(r.funcs))
		for n := range r.funcs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if d.add['F'] {
				r.out("declare -f " + n + "\n")
			} else {
				r.out(formatFunc(r, n, r.funcs[n]))
			}
		}
		return
	}
	if d.variant == "declare" && !d.add['p'] && len(d.add) == 0 {
		r.setList(true)
		return
	}
	var b strings.Builder
	for _, n := range r.vars.names() {
		v, _ := r.vars.get(n)
		if d.add['x'] && !v.Exported || d.add['r'] && !v.ReadOnly ||
			d.add['a'] && v.Kind != expand.Indexed || d.add['A'] && v.Kind != expand.Associative ||
			d.add['i'] && !v.integer {
			continue
		}
		if s, ok := r.declPrint(n); ok {
			b.WriteString(s)
		}
	}
	r.out(b.String())
}

// declFlags renders a variable's attributes as declare -p shows them.
func declFlags(v varEntry) string {
	var f strings.Builder
	switch v.Kind {
	case expand.Indexed:
		f.WriteByte('a')
	case expand.Associative:
		f.WriteByte('A')
	}
	if v.integer {
		f.WriteByte('i')
	}
	if v.lower {
		f.WriteByte('l')
	}
	if v.Kind == expand.NameRef {
		f.WriteByte('n')
	}
	if v.ReadOnly {
		f.WriteByte('r')
	}
	if v.upper {
		f.WriteByte('u')
	}
	if v.Exported {
		f.WriteByte('x')
	}
	if f.Len() == 0 {
		return "-"
	}
	return f.String()
}

// declPrint is `declare -p name`.
func (r *runner) declPrint(name string) (string, bool) {
	v, ok := r.vars.get(name)
	if !ok {
		switch name {
		case "BASHPID", "RANDOM", "SECONDS", "LINENO", "PPID", "EPOCHSECONDS", "EPOCHREALTIME", "SRANDOM":
			sv := shellEnv{r}.Get(name)
			f := "-"
			if name == "PPID" {
				f = "ir"
			} else if name != "EPOCHREALTIME" && name != "EPOCHSECONDS" && name != "SRANDOM" {
				f = "i"
			}
			return "declare -" + strings.TrimPrefix(f, "-") + " " + name + "=" + dquote(sv.Str) + "\n", true
		}
		return "", false
	}
	head := "declare -" + strings.TrimPrefix(declFlags(v), "-")
	if declFlags(v) == "-" {
		head = "declare --"
	}
	if !v.Set {
		return head + " " + name + "\n", true
	}
	return head + " " + name + "=" + declValue(v) + "\n", true
}

// declValue renders a value as declare -p does.
func declValue(v varEntry) string {
	switch v.Kind {
	case expand.Indexed:
		var b strings.Builder
		b.WriteByte('(')
		for i, s := range v.List {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("[" + itoa(indexOf(v.Indexes, i)) + "]=" + dquote(s))
		}
		b.WriteByte(')')
		return b.String()
	case expand.Associative:
		keys := make([]string, 0, len(v.Map))
		for k := range v.Map {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteByte('(')
		for _, k := range keys {
			b.WriteString("[" + assocKeyQuote(k) + "]=" + dquote(v.Map[k]) + " ")
		}
		b.WriteByte(')')
		return b.String()
	}
	if hasControl(v.Str) {
		return ansiCQuote(v.Str)
	}
	return dquote(v.Str)
}

func assocKeyQuote(k string) string {
	if validName(k) || isDigits(k) {
		return k
	}
	return dquote(k)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 && s[i] != '\t' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validName(s string) bool { return syntax.ValidName(s) }

// setList is `set` without arguments: every variable, then (if funcs) every function.
func (r *runner) setList(funcs bool) {
	var b strings.Builder
	for _, n := range r.vars.names() {
		v, _ := r.vars.get(n)
		if !v.Set {
			continue
		}
		b.WriteString(n + "=" + setValue(v) + "\n")
	}
	if funcs {
		names := make([]string, 0, len(r.funcs))
		for n := range r.funcs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			b.WriteString(formatFunc(r, n, r.funcs[n]))
		}
	}
	r.out(b.String())
}

// setValue renders a value as `set` prints it.
func setValue(v varEntry) string {
	switch v.Kind {
	case expand.Indexed, expand.Associative:
		return declValue(v)
	}
	return shellQuote(v.Str)
}
