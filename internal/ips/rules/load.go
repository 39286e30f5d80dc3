package rules

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
)

//go:embed lure.rules
var builtin []byte

// BuiltinName is how the shipped rule file is named in messages.
const BuiltinName = "builtin:lure.rules"

// Builtin returns the rule file shipped inside lure: the behaviours bots show in honeypot
// shells (droppers, implants, miners, Mirai probes, persistence, history wiping).
func Builtin() []byte { return append([]byte(nil), builtin...) }

// maxRuleBytes bounds one rule, continuation lines included.
const maxRuleBytes = 64 << 10

// Load parses a rule file. Every rule that fails is reported as a *ParseError with the file,
// the line where it starts and the reason, and the others still load. A second rule with the
// same gid:sid is refused. Lines ending in a backslash continue on the next one; lines
// starting with # are comments.
func Load(file string, data []byte, vars Vars) ([]*Rule, []error) {
	var out []*Rule
	var errs []error
	seen := map[[2]int]int{} // gid:sid -> line
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimRight(lines[i], "\r")
		var b strings.Builder
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) && b.Len() < maxRuleBytes {
			b.WriteString(strings.TrimSuffix(line, "\\"))
			i++
			line = strings.TrimRight(lines[i], "\r")
		}
		b.WriteString(line)
		text := strings.TrimSpace(b.String())
		if text == "" || text[0] == '#' {
			continue
		}
		if len(text) > maxRuleBytes {
			errs = append(errs, &ParseError{File: file, Line: start, Reason: fmt.Sprintf("longer than %d bytes", maxRuleBytes)})
			continue
		}
		r, err := Parse(text, vars)
		if err != nil {
			errs = append(errs, &ParseError{File: file, Line: start, SID: sidOf(text), Reason: err.Error()})
			continue
		}
		r.File, r.Line = file, start
		key := [2]int{r.GID, r.SID}
		if prev, dup := seen[key]; dup {
			errs = append(errs, &ParseError{File: file, Line: start, SID: r.SID, Reason: fmt.Sprintf("sid %d is already used by the rule on line %d", r.SID, prev)})
			continue
		}
		seen[key] = start
		out = append(out, r)
	}
	return out, errs
}

// LoadFiles loads the built-in rules (when builtin is set) and the given files, in that order;
// a sid used in an earlier file is refused in a later one. A file that cannot be read is one
// error; its rules are missing.
func LoadFiles(builtinRules bool, files []string, vars Vars) ([]*Rule, []error) {
	type src struct {
		name string
		data []byte
	}
	var srcs []src
	var errs []error
	if builtinRules {
		srcs = append(srcs, src{BuiltinName, builtin})
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading rule file: %w", err))
			continue
		}
		srcs = append(srcs, src{f, data})
	}
	var out []*Rule
	where := map[[2]int]*Rule{}
	for _, s := range srcs {
		rs, es := Load(s.name, s.data, vars)
		errs = append(errs, es...)
		for _, r := range rs {
			if prev, dup := where[[2]int{r.GID, r.SID}]; dup {
				errs = append(errs, &ParseError{File: r.File, Line: r.Line, SID: r.SID, Reason: fmt.Sprintf("sid %d is already used by %s:%d", r.SID, prev.File, prev.Line)})
				continue
			}
			where[[2]int{r.GID, r.SID}] = r
			out = append(out, r)
		}
	}
	return out, errs
}

// sidOf finds a rule's sid in its text, for the error about a rule that did not parse.
func sidOf(text string) int {
	for rest := text; ; {
		i := strings.Index(rest, "sid:")
		if i < 0 {
			return 0
		}
		if i == 0 || rest[i-1] == ' ' || rest[i-1] == ';' || rest[i-1] == '(' {
			n := 0
			for _, c := range strings.TrimLeft(rest[i+4:], " ") {
				if c < '0' || c > '9' || n > 1e9 {
					break
				}
				n = n*10 + int(c-'0')
			}
			return n
		}
		rest = rest[i+4:]
	}
}
