package commands

import (
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lure-sensor/lure/internal/vfs"
)

// ls as coreutils 9.1 prints it: the listing formats, column layout with tab padding,
// widths, dates, colours from LS_COLORS and the error texts and statuses.

type lsFormat int

const (
	lsOne lsFormat = iota
	lsLong
	lsColumns
	lsAcross
	lsCommas
)

type lsSort int

const (
	lsByName lsSort = iota
	lsByTime
	lsBySize
	lsByExt
	lsByVersion
	lsNone
)

type lsConfig struct {
	format       lsFormat
	all, almost  bool
	dirsAsFiles  bool
	recursive    bool
	human        bool
	si           bool
	inode        bool
	numeric      bool
	showOwner    bool
	showGroup    bool
	size         bool
	sortBy       lsSort
	reverse      bool
	classify     bool // -F
	slash        bool // -p
	fileType     bool // --file-type
	deref        bool // -L
	derefCmdDirs bool // default: follow command-line symlinks to directories
	derefCmdAll  bool // -H
	color        bool
	quoting      bool // shell-escape quoting (terminal default)
	hideCtrl     bool // -q
	fullTime     bool
	timeStyle    string
	dirsFirst    bool
	width        int
	ignoreBackup bool
	noSort       bool
	timeKind     byte // 'm', 'c', 'a'
	colors       *lsColors
}

type lsEntry struct {
	name    string // as displayed (operand text or base name)
	full    string // absolute path
	meta    vfs.Meta
	target  string
	tmeta   vfs.Meta // symlink referent
	tok     bool     // referent exists
	cmdline bool
}

func lsMain(p *Proc) int {
	c := newCmd(p)
	spec := optSpec{
		Short: "abcdfghiklmnopqrstuvw:xABCDFGHI:LNQRST:UXZ1",
		Long: []longOpt{
			{"all", argNone, "a"}, {"almost-all", argNone, "A"}, {"author", argNone, "author"},
			{"escape", argNone, "b"}, {"block-size", argRequired, "block-size"},
			{"ignore-backups", argNone, "B"}, {"classify", argOptional, "F"},
			{"color", argOptional, "color"}, {"context", argNone, "Z"},
			{"directory", argNone, "d"}, {"dired", argNone, "D"},
			{"file-type", argNone, "file-type"}, {"format", argRequired, "format"},
			{"full-time", argNone, "full-time"},
			{"group-directories-first", argNone, "group-directories-first"},
			{"no-group", argNone, "G"}, {"human-readable", argNone, "h"}, {"si", argNone, "si"},
			{"dereference-command-line", argNone, "H"},
			{"dereference-command-line-symlink-to-dir", argNone, "dcl"},
			{"hide", argRequired, "hide"}, {"hyperlink", argOptional, "hyperlink"},
			{"indicator-style", argRequired, "indicator-style"}, {"inode", argNone, "i"},
			{"ignore", argRequired, "I"}, {"kibibytes", argNone, "k"},
			{"dereference", argNone, "L"}, {"literal", argNone, "N"},
			{"numeric-uid-gid", argNone, "n"}, {"hide-control-chars", argNone, "q"},
			{"show-control-chars", argNone, "show-control-chars"},
			{"quote-name", argNone, "Q"}, {"quoting-style", argRequired, "quoting-style"},
			{"reverse", argNone, "r"}, {"recursive", argNone, "R"}, {"size", argNone, "s"},
			{"sort", argRequired, "sort"}, {"time", argRequired, "time"},
			{"time-style", argRequired, "time-style"}, {"tabsize", argRequired, "T"},
			{"width", argRequired, "w"}, {"zero", argNone, "zero"},
			{"help", argNone, "help"}, {"version", argNone, "version"},
		},
	}
	opts, operands, ok, st := c.parse(spec, 2)
	if !ok {
		return st
	}
	cfg := &lsConfig{showOwner: true, showGroup: true, timeKind: 'm', width: 80}
	if p.StdoutTTY {
		cfg.format = lsColumns
		cfg.quoting = true
		cfg.hideCtrl = true
		if p.Columns > 0 {
			cfg.width = p.Columns
		}
	}
	if w, err := strconv.Atoi(c.Env["COLUMNS"]); err == nil && w > 0 {
		cfg.width = w
	}
	colorMode := "never"
	formatSet := false
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(fileutilsHelp["ls"][0])
			return c.done(0)
		case "version":
			c.print(fileutilsHelp["ls"][1])
			return c.done(0)
		case "a":
			cfg.all, cfg.almost = true, false
		case "A":
			cfg.almost, cfg.all = true, false
		case "B":
			cfg.ignoreBackup = true
		case "c":
			cfg.timeKind = 'c'
		case "u":
			cfg.timeKind = 'a'
		case "C":
			cfg.format, formatSet = lsColumns, true
		case "x":
			cfg.format, formatSet = lsAcross, true
		case "m":
			cfg.format, formatSet = lsCommas, true
		case "1":
			if cfg.format != lsLong {
				cfg.format = lsOne
			}
			formatSet = true
		case "l":
			cfg.format, formatSet = lsLong, true
		case "g":
			cfg.format, formatSet, cfg.showOwner = lsLong, true, false
		case "o":
			cfg.format, formatSet, cfg.showGroup = lsLong, true, false
		case "n":
			cfg.format, formatSet, cfg.numeric = lsLong, true, true
		case "G":
			cfg.showGroup = false
		case "d":
			cfg.dirsAsFiles = true
		case "f":
			cfg.all, cfg.sortBy, cfg.noSort = true, lsNone, true
			cfg.color = false
			colorMode = "never"
		case "U":
			cfg.sortBy = lsNone
		case "F":
			if o.HasVal {
				switch o.Val {
				case "always", "yes", "force":
					cfg.classify = true
				case "never", "no", "none":
					cfg.classify = false
				case "auto", "tty", "if-tty":
					cfg.classify = p.StdoutTTY
				default:
					return lsBadArg(c, o.Val, "--classify", []string{"always", "yes", "force", "never", "no", "none", "auto", "tty", "if-tty"})
				}
			} else {
				cfg.classify = true
			}
		case "p":
			cfg.slash = true
		case "file-type":
			cfg.fileType = true
		case "indicator-style":
			switch o.Val {
			case "none":
				cfg.classify, cfg.slash, cfg.fileType = false, false, false
			case "slash":
				cfg.slash = true
			case "file-type":
				cfg.fileType = true
			case "classify":
				cfg.classify = true
			default:
				return lsBadArg(c, o.Val, "--indicator-style", []string{"none", "slash", "file-type", "classify"})
			}
		case "h":
			cfg.human = true
		case "si":
			cfg.human, cfg.si = true, true
		case "i":
			cfg.inode = true
		case "s":
			cfg.size = true
		case "r":
			cfg.reverse = true
		case "R":
			cfg.recursive = true
		case "t":
			cfg.sortBy = lsByTime
		case "S":
			cfg.sortBy = lsBySize
		case "X":
			cfg.sortBy = lsByExt
		case "v":
			cfg.sortBy = lsByVersion
		case "sort":
			m := map[string]lsSort{"none": lsNone, "time": lsByTime, "size": lsBySize, "extension": lsByExt, "version": lsByVersion}
			s, ok := m[o.Val]
			if !ok {
				return lsBadArg(c, o.Val, "--sort", []string{"none", "time", "size", "extension", "version", "width"})
			}
			cfg.sortBy = s
		case "time":
			switch o.Val {
			case "atime", "access", "use":
				cfg.timeKind = 'a'
			case "ctime", "status":
				cfg.timeKind = 'c'
			case "mtime", "modification":
				cfg.timeKind = 'm'
			default:
				return lsBadArg(c, o.Val, "--time", []string{"atime", "access", "use", "ctime", "status", "birth", "creation", "mtime", "modification"})
			}
		case "L":
			cfg.deref = true
		case "H":
			cfg.derefCmdAll = true
		case "N":
			cfg.quoting = false
		case "q":
			cfg.hideCtrl = true
		case "show-control-chars":
			cfg.hideCtrl = false
		case "Q", "b", "quoting-style":
			if o.Key == "quoting-style" && o.Val == "literal" {
				cfg.quoting = false
			} else {
				cfg.quoting = true
			}
		case "color":
			colorMode = "always"
			if o.HasVal {
				colorMode = o.Val
			}
			switch colorMode {
			case "always", "yes", "force":
				colorMode = "always"
			case "never", "no", "none":
				colorMode = "never"
			case "auto", "tty", "if-tty":
				colorMode = "auto"
			default:
				return lsBadArg(c, o.Val, "--color", []string{"always", "yes", "force", "never", "no", "none", "auto", "tty", "if-tty"})
			}
		case "full-time":
			cfg.format, formatSet, cfg.fullTime = lsLong, true, true
		case "time-style":
			cfg.timeStyle = o.Val
		case "group-directories-first":
			cfg.dirsFirst = true
		case "w":
			w, err := strconv.Atoi(o.Val)
			if err != nil || w < 0 {
				c.errorf("invalid line width: %s", c.quoteAF(o.Val))
				return c.done(2)
			}
			cfg.width = w
		case "format":
			switch o.Val {
			case "long", "verbose":
				cfg.format = lsLong
			case "single-column":
				cfg.format = lsOne
			case "vertical":
				cfg.format = lsColumns
			case "across", "horizontal":
				cfg.format = lsAcross
			case "commas":
				cfg.format = lsCommas
			}
			formatSet = true
		}
	}
	_ = formatSet
	if colorMode == "always" || (colorMode == "auto" && p.StdoutTTY) {
		cfg.color = true
		cfg.colors = parseLSColors(c.Env["LS_COLORS"], c.Env)
		if c.Env["LS_COLORS"] == "" && c.Env["COLORTERM"] == "" && !colorTerm(c.Env["TERM"]) {
			// Without LS_COLORS, ls colours only terminals its database knows.
			cfg.color = false
		}
	}
	if !cfg.deref && !cfg.derefCmdAll && !cfg.dirsAsFiles && !cfg.classify && cfg.format != lsLong {
		cfg.derefCmdDirs = true
	}
	ls := &lsRun{c: c, cfg: cfg, ids: nil, now: time.Now(), loc: c.location()}
	if cfg.format == lsLong {
		ls.ids = c.loadIDNames()
	}
	return ls.run(operands)
}

// colorTerm reports whether TERM matches dircolors' built-in TERM list.
func colorTerm(term string) bool {
	if term == "" {
		return false
	}
	for _, p := range []string{"Eterm", "ansi", "*color*", "con[0-9]*x[0-9]*", "cons25", "console", "cygwin", "*direct*", "dtterm", "gnome", "hurd", "jfbterm", "konsole", "kterm", "linux", "linux-c", "mlterm", "putty", "rxvt*", "screen*", "st", "terminator", "tmux*", "vt100", "xterm*"} {
		if fnmatch(p, term) {
			return true
		}
	}
	return false
}

func lsBadArg(c *cmd, val, opt string, valid []string) int {
	c.errorf("invalid argument %s for %s", c.quoteLoc(val), c.quoteLoc(opt))
	var b strings.Builder
	b.WriteString("Valid arguments are:\n")
	for _, v := range valid {
		b.WriteString("  - " + c.quoteLoc(v) + "\n")
	}
	c.errRaw(b.String())
	return c.tryHelp(2)
}

type lsRun struct {
	c      *cmd
	cfg    *lsConfig
	ids    *idNames
	now    time.Time
	loc    *time.Location
	status int
	first  bool
	used   bool // something was printed to stdout
}

func (l *lsRun) run(operands []string) int {
	c := l.c
	explicit := len(operands) > 0
	if !explicit {
		operands = []string{"."}
	}
	var files, dirs []lsEntry
	for _, op := range operands {
		full := c.abs(op)
		if op == "" {
			c.errorf("cannot access '': No such file or directory")
			l.status = 2
			continue
		}
		m, err := c.FS.Lstat(full)
		if err != nil {
			c.errorf("cannot access %s: %s", c.quoteAF(op), errText(err))
			l.status = 2
			continue
		}
		e := lsEntry{name: op, full: full, meta: m, cmdline: true}
		if m.Mode&fs.ModeSymlink != 0 {
			e.target = m.Target
			if t, err := c.FS.Stat(full); err == nil {
				e.tmeta, e.tok = t, true
			}
			follow := l.cfg.deref || l.cfg.derefCmdAll || (l.cfg.derefCmdDirs && e.tok && e.tmeta.Mode.IsDir()) || strings.HasSuffix(op, "/")
			if follow {
				if !e.tok {
					if l.cfg.deref || l.cfg.derefCmdAll {
						c.errorf("cannot access %s: %s", c.quoteAF(op), "No such file or directory")
						l.status = 2
						continue
					}
				} else {
					e.meta = e.tmeta
					e.target = ""
				}
			}
		}
		if e.meta.Mode.IsDir() && !l.cfg.dirsAsFiles {
			dirs = append(dirs, e)
		} else {
			files = append(files, e)
		}
	}
	l.first = true
	if len(files) > 0 {
		l.sortEntries(files)
		l.printList(files, false)
	}
	printNames := len(operands) > 1 || l.cfg.recursive || len(files) > 0
	if !l.cfg.noSort && l.cfg.sortBy != lsNone {
		l.sortEntries(dirs)
	}
	if len(files) > 0 && len(dirs) > 0 {
		l.first = false
	}
	for _, d := range dirs {
		if c.failed() {
			break
		}
		l.listDir(d.name, d.full, printNames)
	}
	return c.done(l.status)
}

func (l *lsRun) listDir(name, full string, heading bool) {
	c := l.c
	ents, err := c.FS.ReadDir(full)
	if err != nil {
		c.errorf("cannot open directory %s: %s", c.quoteAF(name), errText(err))
		l.status = 2
		return
	}
	if heading {
		if !l.first {
			c.print("\n")
		}
		l.first = false
		c.print(l.displayName(name, false) + ":\n")
	}
	l.first = false
	var list []lsEntry
	if l.cfg.all {
		for _, dn := range []string{".", ".."} {
			if m, err := c.FS.Stat(path.Join(full, dn)); err == nil {
				list = append(list, lsEntry{name: dn, full: path.Join(full, dn), meta: m})
			}
		}
	}
	for _, m := range ents {
		if strings.HasPrefix(m.Name, ".") && !l.cfg.all && !l.cfg.almost {
			continue
		}
		if l.cfg.ignoreBackup && strings.HasSuffix(m.Name, "~") {
			continue
		}
		e := lsEntry{name: m.Name, full: path.Join(full, m.Name), meta: m}
		if m.Mode&fs.ModeSymlink != 0 {
			e.target = m.Target
			if e.target == "" {
				e.target, _ = c.FS.Readlink(e.full)
			}
			if l.cfg.deref || l.cfg.classify || l.cfg.color || l.cfg.fileType || l.cfg.dirsFirst {
				if t, err := c.FS.Stat(e.full); err == nil {
					e.tmeta, e.tok = t, true
				}
			}
			if l.cfg.deref && e.tok {
				e.meta = e.tmeta
				e.meta.Name = m.Name
				e.target = ""
			}
		}
		list = append(list, e)
	}
	l.sortEntries(list)
	if l.cfg.format == lsLong || l.cfg.size {
		var total int64
		for _, e := range list {
			total += blocks1K(e.meta)
		}
		if l.cfg.human {
			c.print("total " + humanSize(total*1024, l.cfg.si) + "\n")
		} else {
			c.print("total " + strconv.FormatInt(total, 10) + "\n")
		}
	}
	l.printList(list, true)
	if l.cfg.recursive {
		for _, e := range list {
			if c.failed() {
				return
			}
			if e.name == "." || e.name == ".." || !e.meta.Mode.IsDir() || e.meta.Mode&fs.ModeSymlink != 0 {
				continue
			}
			child := name + "/" + e.name
			if strings.HasSuffix(name, "/") {
				child = name + e.name
			}
			l.listDir(child, e.full, true)
		}
	}
}

func (l *lsRun) entTime(m vfs.Meta) time.Time {
	switch l.cfg.timeKind {
	case 'c':
		return m.CTime
	case 'a':
		return m.ATime
	}
	return m.MTime
}

func (l *lsRun) sortEntries(list []lsEntry) {
	cfg := l.cfg
	if cfg.sortBy == lsNone {
		if cfg.reverse {
			for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
				list[i], list[j] = list[j], list[i]
			}
		}
		return
	}
	less := func(a, b *lsEntry) int {
		switch cfg.sortBy {
		case lsByTime:
			ta, tb := l.entTime(a.meta), l.entTime(b.meta)
			if !ta.Equal(tb) {
				if ta.After(tb) {
					return -1
				}
				return 1
			}
		case lsBySize:
			if a.meta.Size != b.meta.Size {
				if a.meta.Size > b.meta.Size {
					return -1
				}
				return 1
			}
		case lsByExt:
			ea, eb := lsExt(a.name), lsExt(b.name)
			if ea != eb {
				return strings.Compare(ea, eb)
			}
		case lsByVersion:
			return versionCompare(a.name, b.name)
		}
		return strings.Compare(a.name, b.name)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := &list[i], &list[j]
		if cfg.dirsFirst {
			da, db := l.isDirish(a), l.isDirish(b)
			if da != db {
				return da
			}
		}
		r := less(a, b)
		if cfg.reverse {
			return r > 0
		}
		return r < 0
	})
}

func (l *lsRun) isDirish(e *lsEntry) bool {
	if e.meta.Mode.IsDir() {
		return true
	}
	return e.meta.Mode&fs.ModeSymlink != 0 && e.tok && e.tmeta.Mode.IsDir()
}

func lsExt(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return ""
	}
	return name[i:]
}

// displayName renders a file name as ls prints it: shell-escaped on a terminal, raw (or with
// '?' for control characters on a terminal) otherwise.
func (l *lsRun) displayName(name string, _ bool) string {
	if l.cfg.quoting {
		return l.c.quoteN(name)
	}
	if l.cfg.hideCtrl {
		b := []byte(name)
		for i, ch := range b {
			if ch < 0x20 || ch == 0x7f {
				b[i] = '?'
			}
		}
		return string(b)
	}
	return name
}

func needsQuote(l *lsRun, name string) bool {
	return l.cfg.quoting && l.c.quoteN(name) != name
}

// indicator returns the -F/-p/--file-type suffix for an entry.
func (l *lsRun) indicator(m vfs.Meta) string {
	cfg := l.cfg
	if !cfg.classify && !cfg.slash && !cfg.fileType {
		return ""
	}
	mode := m.Mode
	switch {
	case mode.IsDir():
		return "/"
	case cfg.slash && !cfg.classify && !cfg.fileType:
		return ""
	case mode&fs.ModeSymlink != 0:
		return "@"
	case mode&fs.ModeNamedPipe != 0:
		return "|"
	case mode&fs.ModeSocket != 0:
		return "="
	case mode.IsRegular() && cfg.classify && mode&0o111 != 0:
		return "*"
	}
	return ""
}

// cell is one rendered name: its text (with colour codes) and its printed width.
type lsCell struct {
	text  string
	width int
}

func (l *lsRun) renderName(e *lsEntry, align bool) lsCell {
	disp := l.displayName(e.name, false)
	w := utf8.RuneCountInString(disp)
	if align && !needsQuote(l, e.name) {
		disp = " " + disp
		w++
	}
	text := disp
	if l.cfg.color {
		if code := l.cfg.colors.code(e); code != "" {
			text = l.colorStart() + "\x1b[" + code + "m" + disp + "\x1b[0m"
		}
	}
	ind := l.indicator(e.meta)
	if l.cfg.format == lsLong && e.meta.Mode&fs.ModeSymlink != 0 && e.target != "" {
		// Long format shows the target; its indicator is the referent's.
		ind = ""
	}
	return lsCell{text: text + ind, width: w + len(ind)}
}

// colorStart is the reset sequence ls emits once before the first coloured name.
func (l *lsRun) colorStart() string {
	if l.used {
		return ""
	}
	l.used = true
	return "\x1b[0m"
}

func (l *lsRun) printList(list []lsEntry, inDir bool) {
	c := l.c
	if len(list) == 0 {
		return
	}
	align := false
	if l.cfg.quoting && l.cfg.format != lsCommas {
		for i := range list {
			if needsQuote(l, list[i].name) {
				align = true
				break
			}
		}
	}
	if l.cfg.format == lsLong {
		l.printLong(list, align)
		return
	}
	// Prefixes for -i and -s are right-aligned to the widest.
	inoW, blkW := 0, 0
	for i := range list {
		if l.cfg.inode {
			inoW = max(inoW, len(strconv.FormatUint(list[i].meta.Ino, 10)))
		}
		if l.cfg.size {
			blkW = max(blkW, len(l.blockStr(list[i].meta)))
		}
	}
	if l.cfg.format == lsCommas {
		inoW, blkW = 0, 0
	}
	cells := make([]lsCell, len(list))
	for i := range list {
		pre := ""
		if l.cfg.inode {
			pre += padLeft(strconv.FormatUint(list[i].meta.Ino, 10), inoW) + " "
		}
		if l.cfg.size {
			pre += padLeft(l.blockStr(list[i].meta), blkW) + " "
		}
		cell := l.renderName(&list[i], align)
		cells[i] = lsCell{text: pre + cell.text, width: len(pre) + cell.width}
	}
	switch l.cfg.format {
	case lsOne:
		for _, cl := range cells {
			c.print(cl.text + "\n")
		}
	case lsCommas:
		pos := 0
		for i, cl := range cells {
			sep := ""
			if i > 0 {
				sep = ", "
				if l.cfg.width > 0 && pos+2+cl.width+1 > l.cfg.width {
					c.print(",\n")
					pos = 0
					sep = ""
				}
			}
			c.print(sep + cl.text)
			pos += len(sep) + cl.width
		}
		c.print("\n")
	default:
		l.printColumns(cells, l.cfg.format == lsAcross)
	}
}

func (l *lsRun) blockStr(m vfs.Meta) string {
	b := blocks1K(m)
	if l.cfg.human {
		return humanSize(b*1024, l.cfg.si)
	}
	return strconv.FormatInt(b, 10)
}

// printColumns lays names out as coreutils' calculate_columns does: the most columns whose
// total width stays under the line width, padding with tabs (tab size 8) then spaces.
func (l *lsRun) printColumns(cells []lsCell, across bool) {
	c := l.c
	n := len(cells)
	width := l.cfg.width
	maxCols := width / 3
	if width <= 0 {
		maxCols = n
	}
	if maxCols > n {
		maxCols = n
	}
	if maxCols < 1 {
		maxCols = 1
	}
	cols := 1
	var colW []int
	for try := maxCols; try >= 1; try-- {
		rows := (n + try - 1) / try
		ws := make([]int, try)
		for i, cl := range cells {
			var col int
			if across {
				col = i % try
			} else {
				col = i / rows
			}
			w := cl.width
			if col != try-1 {
				w += 2
			}
			ws[col] = max(ws[col], w)
		}
		total := 0
		for _, w := range ws {
			total += w
		}
		if total < width || width <= 0 || try == 1 {
			cols, colW = try, ws
			break
		}
	}
	rows := (n + cols - 1) / cols
	var b strings.Builder
	for r := 0; r < rows; r++ {
		pos := 0
		for col := 0; col < cols; col++ {
			var i int
			if across {
				i = r*cols + col
			} else {
				i = col*rows + r
			}
			if i >= n {
				break
			}
			b.WriteString(cells[i].text)
			// Is there another cell on this row?
			var next int
			if across {
				next = i + 1
				if col+1 >= cols {
					next = n
				}
			} else {
				next = i + rows
			}
			if next >= n {
				break
			}
			from := pos + cells[i].width
			to := pos + colW[col]
			lsIndent(&b, from, to)
			pos = to
		}
		b.WriteString("\n")
		c.print(b.String())
		b.Reset()
	}
}

func lsIndent(b *strings.Builder, from, to int) {
	for from < to {
		if to/8 > (from+1)/8 {
			b.WriteByte('\t')
			from += 8 - from%8
		} else {
			b.WriteByte(' ')
			from++
		}
	}
}

func padLeft(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func padRight(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func devNumbers(m vfs.Meta) (uint64, uint64) {
	// The image keeps a device's number in Size as major<<8|minor (its rdev).
	rdev := uint64(m.Size)
	major := (rdev >> 8) & 0xfff
	minor := (rdev & 0xff) | ((rdev >> 12) & 0xfff00)
	return major, minor
}

func (l *lsRun) printLong(list []lsEntry, align bool) {
	c := l.c
	cfg := l.cfg
	type row struct {
		ino, blk, mode, nlink, owner, group, size, date string
		major, minor                                    string
		dev                                             bool
	}
	rows := make([]row, len(list))
	var inoW, blkW, nlW, ownW, grpW, sizeW, majW, minW int
	for i := range list {
		m := list[i].meta
		r := row{mode: modeString(m.Mode), nlink: strconv.FormatUint(uint64(m.Nlink), 10)}
		if cfg.inode {
			r.ino = strconv.FormatUint(m.Ino, 10)
		}
		if cfg.size {
			r.blk = l.blockStr(m)
		}
		if cfg.numeric {
			r.owner = strconv.FormatUint(uint64(m.UID), 10)
			r.group = strconv.FormatUint(uint64(m.GID), 10)
		} else {
			r.owner = l.ids.user(m.UID)
			r.group = l.ids.group(m.GID)
		}
		if m.Mode&(fs.ModeDevice|fs.ModeCharDevice) != 0 {
			maj, min := devNumbers(m)
			r.dev, r.major, r.minor = true, strconv.FormatUint(maj, 10), strconv.FormatUint(min, 10)
			majW, minW = max(majW, len(r.major)), max(minW, len(r.minor))
		} else if cfg.human {
			r.size = humanSize(m.Size, cfg.si)
		} else {
			r.size = strconv.FormatInt(m.Size, 10)
		}
		r.date = l.formatTime(l.entTime(m))
		rows[i] = r
		inoW, blkW, nlW = max(inoW, len(r.ino)), max(blkW, len(r.blk)), max(nlW, len(r.nlink))
		ownW, grpW, sizeW = max(ownW, utf8.RuneCountInString(r.owner)), max(grpW, utf8.RuneCountInString(r.group)), max(sizeW, len(r.size))
	}
	if majW > 0 {
		sizeW = max(sizeW, majW+2+minW)
	}
	var b strings.Builder
	for i := range list {
		r := rows[i]
		e := &list[i]
		b.Reset()
		if cfg.inode {
			b.WriteString(padLeft(r.ino, inoW) + " ")
		}
		if cfg.size {
			b.WriteString(padLeft(r.blk, blkW) + " ")
		}
		b.WriteString(r.mode + " " + padLeft(r.nlink, nlW) + " ")
		if cfg.showOwner {
			b.WriteString(padRight(r.owner, ownW) + " ")
		}
		if cfg.showGroup {
			b.WriteString(padRight(r.group, grpW) + " ")
		}
		if r.dev {
			s := padLeft(r.major, majW) + ", " + padLeft(r.minor, minW)
			b.WriteString(padLeft(s, sizeW) + " ")
		} else {
			b.WriteString(padLeft(r.size, sizeW) + " ")
		}
		b.WriteString(r.date + " ")
		b.WriteString(l.renderName(e, align).text)
		if e.meta.Mode&fs.ModeSymlink != 0 && e.target != "" {
			b.WriteString(" -> ")
			tdisp := l.displayName(e.target, false)
			if cfg.color && cfg.colors.targetColored() {
				code := cfg.colors.targetCode(e)
				if code != "" {
					tdisp = "\x1b[" + code + "m" + tdisp + "\x1b[0m"
				}
			}
			b.WriteString(tdisp)
			if e.tok && (cfg.classify || cfg.fileType) {
				b.WriteString(l.indicator(e.tmeta))
			}
		}
		b.WriteString("\n")
		c.print(b.String())
	}
}

// formatTime renders a timestamp as ls -l does: recent ones (the last six months) with the
// time of day, others with the year.
func (l *lsRun) formatTime(t time.Time) string {
	t = t.In(l.loc)
	style := l.cfg.timeStyle
	if l.cfg.fullTime {
		style = "full-iso"
	}
	style = strings.TrimPrefix(style, "posix-")
	switch style {
	case "full-iso":
		return t.Format("2006-01-02 15:04:05.000000000 -0700")
	case "long-iso":
		return t.Format("2006-01-02 15:04")
	case "iso":
		if l.recent(t) {
			return t.Format("01-02 15:04")
		}
		return t.Format("2006-01-02 ")
	}
	if strings.HasPrefix(style, "+") {
		return strftime(style[1:], t)
	}
	if l.recent(t) {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

func (l *lsRun) recent(t time.Time) bool {
	six := l.now.Add(-time.Duration(31556952/2) * time.Second)
	return t.After(six) && !t.After(l.now)
}

// humanSize renders a byte count as ls -h / du -h do: powers of 1024, rounded up, one
// decimal below 10.
func humanSize(n int64, si bool) string {
	base := int64(1024)
	if si {
		base = 1000
	}
	if n < base {
		return strconv.FormatInt(n, 10)
	}
	units := "KMGTPEZY"
	if si {
		units = "kMGTPEZY"
	}
	v := float64(n)
	u := -1
	for v >= float64(base) && u < len(units)-1 {
		v /= float64(base)
		u++
	}
	if v < 10 {
		// ceil to one decimal
		t := ceilTenth(n, base, u+1)
		if t >= 100 {
			// 9.96 rounds to 10 and is printed as an integer
			return "10" + string(units[u])
		}
		return strconv.FormatInt(t/10, 10) + "." + strconv.FormatInt(t%10, 10) + string(units[u])
	}
	iv := ceilDiv(n, pow(base, u+1))
	if iv >= base && u < len(units)-1 {
		return "1.0" + string(units[u+1])
	}
	return strconv.FormatInt(iv, 10) + string(units[u])
}

func pow(b int64, e int) int64 {
	r := int64(1)
	for i := 0; i < e; i++ {
		r *= b
	}
	return r
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// ceilTenth returns ceil(n*10/base^e) computed without float error.
func ceilTenth(n, base int64, e int) int64 {
	d := pow(base, e)
	return ceilDiv(n*10, d)
}

// versionText is the --version text of a coreutils 9.1 program.
func versionText(prog string, authors ...string) string {
	var b strings.Builder
	b.WriteString(prog + " (GNU coreutils) 9.1\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\nThis is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n\n")
	switch len(authors) {
	case 0:
	case 1:
		b.WriteString("Written by " + authors[0] + ".\n")
	case 2:
		b.WriteString("Written by " + authors[0] + " and " + authors[1] + ".\n")
	default:
		b.WriteString("Written by " + strings.Join(authors[:len(authors)-1], ", ") + ",\nand " + authors[len(authors)-1] + ".\n")
	}
	return b.String()
}
