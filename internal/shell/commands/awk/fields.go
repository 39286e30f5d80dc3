package awk

import (
	"strings"
)

// Records and fields as mawk's field.c keeps them: $0 is split lazily, assigning a field
// rebuilds $0 with OFS, assigning NF truncates or extends, and fields past NF read as "".

const (
	fsSpace = iota // FS == " ": runs of blanks, leading and trailing ignored
	fsNull         // FS == "": one field per character
	fsRegex
)

const (
	rsChar = iota
	rsStr
	rsRegex
	rsPara // RS == "": paragraphs
)

// setRecord sets $0 from input.
func (in *interp) setRecord(s string) {
	if s == "" {
		in.f0 = str("")
	} else {
		in.f0 = maybe(s)
	}
	in.nf = -1
}

func (in *interp) splitIfNeeded() {
	if in.nf >= 0 {
		return
	}
	s := in.toStr(in.f0)
	in.spend(len(s))
	parts := in.splitWith(s, in.fsKind, in.fsRe)
	in.fields = in.fields[:0]
	for _, p := range parts {
		in.fields = append(in.fields, maybe(p))
	}
	in.nf = len(parts)
	in.globals[spNF] = num(float64(in.nf))
}

// splitWith splits s the way FS (or split's separator) says.
func (in *interp) splitWith(s string, kind int, re *Regex) []string {
	if s == "" {
		return nil
	}
	switch kind {
	case fsSpace:
		return spaceSplit(s)
	case fsNull:
		out := make([]string, len(s))
		for i := range s {
			out[i] = s[i : i+1]
		}
		return out
	}
	return reSplit(s, re, in)
}

func spaceSplit(s string) []string {
	var out []string
	i := 0
	for {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		j := i + 1
		for j < len(s) && !isBlank(s[j]) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
}

// reSplit is mawk's re_split: pieces between non-empty matches.
func reSplit(s string, re *Regex, tk ticker) []string {
	var out []string
	noBOL := false
	i := 0
	for i < len(s) {
		m, mlen, ok := posMatch(s[i:], re, noBOL, tk)
		if !ok {
			return append(out, s[i:])
		}
		out = append(out, s[i:i+m])
		i += m + mlen
		noBOL = true
	}
	return append(out, "")
}

// posMatch finds the first match of positive length (mawk's re_pos_match), returning its
// offset and length.
func posMatch(s string, re *Regex, noBOL bool, tk ticker) (int, int, bool) {
	off := 0
	for off < len(s) {
		st, end, ok := re.Match(s[off:], noBOL, tk)
		if !ok {
			return 0, 0, false
		}
		if end > st {
			return off + st, end - st, true
		}
		off += st + 1
		noBOL = true
	}
	return 0, 0, false
}

func (in *interp) getField(i int) cell {
	if i == 0 {
		return in.f0
	}
	in.splitIfNeeded()
	if i <= in.nf {
		return in.fields[i-1]
	}
	return str("")
}

// fieldIndex converts $expr's index (mawk's d_to_index).
func (in *interp) fieldIndex(c cell) int {
	d := toNum(c)
	if d >= maxInt {
		return maxInt
	}
	if d >= 0 {
		return int(d)
	}
	in.rtErrorf("negative field index $%s", formatOne("%.6g", d))
	return 0
}

// setField assigns $i and rebuilds what depends on it.
func (in *interp) setField(i int, v cell) {
	if v.k == kMaybe {
		v = resolve(v)
	}
	if i == 0 {
		in.checkStr(len(v.s))
		in.f0 = v
		in.nf = -1
		return
	}
	in.splitIfNeeded()
	if i > in.nf {
		if (i-in.nf)*16+in.mem > memCap {
			in.outOfMemory()
		}
		in.spend(i - in.nf)
		for len(in.fields) < i {
			in.fields = append(in.fields, str(""))
		}
		in.fields = in.fields[:i]
		for j := in.nf; j < i-1; j++ {
			in.fields[j] = str("")
		}
		in.nf = i
		in.globals[spNF] = num(float64(i))
	}
	in.fields[i-1] = v
	in.rebuild()
}

// rebuild makes $0 from the fields (mawk's build_field0).
func (in *interp) rebuild() {
	switch in.nf {
	case 0:
		in.f0 = str("")
		return
	case 1:
		in.f0 = in.fields[0]
		return
	}
	ofs := in.toStr(in.globals[spOFS])
	in.spend(in.nf * (len(ofs) + 8))
	var b strings.Builder
	for j := 0; j < in.nf; j++ {
		if j > 0 {
			b.WriteString(ofs)
		}
		b.WriteString(in.toStr(in.fields[j]))
		if b.Len() > memCap {
			in.outOfMemory()
		}
	}
	in.f0 = str(b.String())
}

// setSpecial assigns a built-in variable with its side effects.
func (in *interp) setSpecial(sp int, v cell) {
	if v.k == kMaybe {
		v = resolve(v)
	}
	if isPseudoField(sp) {
		// mawk splits the record before any pseudo field changes
		in.splitIfNeeded()
	}
	switch sp {
	case spNF:
		in.globals[spNF] = v
		j := dToI(toNum(v))
		if j < 0 {
			in.rtErrorf("negative value assigned to NF")
		}
		if j > in.nf {
			if (j-in.nf)*16+in.mem > memCap {
				in.outOfMemory()
			}
			in.spend(j - in.nf)
			for len(in.fields) < j {
				in.fields = append(in.fields, str(""))
			}
			for k := in.nf; k < j; k++ {
				in.fields[k] = str("")
			}
		}
		in.fields = in.fields[:j]
		in.nf = j
		in.rebuild()
		return
	case spFS:
		in.globals[spFS] = v
		in.fsKind, in.fsRe = in.sepFor(in.toStr(v))
		return
	case spRS:
		in.globals[spRS] = v
		in.setRS(in.toStr(v))
		return
	case spCONVFMT, spOFMT:
		if v.k == kNum || v.k == kNoInit {
			// mawk keeps a usable format when given a number
			in.globals[sp] = v
			if sp == spCONVFMT {
				in.convfmt = "%.6g"
			} else {
				in.ofmt = "%.6g"
			}
			return
		}
		f := in.toStr(v)
		name := "OFMT"
		if sp == spCONVFMT {
			name = "CONVFMT"
		}
		if !validFormat(f) {
			in.rtErrorf("illegal format assigned to %s: %s", name, f)
		}
		in.globals[sp] = v
		if sp == spCONVFMT {
			in.convfmt = f
		} else {
			in.ofmt = f
		}
		return
	}
	in.globals[sp] = v
}

// validFormat is mawk's check on OFMT and CONVFMT: at most one conversion, no '*'.
func validFormat(f string) bool {
	args := 0
	for q := 0; q < len(f); {
		c := f[q]
		q++
		if c != '%' {
			continue
		}
		args++
		if args > 1 {
			return false
		}
		for q < len(f) && strings.IndexByte("-+ #0'", f[q]) >= 0 {
			q++
		}
		if q < len(f) && f[q] == '*' {
			return false
		}
		for q < len(f) && isDigit(f[q]) {
			q++
		}
		if q < len(f) && f[q] == '.' {
			q++
			if q < len(f) && f[q] == '*' {
				return false
			}
			for q < len(f) && isDigit(f[q]) {
				q++
			}
		}
		lh := false
		if q < len(f) && (f[q] == 'l' || f[q] == 'h') {
			q++
			lh = true
		}
		if q >= len(f) {
			return false
		}
		switch f[q] {
		case 's', 'c', 'e', 'g', 'f', 'E', 'G':
			if lh {
				return false
			}
		case 'd', 'i', 'o', 'x', 'X', 'u':
		default:
			return false
		}
		q++
	}
	return true
}

// sepFor classifies a field separator as mawk's cast_for_split does.
func (in *interp) sepFor(fs string) (int, *Regex) {
	switch {
	case fs == " ":
		return fsSpace, nil
	case fs == "":
		return fsNull, nil
	case len(fs) == 1 && strings.IndexByte("^$.*+?|[]()", fs[0]) >= 0:
		return fsRegex, in.dynRegex("\\" + fs)
	case len(fs) == 1 && fs[0] == '\\':
		return fsRegex, in.dynRegex("\\\\")
	}
	return fsRegex, in.dynRegex(fs)
}

func (in *interp) setRS(rs string) {
	switch {
	case rs == "":
		in.rsKind = rsPara
		in.rsRe = in.dynRegex("\n\n+")
		return
	case len(rs) == 1:
		in.rsKind = rsChar
		in.rsChar = rs[0]
		return
	}
	kind, re := in.sepFor(rs)
	if kind == fsSpace {
		in.rsKind, in.rsChar = rsChar, ' '
		return
	}
	if re.isLit {
		if len(re.literal) == 1 {
			in.rsKind, in.rsChar = rsChar, re.literal[0]
		} else {
			in.rsKind, in.rsStr = rsStr, re.literal
		}
		return
	}
	in.rsKind, in.rsRe = rsRegex, re
}

// cmdlineAssign performs a var=value assignment from -v or the operands (mawk's
// is_cmdline_assign): escapes are processed and the value may be a number.
func (in *interp) cmdlineAssign(s string) {
	k := strings.IndexByte(s, '=')
	name, val := s[:k], rmEscape(s[k+1:])
	v := resolve(maybe(val))
	if sp, ok := specialNames[name]; ok {
		if sp == spENVIRON || sp == spARGV {
			in.rtErrorf("cannot command line assign to %s\n\ttype clash or keyword", name)
		}
		in.setSpecial(sp, v)
		return
	}
	if _, kw := keywords[name]; kw || builtinNames[name] || name == "length" {
		in.rtErrorf("cannot command line assign to %s\n\ttype clash or keyword", name)
	}
	if in.prog != nil {
		if _, isFunc := in.prog.funcs[name]; isFunc {
			in.rtErrorf("cannot command line assign to %s\n\ttype clash or keyword", name)
		}
	}
	sym := in.globalSym(name)
	if sym == nil {
		return
	}
	if sym.kind == symArray {
		in.rtErrorf("cannot command line assign to %s\n\ttype clash or keyword", name)
	}
	in.globals[sym.idx] = v
}

// globalSym finds a global by name (nil if the program never mentions it).
func (in *interp) globalSym(name string) *symbol {
	if in.symtab == nil {
		in.symtab = map[string]*symbol{}
		for _, s := range collectGlobals(in.prog) {
			in.symtab[s.name] = s
		}
	}
	return in.symtab[name]
}
