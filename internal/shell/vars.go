package shell

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/expand"
)

// varEntry is one shell variable: expand's view of it plus the attributes expand does not
// know about.
type varEntry struct {
	expand.Variable
	integer bool // declare -i: assignments are evaluated as arithmetic
	lower   bool // declare -l
	upper   bool // declare -u
}

// varStore holds the variables of one shell (or subshell): a global scope and one scope per
// running function, searched innermost first as bash's dynamic scoping does. It also counts
// the bytes held, so a doubling loop hits Limits.MaxVar instead of the sensor's memory.
type varStore struct {
	scopes []map[string]*varEntry
	size   int64
	limit  int64
}

// errVarLimit is returned by set when the variable bytes budget would be exceeded.
type errVarLimit struct{ want int64 }

func (e *errVarLimit) Error() string { return "variable space exhausted" }

var errReadOnly = errors.New("readonly variable")

func newVarStore(limit int64) *varStore {
	return &varStore{scopes: []map[string]*varEntry{{}}, limit: limit}
}

// clone deep-copies the store for a subshell. Values are copied so that later in-place
// edits of lists never leak between shells.
func (s *varStore) clone() *varStore {
	c := &varStore{scopes: make([]map[string]*varEntry, len(s.scopes)), size: s.size, limit: s.limit}
	for i, sc := range s.scopes {
		m := make(map[string]*varEntry, len(sc))
		for k, v := range sc {
			e := *v
			m[k] = &e
		}
		c.scopes[i] = m
	}
	return c
}

// entrySize approximates the bytes a variable holds, including bookkeeping.
func entrySize(name string, v *varEntry) int64 {
	n := int64(len(name)) + int64(len(v.Str)) + 16
	for _, s := range v.List {
		n += int64(len(s)) + 16
	}
	for k, s := range v.Map {
		n += int64(len(k)) + int64(len(s)) + 32
	}
	return n
}

// lookup returns the visible entry for name and the scope index holding it.
func (s *varStore) lookup(name string) (*varEntry, int) {
	for i := len(s.scopes) - 1; i >= 0; i-- {
		if v, ok := s.scopes[i][name]; ok {
			return v, i
		}
	}
	return nil, -1
}

func (s *varStore) get(name string) (varEntry, bool) {
	v, _ := s.lookup(name)
	if v == nil {
		return varEntry{}, false
	}
	return *v, true
}

// put stores e under name in scope i, accounting for bytes.
func (s *varStore) put(i int, name string, e varEntry) error {
	var old int64
	if prev, ok := s.scopes[i][name]; ok {
		old = entrySize(name, prev)
	}
	nw := entrySize(name, &e)
	if delta := nw - old; delta > 0 && s.limit > 0 && s.size+delta > s.limit {
		return &errVarLimit{want: nw}
	}
	s.size += nw - old
	ne := e
	s.scopes[i][name] = &ne
	return nil
}

// setEntry replaces the value of name (in the scope where it is visible, else global),
// keeping the attributes that the caller did not change.
func (s *varStore) setEntry(name string, e varEntry) error {
	prev, i := s.lookup(name)
	if prev == nil {
		i = 0
	}
	return s.put(i, name, e)
}

// unset removes the visible variable name. A local variable that is unset stays declared
// local (so a later assignment stays local), as bash does.
func (s *varStore) unset(name string) error {
	prev, i := s.lookup(name)
	if prev == nil {
		return nil
	}
	if prev.ReadOnly {
		return errReadOnly
	}
	s.size -= entrySize(name, prev)
	if prev.Local && i > 0 {
		s.scopes[i][name] = &varEntry{Variable: expand.Variable{Local: true}}
		return nil
	}
	delete(s.scopes[i], name)
	return nil
}

// pushScope enters a function; popScope leaves it.
func (s *varStore) pushScope() { s.scopes = append(s.scopes, map[string]*varEntry{}) }

func (s *varStore) popScope() {
	top := s.scopes[len(s.scopes)-1]
	for k, v := range top {
		s.size -= entrySize(k, v)
	}
	s.scopes = s.scopes[:len(s.scopes)-1]
}

// declareLocal creates name in the innermost function scope (keeping a visible value's
// copy when keep is true, as `local x` with no value leaves x unset in bash 5.2, while
// `declare -x x` inside a function refers to the same value).
func (s *varStore) declareLocal(name string) *varEntry {
	top := s.scopes[len(s.scopes)-1]
	if v, ok := top[name]; ok {
		return v
	}
	e := &varEntry{Variable: expand.Variable{Local: true}}
	top[name] = e
	return e
}

// names lists every visible variable name, sorted, whether set or only declared.
func (s *varStore) names() []string {
	seen := map[string]bool{}
	for _, sc := range s.scopes {
		for k := range sc {
			seen[k] = true
		}
	}
	out := slices.Collect(maps.Keys(seen))
	sort.Strings(out)
	return out
}

// exported returns the exported, set, string-valued variables: the environment a program
// gets.
func (s *varStore) exported() map[string]string {
	out := map[string]string{}
	for _, n := range s.names() {
		v, _ := s.lookup(n)
		if v.Exported && v.Set {
			switch v.Kind {
			case expand.String, expand.NameRef, expand.Unknown:
				out[n] = v.Str
			}
		}
	}
	return out
}

// indexedSet sets element i of a (possibly sparse) indexed array.
func indexedSet(list []string, idx []int, i int, val string) ([]string, []int) {
	if idx == nil {
		if i < len(list) {
			list = slices.Clone(list)
			list[i] = val
			return list, nil
		}
		if i == len(list) {
			return append(slices.Clone(list), val), nil
		}
		// becomes sparse
		idx = make([]int, len(list))
		for j := range list {
			idx[j] = j
		}
	} else {
		idx = slices.Clone(idx)
	}
	list = slices.Clone(list)
	pos, found := slices.BinarySearch(idx, i)
	if found {
		list[pos] = val
		return list, idx
	}
	list = slices.Insert(list, pos, val)
	idx = slices.Insert(idx, pos, i)
	return list, idx
}

// indexedDelete removes element i of an indexed array, leaving a hole.
func indexedDelete(list []string, idx []int, i int) ([]string, []int) {
	if idx == nil {
		if i < 0 || i >= len(list) {
			return list, nil
		}
		if i == len(list)-1 {
			return slices.Clone(list[:i]), nil
		}
		idx = make([]int, len(list))
		for j := range list {
			idx[j] = j
		}
	}
	pos, found := slices.BinarySearch(idx, i)
	if !found {
		return list, idx
	}
	list = slices.Delete(slices.Clone(list), pos, pos+1)
	idx = slices.Delete(slices.Clone(idx), pos, pos+1)
	return list, idx
}

// indexedMax is the highest index in use, -1 for an empty array.
func indexedMax(list []string, idx []int) int {
	if idx != nil {
		if len(idx) == 0 {
			return -1
		}
		return idx[len(idx)-1]
	}
	return len(list) - 1
}

// indexedGet returns element i.
func indexedGet(list []string, idx []int, i int) (string, bool) {
	if idx == nil {
		if i >= 0 && i < len(list) {
			return list[i], true
		}
		return "", false
	}
	if pos, ok := slices.BinarySearch(idx, i); ok {
		return list[pos], true
	}
	return "", false
}

// indexOf returns the index of the n-th element.
func indexOf(idx []int, n int) int {
	if idx == nil {
		return n
	}
	return idx[n]
}

// shellQuote quotes s the way bash's `declare -p`/`set` print values: bare when safe,
// single quotes otherwise, $'...' when it holds control characters.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("_@%+=:,./-", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c == 0x7f {
			return ansiCQuote(s)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ansiCQuote renders s as $'...' like bash's ansic_quote.
func ansiCQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for _, c := range []byte(s) {
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\v':
			b.WriteString(`\v`)
		case 0x1b:
			b.WriteString(`\E`)
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, "\\%03o", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteString("'")
	return b.String()
}

// dquote quotes s for `declare -p` array elements and scalars: "...", escaping \ " $ `.
func dquote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		switch c {
		case '\\', '"', '$', '`':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}
