package shell

import (
	"strconv"
	"strings"
)

// histExpand applies bash's history expansion (!!, !$, !n, !-n, !str, !?str?, word
// designators) to an interactive command line. It returns the new line, whether it
// changed, and the failing event ("!x") when an event is not found.
func (s *Shell) histExpand(line string) (string, bool, string) {
	if !strings.Contains(line, "!") {
		return line, false, ""
	}
	hist := s.allHistory()
	var b strings.Builder
	changed := false
	inSingle, inDouble := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && !inSingle && i+1 < len(line):
			b.WriteByte(c)
			i++
			b.WriteByte(line[i])
			continue
		case c == '\'' && !inDouble:
			inSingle = !inSingle
		case c == '"' && !inSingle:
			inDouble = !inDouble
		}
		if c != '!' || inSingle || i+1 >= len(line) {
			b.WriteByte(c)
			continue
		}
		next := line[i+1]
		if strings.IndexByte(" \t\n=(", next) >= 0 || (inDouble && next == '"') {
			b.WriteByte(c)
			continue
		}
		// event designator
		j := i + 1
		var event string
		found := true
		spec := ""
		switch {
		case next == '!':
			j = i + 2
			spec = "!!"
			if len(hist) == 0 {
				found = false
			} else {
				event = hist[len(hist)-1]
			}
		case next == '$' || next == '^' || next == '*' || next == ':':
			// word designator of the previous command
			spec = "!"
			if len(hist) == 0 {
				found = false
			} else {
				event = hist[len(hist)-1]
			}
		case next == '-' || next >= '0' && next <= '9':
			k := j
			if next == '-' {
				k++
			}
			for k < len(line) && line[k] >= '0' && line[k] <= '9' {
				k++
			}
			spec = line[i:k]
			n, err := strconv.Atoi(line[j:k])
			j = k
			switch {
			case err != nil:
				found = false
			case n < 0 && -n <= len(hist):
				event = hist[len(hist)+n]
			case n > 0 && n <= len(hist):
				event = hist[n-1]
			default:
				found = false
			}
		case next == '?':
			k := strings.IndexByte(line[j+1:], '?')
			var needle string
			if k < 0 {
				needle = strings.TrimRight(line[j+1:], "\n")
				j = len(line)
			} else {
				needle = line[j+1 : j+1+k]
				j = j + 1 + k + 1
			}
			spec = line[i:j]
			found = false
			for h := len(hist) - 1; h >= 0; h-- {
				if strings.Contains(hist[h], needle) {
					event, found = hist[h], true
					break
				}
			}
		default:
			k := j
			for k < len(line) && strings.IndexByte(" \t\n:;&|<>()\"'`", line[k]) < 0 {
				k++
			}
			prefix := line[j:k]
			spec = line[i:k]
			j = k
			found = false
			for h := len(hist) - 1; h >= 0; h-- {
				if strings.HasPrefix(hist[h], prefix) {
					event, found = hist[h], true
					break
				}
			}
		}
		if !found {
			return line, false, spec
		}
		// word designators: :N :$ :^ :* or the shorthand $ ^ * right after "!"
		words := histWords(event)
		sel := event
		wd := ""
		if j < len(line) && line[j] == ':' && j+1 < len(line) && strings.IndexByte("0123456789$^*", line[j+1]) >= 0 {
			wd = line[j+1 : j+2]
			k := j + 2
			if line[j+1] >= '0' && line[j+1] <= '9' {
				for k < len(line) && line[k] >= '0' && line[k] <= '9' {
					k++
				}
				wd = line[j+1 : k]
			}
			j = k
		} else if spec == "!" && j < len(line) {
			wd = line[j : j+1]
			j++
		}
		if wd != "" {
			switch wd {
			case "$":
				sel = words[len(words)-1]
			case "^":
				if len(words) < 2 {
					return line, false, line[i:j]
				}
				sel = words[1]
			case "*":
				if len(words) < 2 {
					sel = ""
				} else {
					sel = strings.Join(words[1:], " ")
				}
			default:
				n, _ := strconv.Atoi(wd)
				if n >= len(words) {
					return line, false, line[i:j]
				}
				sel = words[n]
			}
		}
		b.WriteString(sel)
		changed = true
		i = j - 1
	}
	return b.String(), changed, ""
}

// histWords splits a history entry into words as bash's history_tokenize does (quotes
// keep their content together).
func histWords(s string) []string {
	var out []string
	var cur strings.Builder
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			cur.WriteByte(c)
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}
