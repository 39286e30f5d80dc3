package session

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/lure-sensor/lure/internal/shell"
)

// Readline's defaults in bash 5.2 on Debian: completion-query-items, and the bell.
const (
	completionQueryItems = 100
	bell                 = "\a"
)

// completer is bash's Tab at a shell prompt, as readline does it: a unique match is
// inserted; an ambiguous one inserts the common prefix and rings the bell; a Tab that
// follows a Tab which changed nothing lists the candidates in columns (asking first when
// there are 100 or more, paging with --More-- past a screenful), then redraws the prompt
// and the line.
//
// It runs inside the line editor's key handling. ttyIn hands a Tab to the editor in a read
// of its own, so everything the earlier keys produced has been written when a listing is
// written directly to the terminal; the questions read their answer from ttyIn directly.
type completer struct {
	sh   *shell.Shell
	in   *ttyIn
	out  *ttyOut
	size func() Size

	mu      sync.Mutex
	active  bool   // the editor reads a shell prompt (not a program's input)
	prompt  string // the prompt as a redraw writes it (the xterm title included)
	visible string // what the editor knows as its prompt

	// the last Tab: the line and cursor it left, and whether it changed the line
	tabSet     bool
	tabLine    string
	tabPos     int
	tabChanged bool
}

// begin switches completion on for a prompt.
func (c *completer) begin(prompt, visible string) {
	c.mu.Lock()
	c.active, c.prompt, c.visible, c.tabSet = true, prompt, visible, false
	c.mu.Unlock()
}

// end switches completion off: a program reading the terminal gets no completion.
func (c *completer) end() {
	c.mu.Lock()
	c.active = false
	c.mu.Unlock()
}

// callback is the line editor's AutoCompleteCallback.
func (c *completer) callback(line string, pos int, key rune) (string, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.active {
		return "", 0, false
	}
	if key != '\t' {
		c.tabSet = false
		return "", 0, false
	}
	again := c.tabSet && !c.tabChanged && c.tabLine == line && c.tabPos == pos
	cands := c.sh.Completions(line, pos)
	nl, np := line, pos
	if len(cands) > 0 {
		if l, p, ok := c.sh.Complete(line, pos); ok {
			nl, np = l, p
		}
	}
	changed := nl != line || np != pos
	switch {
	case len(cands) == 1:
	case len(cands) > 1 && !changed && again:
		c.list(cands, line, pos)
	default:
		// nothing matches, or the match is ambiguous (readline rings before inserting)
		c.write(bell)
	}
	c.tabSet, c.tabLine, c.tabPos, c.tabChanged = true, nl, np, changed
	if changed {
		return nl, np, true
	}
	return "", 0, false
}

func (c *completer) write(s string) { _, _ = c.out.Write([]byte(s)) }

// list shows the candidates as readline's rl_display_match_list does, then redraws.
func (c *completer) list(cands []string, line string, pos int) {
	items := displayNames(cands)
	sz := c.size()
	if len(items) >= completionQueryItems {
		c.write("\r\nDisplay all " + strconv.Itoa(len(items)) + " possibilities? (y or n)")
		for {
			k, err := c.in.readKey()
			if err != nil {
				return
			}
			switch k {
			case 'y', 'Y', ' ':
			case 'n', 'N', 0x7f:
				c.write("\r\n")
				c.redraw(line, pos)
				return
			case keyCtrlC:
				// SIGINT: the line editor aborts the line.
				c.in.unread(k)
				return
			default:
				c.write(bell)
				continue
			}
			break
		}
	}
	rows := listRows(items, sz.Width)
	var b strings.Builder
	b.WriteString("\r\n")
	lines := 0
	for i, row := range rows {
		b.WriteString(row)
		b.WriteString("\r\n")
		lines++
		if sz.Height > 1 && lines >= sz.Height-1 && i < len(rows)-1 {
			c.write(b.String())
			b.Reset()
			more, ok := c.pager()
			if !ok {
				return
			}
			if more < 0 {
				c.redraw(line, pos)
				return
			}
			if more == 0 {
				lines = 0
			} else {
				lines--
			}
		}
	}
	c.write(b.String())
	c.redraw(line, pos)
}

// listRows lays items out in columns sorted down each column, as readline's
// rl_display_match_list does for a screen width cols: every column as wide as the longest
// name plus two, the last column unpadded.
func listRows(items []listItem, cols int) []string {
	width := 0
	for _, it := range items {
		if n := utf8.RuneCountInString(it.name); n > width {
			width = n
		}
	}
	width += 2
	limit := cols / width
	if limit != 1 && limit*width == cols {
		limit--
	}
	if limit <= 0 {
		limit = 1
	}
	count := (len(items) + limit - 1) / limit
	rows := make([]string, 0, count)
	for i := 0; i < count; i++ {
		var b strings.Builder
		for j := 0; j < limit; j++ {
			l := i + j*count
			if l >= len(items) {
				break
			}
			shown := items[l].name
			if items[l].dir {
				shown += "/"
			}
			b.WriteString(shown)
			if j+1 < limit {
				n := utf8.RuneCountInString(shown)
				if width <= n {
					b.WriteByte(' ')
				} else {
					b.WriteString(strings.Repeat(" ", width-n))
				}
			}
		}
		rows = append(rows, b.String())
	}
	return rows
}

// pager asks --More-- as readline does: space or y shows a screenful more (0), Enter one
// line more (1), n or q stops (-1). ok is false when the client went away or hit Ctrl-C.
func (c *completer) pager() (int, bool) {
	c.write("--More--")
	for {
		k, err := c.in.readKey()
		if err != nil {
			return 0, false
		}
		res := 0
		switch k {
		case 'y', 'Y', ' ':
		case '\r', '\n':
			res = 1
		case 'n', 'N', 'q', 'Q', 0x7f:
			res = -1
		case keyCtrlC:
			c.in.unread(k)
			return 0, false
		default:
			c.write(bell)
			continue
		}
		c.write("\r\x1b[K\r")
		return res, true
	}
}

// redraw writes the prompt and the line again after a listing and puts the cursor where
// the line editor believes it is (pos in line, counted from the prompt's start), so its
// later edits land right.
func (c *completer) redraw(line string, pos int) {
	width := c.size().Width
	if width <= 0 {
		width = 80
	}
	c.write(c.prompt + line)
	pl := visualLength(c.visible)
	end := pl + utf8.RuneCountInString(line)
	at := pl + utf8.RuneCountInString(line[:pos])
	var b strings.Builder
	if end > 0 && end%width == 0 {
		// The terminal waits at the last column; the editor counts the next line's start.
		b.WriteString("\r\n")
	}
	rowEnd, colEnd := end/width, end%width
	rowAt, colAt := at/width, at%width
	if up := rowEnd - rowAt; up > 0 {
		b.WriteString("\x1b[" + strconv.Itoa(up) + "A")
	}
	switch {
	case colAt < colEnd:
		b.WriteString("\x1b[" + strconv.Itoa(colEnd-colAt) + "D")
	case colAt > colEnd:
		b.WriteString("\x1b[" + strconv.Itoa(colAt-colEnd) + "C")
	}
	if b.Len() > 0 {
		c.write(b.String())
	}
}

// listItem is one candidate as readline prints it: the part after the last slash, and a
// slash after directories.
type listItem struct {
	name string
	dir  bool
}

// displayNames turns the shell's candidates (escaped, directories ending in "/") into
// readline's listing: unescaped, sorted, without duplicates.
func displayNames(cands []string) []listItem {
	seen := map[string]bool{}
	var out []listItem
	for _, c := range cands {
		name := unescape(c)
		dir := strings.HasSuffix(name, "/") && len(name) > 1
		if dir {
			name = strings.TrimSuffix(name, "/")
		}
		if i := strings.LastIndexByte(name, '/'); i >= 0 && i+1 < len(name) {
			name = name[i+1:]
		}
		key := name
		if dir {
			key += "/"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, listItem{name: name, dir: dir})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// unescape removes the backslashes completion adds before special characters.
func unescape(s string) string {
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

// visualLength counts the glyphs of a prompt, skipping CSI sequences (colours) as the line
// editor does when it places the cursor.
func visualLength(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				esc = false
			}
		case r == '\x1b':
			esc = true
		default:
			n++
		}
	}
	return n
}
