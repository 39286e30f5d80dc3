package commands

import (
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// lastlog (shadow 4.13) and truncate (coreutils 9.1).

// lastlog lists every account's last login from the persona's passwd. sshd records a
// login in lastlog only for sessions with a terminal: this session's user shows it then,
// every other account never logged in (the persona's /var/log/lastlog is empty).
func lastlogCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "b:ChR:St:u:", Long: []longOpt{
		{Name: "before", Arg: argRequired, Key: "b"}, {Name: "clear", Key: "C"}, {Name: "help", Key: "h"},
		{Name: "root", Arg: argRequired, Key: "R"}, {Name: "set", Key: "S"}, {Name: "time", Arg: argRequired, Key: "t"},
		{Name: "user", Arg: argRequired, Key: "u"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(lastlogUsage)
		return c.done(1)
	}
	before, since := int64(-1), int64(-1)
	var userSel string
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(lastlogUsage)
			return c.done(0)
		case "b", "t":
			n, err := strconv.ParseInt(o.Val, 10, 64)
			if err != nil || n < 0 {
				c.errorf("invalid numeric argument '%s'", o.Val)
				return c.done(1)
			}
			if o.Key == "b" {
				before = n
			} else {
				since = n
			}
		case "u":
			userSel = o.Val
		case "C", "S":
			if !c.isRoot() {
				c.errorf("Permission denied.")
				return c.done(1)
			}
		}
	}
	if len(ops) > 0 {
		c.errorf("unexpected argument: %s", ops[0])
		c.errRaw(lastlogUsage)
		return c.done(1)
	}
	users := c.passwdUsers()
	lo, hi := -1, -1
	if userSel != "" {
		if u, ok := c.lookupUserName(userSel); ok {
			lo, hi = u, u
		} else if a, b, ok := lastlogRange(userSel); ok {
			lo, hi = a, b
		} else {
			c.errorf("Unknown user or range: %s", userSel)
			return c.done(1)
		}
	}
	now := c.now()
	header := false
	for _, u := range users {
		if lo >= 0 && (u.UID < lo || u.UID > hi) {
			continue
		}
		var when time.Time
		port, from := "", ""
		if u.UID == c.User.UID && c.tty() != "" {
			when, port, from = c.loginTime(), c.tty(), c.srcIP()
		}
		if since >= 0 && (when.IsZero() || now.Sub(when) > time.Duration(since)*24*time.Hour) {
			continue
		}
		if before >= 0 && !when.IsZero() && now.Sub(when) < time.Duration(before)*24*time.Hour {
			continue
		}
		if !header {
			c.print("Username         Port     From                                       Latest\n")
			header = true
		}
		latest := "**Never logged in**"
		if !when.IsZero() {
			latest = when.In(c.location()).Format("Mon Jan _2 15:04:05 -0700 2006")
		}
		c.printf("%-16s %-8.8s %-41s %s\n", u.Name, port, from, latest)
	}
	return c.done(0)
}

// lookupUserName returns the uid of a login name.
func (c *cmd) lookupUserName(name string) (int, bool) {
	for _, u := range c.passwdUsers() {
		if u.Name == name {
			return u.UID, true
		}
	}
	return 0, false
}

// passwdUsers reads the session's /etc/passwd (accounts added in the session included).
func (c *cmd) passwdUsers() []struct {
	Name string
	UID  int
} {
	var out []struct {
		Name string
		UID  int
	}
	s, _ := c.readText("/etc/passwd")
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			continue
		}
		uid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		out = append(out, struct {
			Name string
			UID  int
		}{f[0], uid})
	}
	return out
}

// lastlogRange parses a UID range "N", "N-M", "-M" or "N-".
func lastlogRange(s string) (int, int, bool) {
	a, b, dash := strings.Cut(s, "-")
	lo, hi := 0, 1<<31-1
	var err error
	if a != "" {
		if lo, err = strconv.Atoi(a); err != nil {
			return 0, 0, false
		}
	}
	if !dash {
		return lo, lo, true
	}
	if b != "" {
		if hi, err = strconv.Atoi(b); err != nil {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

// truncateMaxFile caps what truncate stores (the overlay's per-file quota); a bigger size
// keeps the head, as dd does.
const truncateMaxFile = vfs.DefaultPerFile

func truncateCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "cor:s:", Long: []longOpt{
		{Name: "no-create", Key: "c"}, {Name: "io-blocks", Key: "o"}, {Name: "reference", Arg: argRequired, Key: "r"},
		{Name: "size", Arg: argRequired, Key: "s"}, {Name: "help", Key: "help"}, {Name: "version", Key: "version"},
	}}, 1)
	if !ok {
		return st
	}
	noCreate, ioBlocks := false, false
	var sizeArg, ref string
	haveSize, haveRef := false, false
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(truncateHelp)
			return c.done(0)
		case "version":
			c.print(truncateVersion)
			return c.done(0)
		case "c":
			noCreate = true
		case "o":
			ioBlocks = true
		case "r":
			ref, haveRef = o.Val, true
		case "s":
			sizeArg, haveSize = o.Val, true
		}
	}
	mode := byte(0)
	var size int64
	if haveSize {
		s := sizeArg
		if s != "" && strings.ContainsRune("+-<>/%", rune(s[0])) {
			mode, s = s[0], s[1:]
		}
		n, ok := truncateNumber(strings.TrimLeft(s, " "))
		if !ok {
			c.errorf("Invalid number: %s", c.quoteLoc(sizeArg))
			return c.done(1)
		}
		if ioBlocks {
			n *= 4096
		}
		if (mode == '/' || mode == '%') && n == 0 {
			c.errorf("division by zero")
			return c.done(1)
		}
		size = n
	}
	if !haveSize && !haveRef {
		c.errorf("you must specify either %s or %s", c.quoteLoc("--size"), c.quoteLoc("--reference"))
		return c.tryHelp(1)
	}
	if haveSize && haveRef && mode == 0 {
		c.errorf("you must specify a relative %s with %s", c.quoteLoc("--size"), c.quoteLoc("--reference"))
		return c.tryHelp(1)
	}
	if len(ops) == 0 {
		c.errorf("missing file operand")
		return c.tryHelp(1)
	}
	refSize := int64(-1)
	if haveRef {
		m, err := c.FS.Stat(c.abs(ref))
		if err != nil {
			c.errorf("cannot stat %s: %s", c.quoteAF(ref), errText(err))
			return c.done(1)
		}
		refSize = m.Size
	}
	status := 0
	for _, op := range ops {
		abs := c.abs(op)
		m, err := c.FS.Stat(abs)
		if err != nil {
			if noCreate {
				continue
			}
			if werr := c.FS.WriteFile(abs, nil, 0o666&^c.umask()); werr != nil {
				c.errorf("cannot open %s for writing: %s", c.quoteAF(op), errText(werr))
				status = 1
				continue
			}
			m, _ = c.FS.Stat(abs)
		}
		if m.Mode.IsDir() {
			c.errorf("cannot open %s for writing: Is a directory", c.quoteAF(op))
			status = 1
			continue
		}
		cur := m.Size
		base := cur
		if refSize >= 0 {
			base = refSize
		}
		target := size
		switch mode {
		case 0:
			if refSize >= 0 {
				target = refSize
			}
		case '+':
			target = base + size
		case '-':
			target = max(base-size, 0)
		case '<':
			target = min(base, size)
		case '>':
			target = max(base, size)
		case '/':
			target = base / size * size
		case '%':
			target = (base + size - 1) / size * size
		}
		if !m.Mode.IsRegular() {
			continue // devices and fifos ignore the size
		}
		data, err := c.FS.ReadFile(abs)
		if err != nil {
			c.errorf("cannot open %s for writing: %s", c.quoteAF(op), errText(err))
			status = 1
			continue
		}
		keep := min(target, truncateMaxFile)
		switch {
		case int64(len(data)) > keep:
			data = data[:keep]
		case int64(len(data)) < keep:
			data = append(data, make([]byte, keep-int64(len(data)))...)
		}
		if err := c.FS.WriteFile(abs, data, m.Mode.Perm()); err != nil {
			c.errorf("failed to truncate %s at %d bytes: %s", c.quoteAF(op), target, errText(err))
			status = 1
		}
	}
	return c.done(status)
}

// truncateNumber parses a size as xdectoimax does with truncate's suffixes (K, KB, KiB,
// M ... Y; powers of 1024 without B, of 1000 with it).
func truncateNumber(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	suf := s[i:]
	if suf == "" {
		return n, true
	}
	// xstrtoimax with "EgGkKmMPtTYZ0": these letters, then nothing (1024), "iB" (1024),
	// or "B"/"D" (1000)
	pos := strings.IndexByte("KMGTPEZY", suf[0]&^0x20)
	if pos < 0 || !strings.ContainsRune("EgGkKmMPtTYZ", rune(suf[0])) {
		return 0, false
	}
	base := int64(1024)
	switch suf[1:] {
	case "":
	case "B", "D":
		base = 1000
	case "iB":
	default:
		return 0, false
	}
	for k := 0; k <= pos; k++ {
		if n > (1<<63-1)/base {
			return 0, false
		}
		n *= base
	}
	return n, true
}
