package commands

import (
	"io/fs"
	"strings"
)

// lsColors is a parsed LS_COLORS: type keys (di, ln, ex, ...) and *.ext patterns.
type lsColors struct {
	keys map[string]string
	exts []lsExtColor
}

type lsExtColor struct {
	suffix, code string
}

// lsDefaultColors are ls's compiled-in colours, used when LS_COLORS is not set.
var lsDefaultColors = map[string]string{
	"di": "01;34", "ln": "01;36", "pi": "33", "so": "01;35", "bd": "01;33", "cd": "01;33",
	"ex": "01;32", "do": "01;35", "su": "37;41", "sg": "30;43", "st": "37;44", "ow": "34;42",
	"tw": "30;42", "ca": "", "mh": "", "rs": "0",
}

// parseLSColors parses LS_COLORS as ls does; an empty or absent value selects the defaults.
func parseLSColors(s string, env map[string]string) *lsColors {
	lc := &lsColors{keys: map[string]string{}}
	if _, set := env["LS_COLORS"]; !set || s == "" {
		for k, v := range lsDefaultColors {
			lc.keys[k] = v
		}
		return lc
	}
	for k, v := range lsDefaultColors {
		lc.keys[k] = v
	}
	for _, item := range strings.Split(s, ":") {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		if strings.HasPrefix(k, "*") {
			lc.exts = append(lc.exts, lsExtColor{k[1:], v})
			continue
		}
		lc.keys[k] = v
	}
	return lc
}

func colored(code string) bool {
	return code != "" && code != "0" && code != "00"
}

func (lc *lsColors) key(k string) string {
	v := lc.keys[k]
	if !colored(v) {
		return ""
	}
	return v
}

// targetColored reports whether ls inspects symlink targets for colouring (it does when the
// orphan or missing colours are in use).
func (lc *lsColors) targetColored() bool {
	return colored(lc.keys["or"]) || colored(lc.keys["mi"])
}

func (lc *lsColors) typeCode(m fs.FileMode, name string, nlink uint32) string {
	switch {
	case m.IsDir():
		sticky, ow := m&fs.ModeSticky != 0, m&0o002 != 0
		switch {
		case sticky && ow && lc.key("tw") != "":
			return lc.key("tw")
		case ow && lc.key("ow") != "":
			return lc.key("ow")
		case sticky && lc.key("st") != "":
			return lc.key("st")
		}
		return lc.key("di")
	case m&fs.ModeSymlink != 0:
		return lc.key("ln")
	case m&fs.ModeNamedPipe != 0:
		return lc.key("pi")
	case m&fs.ModeSocket != 0:
		return lc.key("so")
	case m&fs.ModeCharDevice != 0:
		return lc.key("cd")
	case m&fs.ModeDevice != 0:
		return lc.key("bd")
	}
	// Regular file.
	switch {
	case m&fs.ModeSetuid != 0 && lc.key("su") != "":
		return lc.key("su")
	case m&fs.ModeSetgid != 0 && lc.key("sg") != "":
		return lc.key("sg")
	case m&0o111 != 0 && lc.key("ex") != "":
		return lc.key("ex")
	case nlink > 1 && lc.key("mh") != "":
		return lc.key("mh")
	}
	if code := lc.extCode(name); code != "" {
		return code
	}
	return lc.key("fi")
}

func (lc *lsColors) extCode(name string) string {
	for _, e := range lc.exts {
		if strings.HasSuffix(name, e.suffix) {
			if colored(e.code) {
				return e.code
			}
			return ""
		}
	}
	lower := strings.ToLower(name)
	for _, e := range lc.exts {
		if strings.HasSuffix(lower, strings.ToLower(e.suffix)) {
			if colored(e.code) {
				return e.code
			}
			return ""
		}
	}
	return ""
}

// code is the SGR sequence for an entry's name.
func (lc *lsColors) code(e *lsEntry) string {
	m := e.meta
	if m.Mode&fs.ModeSymlink != 0 {
		if lc.targetColored() && !e.tok && colored(lc.keys["or"]) {
			return lc.keys["or"]
		}
		if lc.keys["ln"] == "target" && e.tok {
			return lc.typeCode(e.tmeta.Mode, e.name, e.tmeta.Nlink)
		}
		return lc.key("ln")
	}
	return lc.typeCode(m.Mode, e.name, m.Nlink)
}

// targetCode is the colour of a symlink's target text in long listings.
func (lc *lsColors) targetCode(e *lsEntry) string {
	if !e.tok {
		if colored(lc.keys["mi"]) {
			return lc.keys["mi"]
		}
		return lc.key("or")
	}
	return lc.typeCode(e.tmeta.Mode, e.target, e.tmeta.Nlink)
}
