package commands

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Package tools: dpkg and dpkg-query (1.21) over the persona's dpkg database in the vfs
// (/var/lib/dpkg/status, available, info/*.list), so they agree with what an attacker
// finds by reading those files; apt and apt-get live in pkg_apt.go.

// dpkgPkg is one package of the dpkg database.
type dpkgPkg struct {
	name, arch, version, multiArch, synopsis string
	want, state, flag                        string // "install" "installed" "ok"
	raw                                      string // the stanza, as dpkg -s prints it
	fields                                   map[string]string
}

// nonambig is the name as dpkg shows it: "libc6:amd64" for Multi-Arch: same packages.
func (p dpkgPkg) nonambig() string {
	if p.multiArch == "same" && p.arch != "" && p.arch != "all" {
		return p.name + ":" + p.arch
	}
	return p.name
}

// installed reports whether the package's files are on the system.
func (p dpkgPkg) installed() bool {
	return p.state == "installed" || p.state == "half-configured" || p.state == "unpacked" || p.state == "triggers-awaited" || p.state == "triggers-pending"
}

// abbrev is the status column of dpkg -l ("ii ").
func (p dpkgPkg) abbrev() string {
	want := map[string]byte{"unknown": 'u', "install": 'i', "hold": 'h', "deinstall": 'r', "purge": 'p'}[p.want]
	state := map[string]byte{"not-installed": 'n', "config-files": 'c', "half-installed": 'H', "unpacked": 'U',
		"half-configured": 'F', "triggers-awaited": 'W', "triggers-pending": 't', "installed": 'i'}[p.state]
	if want == 0 {
		want = 'u'
	}
	if state == 0 {
		state = 'n'
	}
	flag := byte(' ')
	if p.flag == "reinstreq" {
		flag = 'R'
	}
	return string([]byte{want, state, flag})
}

// parseDpkgDB parses a dpkg status (or available) file.
func parseDpkgDB(s string) []dpkgPkg {
	var out []dpkgPkg
	for _, st := range strings.Split(s, "\n\n") {
		st = strings.Trim(st, "\n")
		if st == "" {
			continue
		}
		f := map[string]string{}
		last := ""
		for _, l := range strings.Split(st, "\n") {
			if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
				if last != "" {
					f[last] += "\n" + l
				}
				continue
			}
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			last = k
			// a value keeps its trailing blanks (dpkg -l shows a synopsis's last space)
			f[k] = strings.TrimLeft(v, " \t")
		}
		if f["Package"] == "" {
			continue
		}
		p := dpkgPkg{name: f["Package"], arch: f["Architecture"], version: f["Version"], multiArch: f["Multi-Arch"],
			raw: st, fields: f}
		p.synopsis, _, _ = strings.Cut(f["Description"], "\n")
		if sf := strings.Fields(f["Status"]); len(sf) == 3 {
			p.want, p.flag, p.state = sf[0], sf[1], sf[2]
		} else {
			p.want, p.flag, p.state = "unknown", "ok", "not-installed"
		}
		out = append(out, p)
	}
	return out
}

// dpkgDB is the persona's dpkg status database.
func (c *cmd) dpkgDB() []dpkgPkg {
	s, _ := c.readText("/var/lib/dpkg/status")
	return parseDpkgDB(s)
}

// pkgInstalled reports whether the persona's dpkg database lists a package as installed;
// known is false when there is no database to ask. It scans the file without parsing it
// all, as df and others ask on every run.
func (c *cmd) pkgInstalled(name string) (installed, known bool) {
	s, ok := c.readText("/var/lib/dpkg/status")
	if !ok {
		return false, false
	}
	i := strings.Index(s, "Package: "+name+"\n")
	if i < 0 || (i > 0 && s[i-1] != '\n') {
		return false, true
	}
	stanza := s[i:]
	if j := strings.Index(stanza, "\n\n"); j >= 0 {
		stanza = stanza[:j]
	}
	return strings.Contains(stanza, "\nStatus: install ok installed"), true
}

// dpkgArch is the native architecture (dpkg's own package says it).
func (c *cmd) dpkgArch(db []dpkgPkg) string {
	for _, p := range db {
		if p.name == "dpkg" && p.arch != "" {
			return p.arch
		}
	}
	switch c.persona().Kernel.Machine {
	case "aarch64":
		return "arm64"
	case "i686", "i386":
		return "i386"
	}
	return "amd64"
}

// dpkgVersion is the installed version of a package ("" when absent).
func dpkgVersionOf(db []dpkgPkg, name string) string {
	for _, p := range db {
		if p.name == name && p.installed() {
			return p.version
		}
	}
	return ""
}

const dpkgHint = `
Type dpkg --help for help about installing and deinstalling packages [*];
Use 'apt' or 'aptitude' for user-friendly package management;
Type dpkg -Dhelp for a list of dpkg debug flag values;
Type dpkg --force-help for a list of forcing options;
Type dpkg-deb --help for help about manipulating *.deb files;

Options marked [*] produce a lot of output - pipe it through 'less' or 'more' !
`

func dpkgCmd(p *Proc) int {
	c := newCmd(p)
	db := c.dpkgDB()
	action := ""
	var args []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		act := ""
		switch {
		case a == "-l" || a == "--list":
			act = "list"
		case a == "-s" || a == "--status":
			act = "status"
		case a == "-L" || a == "--listfiles":
			act = "listfiles"
		case a == "-S" || a == "--search":
			act = "search"
		case a == "-i" || a == "--install":
			act = "install"
		case a == "-r" || a == "--remove" || a == "-P" || a == "--purge":
			act = "remove"
		case a == "--print-architecture":
			act = "arch"
		case a == "--print-foreign-architectures":
			act = "foreign"
		case a == "--version":
			act = "version"
		case a == "--get-selections":
			act = "selections"
		case a == "--help" || a == "-?":
			act = "help"
		case strings.HasPrefix(a, "--admindir=") || strings.HasPrefix(a, "--root=") || strings.HasPrefix(a, "--force-") ||
			a == "--no-pager" || strings.HasPrefix(a, "--no-") || strings.HasPrefix(a, "--ignore-depends="):
			continue
		case strings.HasPrefix(a, "-") && a != "-":
			c.errRaw("dpkg: error: unknown option " + a + "\n" + dpkgHint)
			return c.done(2)
		default:
			args = append(args, a)
			continue
		}
		if action != "" && action != act {
			c.errRaw(fmt.Sprintf("dpkg: error: conflicting actions -%s (--%s) and -%s (--%s)\n%s", dpkgShort(act), dpkgLong(act), dpkgShort(action), dpkgLong(action), dpkgHint))
			return c.done(2)
		}
		action = act
	}
	switch action {
	case "":
		c.errRaw("dpkg: error: need an action option\n" + dpkgHint)
		return c.done(2)
	case "list":
		return c.dpkgList(db, args, "dpkg-query")
	case "status":
		return c.dpkgStatusCmd(db, args)
	case "listfiles":
		return c.dpkgListFiles(db, args)
	case "search":
		return c.dpkgSearch(db, args)
	case "selections":
		for _, p := range db {
			if p.want == "install" || p.want == "hold" || p.want == "deinstall" || p.want == "purge" {
				name := p.nonambig()
				tabs := strings.Repeat("\t", max(1, 6-len(name)/8))
				c.print(name + tabs + p.want + "\n")
			}
		}
		return c.done(0)
	case "arch":
		c.print(c.dpkgArch(db) + "\n")
		return c.done(0)
	case "foreign":
		return c.done(0)
	case "version":
		v := dpkgVersionOf(db, "dpkg")
		if v == "" {
			v = "1.21.22"
		}
		c.print("Debian 'dpkg' package management program version " + v + " (" + c.dpkgArch(db) + ").\nThis is free software; see the GNU General Public License version 2 or\nlater for copying conditions. There is NO warranty.\n")
		return c.done(0)
	case "help":
		c.print("Usage: dpkg [<option>...] <command>\n\n")
		return c.done(0)
	case "install", "remove":
		if !c.isRoot() {
			c.errRaw("dpkg: error: requested operation requires superuser privilege\n")
			return c.done(2)
		}
		if len(args) == 0 {
			flag := "--install"
			if action == "remove" {
				flag = "--remove"
			}
			c.errRaw("dpkg: error: " + flag + " needs at least one package archive file argument\n" + dpkgHint)
			return c.done(2)
		}
		if action == "remove" {
			for _, a := range args {
				if dpkgVersionOf(db, a) == "" {
					c.errRaw("dpkg: warning: ignoring request to remove " + a + " which isn't installed\n")
				}
			}
			return c.done(0)
		}
		status := 0
		var failed []string
		for _, a := range args {
			if _, err := c.FS.Stat(c.abs(a)); err != nil {
				c.errRaw("dpkg: error: cannot access archive '" + a + "': " + errText(err) + "\n")
				return c.done(2)
			}
		}
		for _, a := range args {
			// no .deb can be unpacked here: every archive is refused as dpkg-deb refuses junk
			c.errRaw("dpkg-deb: error: '" + a + "' is not a Debian format archive\ndpkg: error processing archive " + a + " (--install):\n dpkg-deb --control subprocess returned error exit status 2\n")
			failed = append(failed, a)
			status = 1
		}
		c.errRaw("Errors were encountered while processing:\n " + strings.Join(failed, "\n ") + "\n")
		return c.done(status)
	}
	return c.done(0)
}

func dpkgShort(act string) string {
	return map[string]string{"list": "l", "status": "s", "listfiles": "L", "search": "S", "install": "i", "remove": "r"}[act]
}

func dpkgLong(act string) string {
	return map[string]string{"list": "list", "status": "status", "listfiles": "listfiles", "search": "search", "install": "install", "remove": "remove"}[act]
}

// dpkgKnown is every package dpkg knows: the database, the available file, and every name
// a relation field mentions (dpkg makes an entry for each, shown as "un").
func (c *cmd) dpkgKnown(db []dpkgPkg) []dpkgPkg {
	seen := map[string]bool{}
	out := append([]dpkgPkg(nil), db...)
	for _, p := range db {
		seen[p.name] = true
	}
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, dpkgPkg{name: name, want: "unknown", flag: "ok", state: "not-installed"})
		}
	}
	avail, _ := c.readText("/var/lib/dpkg/available")
	for _, p := range parseDpkgDB(avail) {
		add(p.name)
	}
	for _, p := range db {
		for _, k := range []string{"Depends", "Pre-Depends", "Recommends", "Suggests", "Breaks", "Conflicts", "Enhances", "Replaces", "Provides"} {
			for _, g := range parseRelations(strings.ReplaceAll(p.fields[k], "\n", " ")) {
				for _, r := range g {
					add(r.name)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].arch < out[j].arch
	})
	return out
}

// dpkgMatch selects packages for patterns as dpkg-query does; missing lists the patterns
// that matched nothing.
func (c *cmd) dpkgMatch(db []dpkgPkg, patterns []string) (sel []dpkgPkg, missing []string) {
	if len(patterns) == 0 {
		for _, p := range db {
			if p.state != "not-installed" {
				sel = append(sel, p)
			}
		}
		return sel, nil
	}
	known := c.dpkgKnown(db)
	hit := make([]bool, len(patterns))
	for _, p := range known {
		for i, pat := range patterns {
			name := p.name
			if strings.Contains(pat, ":") {
				name = p.nonambig()
			}
			if ok, _ := path.Match(pat, name); ok {
				hit[i] = true
				sel = append(sel, p)
				break
			}
		}
	}
	for i, pat := range patterns {
		if !hit[i] {
			missing = append(missing, pat)
		}
	}
	return sel, missing
}

// dpkgList prints dpkg -l: columns as wide as their widest value (at least 14, 12, 12, 33).
func (c *cmd) dpkgList(db []dpkgPkg, patterns []string, prog string) int {
	sel, missing := c.dpkgMatch(db, patterns)
	nw, vw, aw, dw := 14, 12, 12, 33
	type row struct{ st, n, v, a, d string }
	rows := make([]row, 0, len(sel))
	for _, p := range sel {
		r := row{st: p.abbrev(), n: p.nonambig(), v: p.version, a: p.arch, d: p.synopsis}
		if p.state == "not-installed" {
			r.v, r.a, r.d = "<none>", "<none>", "(no description available)"
		}
		if r.v == "" {
			r.v = "<none>"
		}
		if r.a == "" {
			r.a = "<none>"
		}
		if r.d == "" {
			r.d = "(no description available)"
		}
		nw, vw, aw, dw = max(nw, len(r.n)), max(vw, len(r.v)), max(aw, len(r.a)), max(dw, len(r.d))
		rows = append(rows, r)
	}
	if len(rows) > 0 {
		c.print("Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n")
		c.printf("||/ %-*s %-*s %-*s %s\n", nw, "Name", vw, "Version", aw, "Architecture", "Description")
		c.printf("+++-%s-%s-%s-%s\n", strings.Repeat("=", nw), strings.Repeat("=", vw), strings.Repeat("=", aw), strings.Repeat("=", dw))
		for _, r := range rows {
			c.printf("%s %-*s %-*s %-*s %.*s\n", r.st, nw, r.n, vw, r.v, aw, r.a, dw, r.d)
		}
	}
	for _, m := range missing {
		c.errRaw(prog + ": no packages found matching " + m + "\n")
	}
	if len(missing) > 0 {
		return c.done(1)
	}
	return c.done(0)
}

func (c *cmd) dpkgStatusCmd(db []dpkgPkg, names []string) int {
	if len(names) == 0 {
		c.errRaw("dpkg-query: error: --status needs at least one package name argument\n\nUse --help for help about querying packages.\n")
		return c.done(2)
	}
	status := 0
	first := true
	for _, n := range names {
		var found *dpkgPkg
		for i := range db {
			if db[i].name == n || db[i].nonambig() == n {
				found = &db[i]
				break
			}
		}
		if found == nil || found.state == "not-installed" && found.want == "unknown" {
			c.errRaw("dpkg-query: package '" + n + "' is not installed and no information is available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.\n")
			status = 1
			continue
		}
		if !first {
			c.print("\n")
		}
		first = false
		c.print(found.raw + "\n")
	}
	return c.done(status)
}

// dpkgListFile is the info/*.list of a package.
func (c *cmd) dpkgListFile(p dpkgPkg) (string, bool) {
	for _, n := range []string{p.nonambig(), p.name, p.name + ":" + p.arch} {
		if s, ok := c.readText("/var/lib/dpkg/info/" + n + ".list"); ok {
			return s, true
		}
	}
	return "", false
}

func (c *cmd) dpkgListFiles(db []dpkgPkg, names []string) int {
	if len(names) == 0 {
		c.errRaw("dpkg-query: error: --listfiles needs at least one package name argument\n\nUse --help for help about querying packages.\n")
		return c.done(2)
	}
	status := 0
	for i, n := range names {
		var found *dpkgPkg
		for k := range db {
			if (db[k].name == n || db[k].nonambig() == n) && db[k].state != "not-installed" {
				found = &db[k]
				break
			}
		}
		if found == nil {
			c.errRaw("dpkg-query: package '" + n + "' is not installed\nUse dpkg --contents (= dpkg-deb --contents) to list archive files contents.\n")
			status = 1
			continue
		}
		if i > 0 {
			c.print("\n")
		}
		s, ok := c.dpkgListFile(*found)
		if !ok || s == "" {
			c.print("Package '" + n + "' does not contain any files (!)\n")
			continue
		}
		c.print(s)
		if !strings.HasSuffix(s, "\n") {
			c.print("\n")
		}
	}
	return c.done(status)
}

func (c *cmd) dpkgSearch(db []dpkgPkg, patterns []string) int {
	if len(patterns) == 0 {
		c.errRaw("dpkg-query: error: --search needs at least one file name pattern argument\n\nUse --help for help about querying packages.\n")
		return c.done(2)
	}
	status := 0
	for _, pat := range patterns {
		glob := pat
		if !strings.ContainsAny(pat, "*?[\\") && !strings.HasPrefix(pat, "/") {
			glob = "*" + pat + "*"
		}
		found := false
		for _, p := range db {
			if !p.installed() {
				continue
			}
			s, _ := c.dpkgListFile(p)
			for _, f := range strings.Split(s, "\n") {
				if f == "" || f == "/." {
					continue
				}
				if ok, _ := path.Match(glob, f); ok || (glob == "*"+pat+"*" && strings.Contains(f, pat)) {
					c.print(p.nonambig() + ": " + f + "\n")
					found = true
				}
			}
			if c.failed() {
				return c.done(1)
			}
		}
		if !found {
			c.errRaw("dpkg-query: no path found matching pattern " + glob + "\n")
			status = 1
		}
	}
	return c.done(status)
}

func dpkgQueryCmd(p *Proc) int {
	c := newCmd(p)
	db := c.dpkgDB()
	action, format := "", "${binary:Package}\t${Version}\n"
	var args []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "-l" || a == "--list":
			action = "list"
		case a == "-W" || a == "--show":
			action = "show"
		case a == "-s" || a == "--status":
			action = "status"
		case a == "-L" || a == "--listfiles":
			action = "listfiles"
		case a == "-S" || a == "--search":
			action = "search"
		case a == "-f" || a == "--showformat":
			if i+1 < len(c.Args) {
				i++
				format = c.Args[i]
			}
		case strings.HasPrefix(a, "--showformat="):
			format = strings.TrimPrefix(a, "--showformat=")
		case strings.HasPrefix(a, "-f") && len(a) > 2:
			format = strings.TrimPrefix(a[2:], "=")
		case strings.HasPrefix(a, "-") && a != "-":
			if strings.HasPrefix(a, "--admindir=") || a == "--no-pager" {
				continue
			}
			c.errRaw("dpkg-query: error: unknown option " + a + "\n\nUse --help for help about querying packages.\n")
			return c.done(2)
		default:
			args = append(args, a)
		}
	}
	switch action {
	case "list":
		return c.dpkgList(db, args, "dpkg-query")
	case "status":
		return c.dpkgStatusCmd(db, args)
	case "listfiles":
		return c.dpkgListFiles(db, args)
	case "search":
		return c.dpkgSearch(db, args)
	case "show":
		sel, missing := c.dpkgMatch(db, args)
		for _, p := range sel {
			c.print(dpkgFormat(format, p))
		}
		for _, m := range missing {
			c.errRaw("dpkg-query: no packages found matching " + m + "\n")
		}
		if len(missing) > 0 {
			return c.done(1)
		}
		return c.done(0)
	}
	c.errRaw("dpkg-query: error: need an action option\n\nUse --help for help about querying packages.\n")
	return c.done(2)
}

// dpkgFormat expands a dpkg-query --showformat: ${Field}, ${Field;width} (negative for
// left alignment), the virtual fields and \n \t escapes.
func dpkgFormat(format string, p dpkgPkg) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case ch == '\\' && i+1 < len(format):
			i++
			switch format[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(format[i])
			}
		case ch == '$' && i+1 < len(format) && format[i+1] == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				b.WriteString(format[i:])
				return b.String()
			}
			spec := format[i+2 : i+end]
			i += end
			name, width, hasW := strings.Cut(spec, ";")
			v := dpkgField(name, p)
			if hasW {
				n := 0
				left := strings.HasPrefix(width, "-")
				fmt.Sscanf(strings.TrimPrefix(width, "-"), "%d", &n)
				if n > 0 && len(v) > n {
					v = v[:n]
				}
				if left {
					v = fmt.Sprintf("%-*s", n, v)
				} else {
					v = fmt.Sprintf("%*s", n, v)
				}
			}
			b.WriteString(v)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func dpkgField(name string, p dpkgPkg) string {
	switch strings.ToLower(name) {
	case "binary:package":
		return p.nonambig()
	case "package":
		return p.name
	case "binary:synopsis":
		return p.synopsis
	case "db:status-abbrev":
		return p.abbrev()
	case "db:status-want":
		return p.want
	case "db:status-status":
		return p.state
	case "db:status-eflag":
		return p.flag
	case "status":
		if p.want == "" {
			return ""
		}
		return p.want + " " + p.flag + " " + p.state
	}
	for k, v := range p.fields {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
