package shell

import (
	"path"
	"sort"
	"strings"
)

// complete is bash's Tab: a unique match completes fully (directories get "/", files a
// space), several matches complete to their longest common prefix.
func (r *runner) complete(line string, pos int) (string, int, bool) {
	if pos < 0 || pos > len(line) {
		pos = len(line)
	}
	start, word, cands := r.candidates(line, pos)
	if len(cands) == 0 {
		return line, pos, false
	}
	var repl string
	if len(cands) == 1 {
		repl = cands[0]
		if !strings.HasSuffix(repl, "/") {
			repl += " "
		}
	} else {
		repl = commonPrefix(cands)
		if len(repl) < len(word) {
			repl = word
		}
	}
	newLine := line[:start] + repl + line[pos:]
	return newLine, start + len(repl), true
}

func commonPrefix(list []string) string {
	p := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// candidates finds the word before pos and what it may complete to (already escaped).
func (r *runner) candidates(line string, pos int) (int, string, []string) {
	if pos < 0 || pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 {
		c := line[start-1]
		if strings.IndexByte(" \t;|&(<>`", c) >= 0 && !(start >= 2 && line[start-2] == '\\') {
			break
		}
		start--
	}
	word := line[start:pos]
	before := strings.TrimRight(line[:start], " \t")
	cmdPos := before == "" || strings.HasSuffix(before, ";") || strings.HasSuffix(before, "|") ||
		strings.HasSuffix(before, "&") || strings.HasSuffix(before, "(") || strings.HasSuffix(before, "`")
	if !cmdPos {
		f := strings.Fields(before)
		if len(f) > 0 {
			switch f[len(f)-1] {
			case "then", "do", "else", "elif", "if", "while", "until", "!", "{", "time":
				cmdPos = true
			}
		}
	}
	var cands []string
	if cmdPos && !strings.Contains(word, "/") {
		if word == "" {
			return start, word, nil // bash asks before listing every command
		}
		seen := map[string]bool{}
		for _, n := range r.commandNames() {
			if strings.HasPrefix(n, word) && !seen[n] {
				seen[n] = true
				cands = append(cands, escapeName(n))
			}
		}
		for _, k := range []string{"if", "then", "else", "elif", "fi", "case", "esac", "for", "select",
			"while", "until", "do", "done", "in", "function", "time", "coproc"} {
			if strings.HasPrefix(k, word) && !seen[k] {
				seen[k] = true
				cands = append(cands, k)
			}
		}
		// directories complete too, so `cd`-less navigation works as in bash
		for _, c := range r.pathCompletions(word) {
			if strings.HasSuffix(c, "/") {
				cands = append(cands, c)
			}
		}
		sort.Strings(cands)
		return start, word, cands
	}
	cands = r.pathCompletions(word)
	if cmdPos {
		// only executables and directories
		var keep []string
		for _, c := range cands {
			if strings.HasSuffix(c, "/") {
				keep = append(keep, c)
				continue
			}
			if m, err := r.fs().Stat(r.abs(r.expandTildeWord(unescapeName(c)))); err == nil && r.canExec(m) {
				keep = append(keep, c)
			}
		}
		cands = keep
	}
	return start, word, cands
}

// pathCompletions lists vfs paths that start with word (relative to the working
// directory, ~ allowed), directories with a trailing slash.
func (r *runner) pathCompletions(word string) []string {
	if r.fs() == nil {
		return nil
	}
	raw := unescapeName(word)
	dirPart, prefix := "", raw
	if i := strings.LastIndexByte(raw, '/'); i >= 0 {
		dirPart, prefix = raw[:i+1], raw[i+1:]
	}
	if strings.HasPrefix(raw, "~") && !strings.Contains(raw, "/") {
		// ~user completion
		var out []string
		if data, err := r.fs().ReadFile("/etc/passwd"); err == nil {
			for _, l := range strings.Split(string(data), "\n") {
				name, _, _ := strings.Cut(l, ":")
				if name != "" && strings.HasPrefix(name, raw[1:]) {
					out = append(out, "~"+name+"/")
				}
			}
		}
		sort.Strings(out)
		return out
	}
	lookDir := r.expandTildeWord(dirPart)
	if lookDir == "" {
		lookDir = "."
	}
	metas, err := r.fs().ReadDir(r.abs(lookDir))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range metas {
		if !strings.HasPrefix(m.Name, prefix) {
			continue
		}
		if strings.HasPrefix(m.Name, ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		c := escapeName(dirPart + m.Name)
		if st, err := r.fs().Stat(path.Join(r.abs(lookDir), m.Name)); err == nil && st.Mode.IsDir() {
			c += "/"
		}
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// expandTildeWord expands a leading ~ or ~user for lookups.
func (r *runner) expandTildeWord(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest, _ := strings.Cut(p[1:], "/")
	home := ""
	if name == "" {
		home = r.getVar("HOME")
	} else if h, ok := r.userHome(name); ok {
		home = h
	} else {
		return p
	}
	if rest == "" && !strings.Contains(p, "/") {
		return home
	}
	return home + "/" + rest
}

// escapeName backslash-escapes characters the shell would split or expand.
func escapeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(" \t\n\"'`$\\|&;()<>*?[]!{}#", s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unescapeName(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
