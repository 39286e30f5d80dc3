package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLineBytes is the longest command line a corpus may hold. Real bot one-liners with an
// embedded base64 payload run to a few KiB; OpenSSH itself accepts far more, but a corpus line
// this long is almost certainly a broken file.
const MaxLineBytes = 64 << 10

// Line is one command line of a corpus.
type Line struct {
	// No is the line number in the corpus file, counting from 1.
	No int `json:"line_no"`
	// Group is the name given by the last "# @group NAME" line before it, or "" before any.
	Group string `json:"group,omitempty"`
	// Command is the text sent as the exec request, exactly as in the file (without the newline).
	Command string `json:"command"`
}

// groupDirective starts a comment line that names the group of the lines after it.
const groupDirective = "@group"

// ParseCorpus reads a corpus: one command line per line, sent as it is. Blank lines and lines
// whose first non-blank character is '#' are skipped; "# @group NAME" sets the group of the
// lines that follow it (groups are reported separately). A trailing "\r" is dropped, so files
// written on Windows work.
func ParseCorpus(r io.Reader) ([]Line, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes+2)
	var lines []Line
	group := ""
	no := 0
	for sc.Scan() {
		no++
		text := strings.TrimSuffix(sc.Text(), "\r")
		trimmed := strings.TrimSpace(text)
		if trimmed == "" {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			rest := strings.TrimSpace(strings.TrimPrefix(trimmed, "#"))
			if name, ok := strings.CutPrefix(rest, groupDirective); ok {
				if name != "" && name[0] != ' ' && name[0] != '\t' {
					continue // "#@groupies" is a comment, not a directive
				}
				name = strings.TrimSpace(name)
				if name == "" || strings.ContainsAny(name, " \t") {
					return nil, fmt.Errorf("line %d: %q: a group name is one word, e.g. \"# @group recon\"", no, trimmed)
				}
				group = name
			}
			continue
		}
		if strings.ContainsRune(text, 0) {
			return nil, fmt.Errorf("line %d: contains a NUL byte, which an SSH exec request cannot carry to a shell", no)
		}
		lines = append(lines, Line{No: no, Group: group, Command: text})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", no+1, MaxLineBytes)
		}
		return nil, err
	}
	if len(lines) == 0 {
		return nil, errors.New("no command lines (only blank lines and # comments)")
	}
	return lines, nil
}
