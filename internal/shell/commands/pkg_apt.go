package commands

import (
	"fmt"
	"hash/fnv"
	"net"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
)

// apt and apt-get (2.6) on a box whose apt lists are there but whose network is not: the
// plan comes from the persona's dpkg database and the embedded archive slice
// (pkg_archive.go), the mirrors from the persona's sources.list read at run time, and every
// download fails the way apt fails without a route out: a few "Ign" rounds, then "Err"
// with the resolver's error, then the "E:"/"W:" summary.

// aptSource is one deb/deb-src line.
type aptSource struct {
	typ, uri, dist string
	comps          []string
}

// host is the URI's host name (what apt tries to resolve).
func (s aptSource) host() string {
	u, err := url.Parse(s.uri)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// aptSources reads sources.list, sources.list.d/*.list and deb822 *.sources.
func (c *cmd) aptSources() []aptSource {
	var out []aptSource
	parseList := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			if i := strings.IndexByte(l, '#'); i >= 0 {
				l = l[:i]
			}
			f := strings.Fields(l)
			if len(f) < 3 || (f[0] != "deb" && f[0] != "deb-src") {
				continue
			}
			rest := f[1:]
			if strings.HasPrefix(rest[0], "[") {
				for len(rest) > 0 && !strings.HasSuffix(rest[0], "]") {
					rest = rest[1:]
				}
				if len(rest) > 0 {
					rest = rest[1:]
				}
			}
			if len(rest) < 2 {
				continue
			}
			out = append(out, aptSource{typ: f[0], uri: strings.TrimSuffix(rest[0], "/"), dist: rest[1], comps: rest[2:]})
		}
	}
	parse822 := func(s string) {
		for _, st := range strings.Split(s, "\n\n") {
			f := map[string]string{}
			for _, l := range strings.Split(st, "\n") {
				if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, " ") {
					f[strings.ToLower(k)] = strings.TrimSpace(v)
				}
			}
			if strings.EqualFold(f["enabled"], "no") {
				continue
			}
			for _, typ := range strings.Fields(f["types"]) {
				for _, u := range strings.Fields(f["uris"]) {
					for _, d := range strings.Fields(f["suites"]) {
						out = append(out, aptSource{typ: typ, uri: strings.TrimSuffix(u, "/"), dist: d, comps: strings.Fields(f["components"])})
					}
				}
			}
		}
	}
	if s, ok := c.readText("/etc/apt/sources.list"); ok {
		parseList(s)
	}
	if ents, err := c.FS.ReadDir("/etc/apt/sources.list.d"); err == nil {
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
		for _, m := range ents {
			s, ok := c.readText("/etc/apt/sources.list.d/" + m.Name)
			switch {
			case !ok:
			case strings.HasSuffix(m.Name, ".list"):
				parseList(s)
			case strings.HasSuffix(m.Name, ".sources"):
				parse822(s)
			}
		}
	}
	return out
}

func hasDebSource(ss []aptSource) bool {
	for _, s := range ss {
		if s.typ == "deb" {
			return true
		}
	}
	return false
}

// localeLang is the language part of the locale in effect for a category ("en_US"), or
// "C" when it is C/POSIX or not compiled on the persona.
func (c *cmd) localeLang(category string) string {
	name := ""
	for _, k := range []string{"LC_ALL", category, "LANG"} {
		if v := c.Env[k]; v != "" {
			name = v
			break
		}
	}
	lang, codeset, _ := strings.Cut(name, ".")
	lang, _, _ = strings.Cut(lang, "@")
	if lang == "" || lang == "C" || lang == "POSIX" || !c.localeAvailable(lang, codeset) {
		return "C"
	}
	return lang
}

// aptState is what one apt run works from.
type aptState struct {
	c        *cmd
	prog     string // "apt" or "apt-get"
	db       []dpkgPkg
	inst     map[string]dpkgPkg // installed packages by name
	provided map[string]bool    // names installed packages provide
	arch     string
	ar       *archive
	sources  []aptSource
	haveList bool // the persona still has its Packages lists
	quiet    int
	yes      bool
	noRecs   bool
	purge    bool
	thousand string // the locale's thousands separator in sizes
}

func (c *cmd) newAptState(prog string) *aptState {
	st := &aptState{c: c, prog: prog, db: c.dpkgDB(), inst: map[string]dpkgPkg{}, provided: map[string]bool{}, ar: loadArchive()}
	st.arch = c.dpkgArch(st.db)
	for _, p := range st.db {
		if p.installed() {
			st.inst[p.name] = p
			for _, g := range parseRelations(strings.ReplaceAll(p.fields["Provides"], "\n", " ")) {
				st.provided[g[0].name] = true
			}
		}
	}
	st.sources = c.aptSources()
	if ents, err := c.FS.ReadDir("/var/lib/apt/lists"); err == nil {
		for _, m := range ents {
			if strings.HasSuffix(m.Name, "_Packages") || strings.HasSuffix(m.Name, "_Packages.lz4") {
				st.haveList = true
			}
		}
	}
	if !hasDebSource(st.sources) {
		// lists without a source line are not read at all
		st.haveList = false
	}
	switch c.localeLang("LC_NUMERIC") {
	case "en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_NZ":
		st.thousand = ","
	}
	return st
}

// out prints apt's normal output (suppressed by -qq).
func (st *aptState) out(s string) {
	if st.quiet < 2 {
		st.c.print(s)
	}
}

// progress prints the "Reading package lists..." lines; on a terminal apt adds " Done".
func (st *aptState) progress(lines ...string) {
	for _, l := range lines {
		if st.c.StdoutTTY {
			st.out(l + "... Done\n")
		} else {
			st.out(l + "...\n")
		}
	}
}

// aptSize renders a byte count as apt's SizeToStr (powers of 1000, %'.0f / %'.1f).
func (st *aptState) aptSize(n float64) string {
	units := []string{"", "k", "M", "G", "T", "P", "E", "Z", "Y"}
	a := n
	if a < 0 {
		a = -a
	}
	for i := 0; i < len(units); i++ {
		if a < 100 && i != 0 {
			return st.group(strconv.FormatFloat(a, 'f', 1, 64)) + " " + units[i]
		}
		if a < 10000 {
			return st.group(strconv.FormatFloat(a, 'f', 0, 64)) + " " + units[i]
		}
		a /= 1000
	}
	return strconv.FormatFloat(a, 'f', 0, 64)
}

// group inserts the locale's thousands separator into a decimal number.
func (st *aptState) group(s string) string {
	if st.thousand == "" {
		return s
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(st.thousand)
		}
		b.WriteRune(ch)
	}
	if hasFrac {
		return b.String() + "." + frac
	}
	return b.String()
}

// aptWarning is apt's warning when its output is not a terminal.
func (c *cmd) aptWarning(prog string) {
	if prog == "apt" && !c.StdoutTTY {
		c.errRaw("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
	}
}

func aptCmd(p *Proc) int    { return aptRun(p, "apt") }
func aptGetCmd(p *Proc) int { return aptRun(p, "apt-get") }

func aptRun(p *Proc, prog string) int {
	c := newCmd(p)
	st := c.newAptState(prog)
	var op string
	var args []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "-y" || a == "--yes" || a == "--assume-yes" || a == "--force-yes":
			st.yes = true
		case a == "-q" || a == "--quiet":
			st.quiet++
		case a == "-qq":
			st.quiet += 2
		case strings.HasPrefix(a, "--quiet="):
			st.quiet, _ = strconv.Atoi(strings.TrimPrefix(a, "--quiet="))
		case a == "--no-install-recommends":
			st.noRecs = true
		case a == "--purge":
			st.purge = true
		case a == "-v" || a == "--version":
			op = "version"
		case a == "-h" || a == "--help":
			op = "help"
		case a == "-o" || a == "-c" || a == "-t" || a == "--target-release" || a == "--option":
			i++
		case strings.HasPrefix(a, "--") && op == "list":
			args = append(args, a)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if strings.HasPrefix(a, "-y") || strings.HasPrefix(a, "-q") {
				for _, ch := range a[1:] {
					switch ch {
					case 'y':
						st.yes = true
					case 'q':
						st.quiet++
					}
				}
			}
		case op == "":
			op = a
		default:
			args = append(args, a)
		}
	}
	version := dpkgVersionOf(st.db, "apt")
	if version == "" {
		version = "2.6.1"
	}
	switch op {
	case "version":
		c.print("apt " + version + " (" + st.arch + ")\n")
		return c.done(0)
	case "", "help":
		if prog == "apt" {
			c.print("apt " + version + " (" + st.arch + ")\n" + aptUsage)
		} else {
			c.print("apt " + version + " (" + st.arch + ")\n" + aptGetUsage)
		}
		if op == "help" {
			return c.done(0)
		}
		return c.done(1)
	}
	c.aptWarning(prog)
	switch op {
	case "update":
		return st.update()
	case "install", "reinstall":
		return st.install(args, false)
	case "upgrade", "dist-upgrade", "full-upgrade":
		return st.install(nil, true)
	case "list":
		if prog == "apt" {
			return st.list(args)
		}
	case "clean", "autoclean":
		if !c.isRoot() {
			c.errRaw("E: Could not open lock file /var/cache/apt/archives/lock - open (13: Permission denied)\nE: Unable to lock directory /var/cache/apt/archives/\n")
			return c.done(100)
		}
		if op == "autoclean" {
			st.progress("Reading package lists", "Building dependency tree", "Reading state information")
		}
		return c.done(0)
	case "check":
		if !c.isRoot() {
			return st.lockFrontend()
		}
		st.progress("Reading package lists", "Building dependency tree", "Reading state information")
		return c.done(0)
	case "remove", "purge", "autoremove", "autopurge":
		return st.remove(op, args)
	}
	c.errRaw("E: Invalid operation " + op + "\n")
	return c.done(100)
}

// lockFrontend is what a non-root apt that changes packages prints.
func (st *aptState) lockFrontend() int {
	st.c.errRaw("E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n")
	return st.c.done(100)
}

// fetchTarget is one (URI, dist) pair apt fetches an InRelease for.
type fetchTarget struct {
	uri, dist, host string
}

func (st *aptState) update() int {
	c := st.c
	if !c.isRoot() {
		st.progress("Reading package lists")
		c.errRaw("E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n")
		return c.done(100)
	}
	var targets []fetchTarget
	seen := map[string]bool{}
	for _, s := range st.sources {
		k := s.uri + " " + s.dist
		if !seen[k] {
			seen[k] = true
			targets = append(targets, fetchTarget{s.uri, s.dist, s.host()})
		}
	}
	var warns []string
	var names, ips []int
	for i, t := range targets {
		if net.ParseIP(t.host) != nil {
			ips = append(ips, i)
		} else {
			names = append(names, i)
		}
	}
	// a name that does not resolve: three rounds of retries, then the error
	for round := 0; round < 3; round++ {
		for _, i := range names {
			st.out(fmt.Sprintf("Ign:%d %s %s InRelease\n", i+1, targets[i].uri, targets[i].dist))
		}
	}
	for _, i := range names {
		t := targets[i]
		st.out(fmt.Sprintf("Err:%d %s %s InRelease\n  Temporary failure resolving '%s'\n", i+1, t.uri, t.dist, t.host))
		warns = append(warns, fmt.Sprintf("W: Failed to fetch %s/dists/%s/InRelease  Temporary failure resolving '%s'\n", t.uri, t.dist, t.host))
	}
	// an address without a route: InRelease is ignored, Release fails to connect
	var errs []string
	n := len(targets)
	for _, i := range ips {
		t := targets[i]
		st.out(fmt.Sprintf("Ign:%d %s %s InRelease\n", i+1, t.uri, t.dist))
		n++
		st.out(fmt.Sprintf("Err:%d %s %s Release\n  Cannot initiate the connection to %s:80 (%s). - connect (101: Network is unreachable)\n", n, t.uri, t.dist, t.host, t.host))
		errs = append(errs, fmt.Sprintf("E: The repository '%s %s Release' does not have a Release file.\n", t.uri, t.dist))
	}
	st.progress("Reading package lists")
	if st.prog == "apt" && len(errs) == 0 {
		st.progress("Building dependency tree", "Reading state information")
		if up := len(st.upgradable()); up > 0 {
			st.out(fmt.Sprintf("%d packages can be upgraded. Run 'apt list --upgradable' to see them.\n", up))
		} else {
			st.out("All packages are up to date.\n")
		}
	}
	c.flush()
	for _, w := range warns {
		c.errRaw(w)
	}
	if len(errs) > 0 {
		for _, e := range errs {
			c.errRaw(e)
		}
		c.errRaw("N: Updating from such a repository can't be done securely, and is therefore disabled by default.\nN: See apt-secure(8) manpage for repository creation and user configuration details.\n")
		return c.done(100)
	}
	if len(warns) > 0 {
		c.errRaw("W: Some index files failed to download. They have been ignored, or old ones used instead.\n")
	}
	return c.done(0)
}

// candidate is the version apt would install for name ("" when the archive lacks it).
func (st *aptState) candidate(name string) (string, *archRec) {
	if r := st.ar.recs[name]; r != nil {
		return r.version, r
	}
	best := ""
	if i, ok := st.ar.lookupName(name); ok {
		best = st.ar.nameVer[i]
	}
	for _, v := range st.ar.versions[name] {
		if best == "" || dpkgVerCmp(v, best) > 0 {
			best = v
		}
	}
	return best, nil
}

// upgradable lists installed packages with a newer candidate, by name.
func (st *aptState) upgradable() []string {
	var out []string
	for name, p := range st.inst {
		if v, _ := st.candidate(name); v != "" && dpkgVerCmp(v, p.version) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// planPkg is a package apt will download.
type planPkg struct {
	name, version, arch, filename string
	suite                         int
	size, isize                   int64
	oldISize                      int64 // for an upgrade, the installed size it replaces
	upgrade                       bool
	rec                           *archRec
}

// satisfied reports whether a relation group is met by what is installed or planned.
func (st *aptState) satisfied(g relGroup, plan map[string]*planPkg) bool {
	for _, r := range g {
		if _, ok := st.inst[r.name]; ok {
			return true
		}
		if st.provided[r.name] || plan[r.name] != nil {
			return true
		}
		for _, p := range plan {
			if p.rec != nil {
				for _, pv := range p.rec.provides {
					if pv == r.name {
						return true
					}
				}
			}
		}
	}
	return false
}

// choose picks the package apt installs for an unmet group: the first alternative the
// archive has, or the first provider of a virtual one.
func (st *aptState) choose(g relGroup) *archRec {
	for _, r := range g {
		if rec := st.ar.recs[r.name]; rec != nil {
			return rec
		}
		if ps := st.ar.provided[r.name]; len(ps) > 0 {
			return st.ar.recs[ps[0]]
		}
	}
	return nil
}

// newPlanPkg makes a plan entry for a record, or for a name the slice only knows by
// version (its sizes are then a stable guess).
func (st *aptState) newPlanPkg(name string, rec *archRec) *planPkg {
	if rec != nil {
		return &planPkg{name: rec.name, version: rec.version, arch: rec.arch, filename: rec.filename, suite: rec.suite,
			size: rec.size, isize: rec.isize, rec: rec}
	}
	v, _ := st.candidate(name)
	arch := st.arch
	if i, ok := st.ar.lookupName(name); ok && st.ar.nameAll[i] {
		arch = "all"
	}
	prefix := name[:1]
	if strings.HasPrefix(name, "lib") && len(name) > 3 {
		prefix = name[:4]
	}
	_, upstream, _ := strings.Cut(v, ":")
	if upstream == "" {
		upstream = v
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	size := int64(20000 + h.Sum32()%400000)
	return &planPkg{name: name, version: v, arch: arch, suite: st.mainSuite(),
		filename: "pool/main/" + prefix + "/" + name + "/" + name + "_" + upstream + "_" + arch + ".deb",
		size:     size, isize: size * 3 / 1000}
}

// mainSuite is the index of the archive's main suite.
func (st *aptState) mainSuite() int {
	for i, s := range st.ar.suites {
		if !strings.Contains(s.dist, "-") {
			return i
		}
	}
	return 0
}

func (st *aptState) install(names []string, upgradeAll bool) int {
	c := st.c
	if !c.isRoot() {
		return st.lockFrontend()
	}
	st.progress("Reading package lists", "Building dependency tree", "Reading state information")
	if upgradeAll {
		st.out("Calculating upgrade...\n")
	}
	plan := map[string]*planPkg{}
	var requested []string
	var order []string // the order packages were marked (for the download order)
	mark := func(p *planPkg) {
		if plan[p.name] == nil {
			plan[p.name] = p
			order = append(order, p.name)
		}
	}
	var already []string
	for _, n := range names {
		n, _, _ = strings.Cut(n, "=")
		n, _, _ = strings.Cut(n, "/")
		n = strings.TrimSuffix(n, ":"+st.arch)
		if !st.haveList || !st.ar.known(n) {
			if p, ok := st.inst[n]; ok {
				already = append(already, fmt.Sprintf("%s is already the newest version (%s).\n", n, p.version))
				continue
			}
			c.flush()
			c.errRaw("E: Unable to locate package " + n + "\n")
			return c.done(100)
		}
		v, rec := st.candidate(n)
		if p, ok := st.inst[n]; ok {
			if v == "" || dpkgVerCmp(v, p.version) <= 0 {
				already = append(already, fmt.Sprintf("%s is already the newest version (%s).\n", n, p.version))
				continue
			}
			pp := st.newPlanPkg(n, rec)
			pp.upgrade = true
			pp.oldISize, _ = strconv.ParseInt(p.fields["Installed-Size"], 10, 64)
			mark(pp)
			requested = append(requested, n)
			continue
		}
		mark(st.newPlanPkg(n, rec))
		requested = append(requested, n)
	}
	if upgradeAll {
		for _, n := range st.upgradable() {
			_, rec := st.candidate(n)
			pp := st.newPlanPkg(n, rec)
			pp.upgrade = true
			pp.oldISize, _ = strconv.ParseInt(st.inst[n].fields["Installed-Size"], 10, 64)
			mark(pp)
			requested = append(requested, n)
		}
	}
	// dependencies, then recommends, of everything marked (breadth first, bounded)
	for i := 0; i < len(order) && i < 5000; i++ {
		p := plan[order[i]]
		if p.rec == nil {
			continue
		}
		groups := append(append([]relGroup(nil), p.rec.preDepends...), p.rec.depends...)
		if !st.noRecs {
			groups = append(groups, p.rec.recommends...)
		}
		for _, g := range groups {
			if st.satisfied(g, plan) {
				continue
			}
			if rec := st.choose(g); rec != nil {
				mark(st.newPlanPkg(rec.name, rec))
			}
		}
	}
	for _, a := range already {
		st.out(a)
	}
	var newPkgs, upgrades, additional []string
	req := map[string]bool{}
	for _, n := range requested {
		req[n] = true
	}
	for n, p := range plan {
		if p.upgrade {
			upgrades = append(upgrades, n)
		} else {
			newPkgs = append(newPkgs, n)
		}
		if !req[n] {
			additional = append(additional, n)
		}
	}
	sort.Strings(newPkgs)
	sort.Strings(upgrades)
	sort.Strings(additional)
	if !upgradeAll {
		st.showList("The following additional packages will be installed:", additional)
	}
	sugg, recs := st.weakDeps(plan)
	st.showList("Suggested packages:", sugg)
	st.showList("Recommended packages:", recs)
	st.showList("The following NEW packages will be installed:", newPkgs)
	st.showList("The following packages will be upgraded:", upgrades)
	notUp := 0
	for _, n := range st.upgradable() {
		if plan[n] == nil {
			notUp++
		}
	}
	st.out(fmt.Sprintf("%d upgraded, %d newly installed, 0 to remove and %d not upgraded.\n", len(upgrades), len(newPkgs), notUp))
	if len(plan) == 0 {
		return c.done(0)
	}
	var size, isize int64
	for _, p := range plan {
		size += p.size
		isize += p.isize - p.oldISize
	}
	st.out("Need to get " + st.aptSize(float64(size)) + "B of archives.\n")
	if isize >= 0 {
		st.out("After this operation, " + st.aptSize(float64(isize*1024)) + "B of additional disk space will be used.\n")
	} else {
		st.out("After this operation, " + st.aptSize(float64(-isize*1024)) + "B disk space will be freed.\n")
	}
	// apt asks when it does more than it was told to
	if !st.yes && (len(additional) > 0 || upgradeAll) {
		st.out("Do you want to continue? [Y/n] ")
		c.flush()
		line, ok := readLine(c.stdinReader())
		if !ok || (line != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")) {
			st.out("Abort.\n")
			return c.done(1)
		}
	}
	return st.fetchFail(st.downloadOrder(plan, order))
}

// downloadOrder is apt's unpack order (pkgOrderList::OrderUnpack): the packages sorted by
// score (essential +200, having a Pre-Depends +50, priority required 5 / important 4 /
// standard 3 / optional 1), then by name, each visited depth first after what it
// pre-depends and depends on.
func (st *aptState) downloadOrder(plan map[string]*planPkg, _ []string) []*planPkg {
	score := func(p *planPkg) int {
		if p.rec == nil {
			return 1
		}
		s := 0
		if p.rec.essential {
			s += 200
		}
		if len(p.rec.preDepends) > 0 {
			s += 50
		}
		s += map[string]int{"required": 5, "important": 4, "standard": 3, "optional": 1}[p.rec.priority]
		return s
	}
	names := make([]string, 0, len(plan))
	for n := range plan {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		si, sj := score(plan[names[i]]), score(plan[names[j]])
		if si != sj {
			return si > sj
		}
		return names[i] < names[j]
	})
	done := map[string]bool{}
	var out []*planPkg
	var visit func(n string, depth int)
	visit = func(n string, depth int) {
		p := plan[n]
		if p == nil || done[n] || depth > 64 {
			return
		}
		done[n] = true
		if p.rec != nil {
			for _, g := range append(append([]relGroup(nil), p.rec.preDepends...), p.rec.depends...) {
				for _, r := range g {
					if plan[r.name] != nil {
						visit(r.name, depth+1)
						break
					}
					if ps := st.ar.provided[r.name]; len(ps) > 0 && plan[ps[0]] != nil {
						visit(ps[0], depth+1)
						break
					}
				}
			}
		}
		out = append(out, p)
	}
	for _, n := range names {
		visit(n, 0)
	}
	return out
}

// fetchFail prints the downloads failing as they do without a network, and exits 100.
func (st *aptState) fetchFail(pkgs []*planPkg) int {
	c := st.c
	// where lists the sources a package can be fetched from, in sources.list order: the
	// sources whose suite carries its version.
	where := func(p *planPkg) []aptFrom {
		var out []aptFrom
		pool := strings.TrimPrefix(strings.TrimPrefix(p.filename, "pool/"), "updates/")
		add := func(s aptSource, suite archSuite) {
			file := "pool/" + pool
			if strings.HasSuffix(suite.dist, "-security") {
				file = "pool/updates/" + pool
			}
			out = append(out, aptFrom{src: s, label: s.dist + "/" + suite.comp, file: file})
		}
		vs := st.ar.versions[p.name]
		for _, s := range st.sources {
			if s.typ != "deb" {
				continue
			}
			for i, suite := range st.ar.suites {
				if suite.dist != s.dist {
					continue
				}
				if v, ok := vs[i]; (ok && v == p.version) || (vs == nil && i == p.suite) {
					add(s, suite)
				}
			}
		}
		if len(out) == 0 {
			suite := archSuite{dist: st.sources[0].dist, comp: "main"}
			if p.suite >= 0 && p.suite < len(st.ar.suites) {
				suite.comp = st.ar.suites[p.suite].comp
			}
			add(st.sources[0], suite)
		}
		return out
	}
	line := func(i int, p *planPkg, f aptFrom) string {
		return fmt.Sprintf("%d %s %s %s %s %s %s\n", i+1, f.src.uri, f.label, st.arch, p.name, p.arch, p.version)
	}
	froms := make([][]aptFrom, len(pkgs))
	for i, p := range pkgs {
		froms[i] = where(p)
	}
	for round := 0; round < 3; round++ {
		for i, p := range pkgs {
			st.out("Ign:" + line(i, p, froms[i][0]))
		}
	}
	// a package with a second source is retried there after the first one failed
	var later []int
	for i, p := range pkgs {
		if len(froms[i]) > 1 {
			st.out("Ign:" + line(i, p, froms[i][0]))
			later = append(later, i)
			continue
		}
		st.out("Err:" + line(i, p, froms[i][0]) + "  Temporary failure resolving '" + froms[i][0].src.host() + "'\n")
	}
	for _, i := range later {
		st.out("Err:" + line(i, pkgs[i], froms[i][0]) + "  Temporary failure resolving '" + froms[i][0].src.host() + "'\n")
	}
	c.flush()
	for i := range pkgs {
		f := froms[i][len(froms[i])-1]
		c.errRaw("E: Failed to fetch " + f.src.uri + "/" + aptQuoteURL(f.file) + "  Temporary failure resolving '" + f.src.host() + "'\n")
	}
	c.errRaw("E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n")
	return c.done(100)
}

// aptFrom is one place a package can be downloaded from.
type aptFrom struct {
	src   aptSource
	label string // "bookworm/main"
	file  string // the pool path there
}

// aptQuoteURL escapes a pool path as apt's QuoteString does ('~' and '+' among others).
func aptQuoteURL(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch <= 0x20 || ch >= 0x7f || strings.IndexByte("+~%;:@&=", ch) >= 0 {
			fmt.Fprintf(&b, "%%%02x", ch)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// weakDeps lists the Suggests and Recommends of planned packages that nothing installed or
// planned satisfies, as apt's ShowWeakDependencies does (packages by name, fields in order).
func (st *aptState) weakDeps(plan map[string]*planPkg) (sugg, recs []string) {
	names := make([]string, 0, len(plan))
	for n := range plan {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, n := range names {
		p := plan[n]
		if p.rec == nil {
			continue
		}
		for _, kind := range []string{"Recommends", "Suggests"} {
			groups := p.rec.suggests
			if kind == "Recommends" {
				groups = p.rec.recommends
			}
			for _, g := range groups {
				var names []string
				for _, r := range g {
					names = append(names, r.name)
				}
				key := kind + strings.Join(names, " | ")
				if seen[key] {
					continue
				}
				seen[key] = true
				if st.satisfied(g, plan) {
					continue
				}
				for i, nm := range names {
					if i > 0 {
						nm = "| " + nm
					}
					if kind == "Recommends" {
						recs = append(recs, nm)
					} else {
						sugg = append(sugg, nm)
					}
				}
			}
		}
	}
	return sugg, recs
}

// showList prints a titled package list wrapped as apt's ShowList does.
func (st *aptState) showList(title string, items []string) {
	if len(items) == 0 {
		return
	}
	width := 80
	if st.c.StdoutTTY && st.c.Columns > 0 {
		width = st.c.Columns
	}
	width -= 3
	var b strings.Builder
	b.WriteString(title)
	used := 0
	for _, it := range items {
		if used == 0 || used+1+len(it) >= width {
			b.WriteString("\n  ")
			used = 0
		} else {
			b.WriteByte(' ')
			used++
		}
		b.WriteString(it)
		used += len(it)
	}
	b.WriteByte('\n')
	st.out(b.String())
}

func (st *aptState) remove(op string, names []string) int {
	c := st.c
	if !c.isRoot() {
		return st.lockFrontend()
	}
	purge := st.purge || op == "purge" || op == "autopurge"
	st.progress("Reading package lists", "Building dependency tree", "Reading state information")
	rm := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSuffix(n, ":"+st.arch)
		if _, ok := st.inst[n]; !ok {
			if !st.ar.known(n) {
				c.flush()
				c.errRaw("E: Unable to locate package " + n + "\n")
				return c.done(100)
			}
			st.out("Package '" + n + "' is not installed, so not removed\n")
			continue
		}
		rm[n] = true
	}
	// what depends on a removed package goes too
	for changed := true; changed; {
		changed = false
		for n, p := range st.inst {
			if rm[n] {
				continue
			}
			for _, k := range []string{"Pre-Depends", "Depends"} {
				for _, g := range parseRelations(strings.ReplaceAll(p.fields[k], "\n", " ")) {
					ok := false
					for _, r := range g {
						if q, inst := st.inst[r.name]; inst && !rm[q.name] || st.providedOutside(r.name, rm) {
							ok = true
						}
					}
					if !ok && !rm[n] {
						rm[n], changed = true, true
					}
				}
			}
		}
	}
	var list []string
	var freed int64
	essential := false
	for n := range rm {
		list = append(list, n)
		sz, _ := strconv.ParseInt(st.inst[n].fields["Installed-Size"], 10, 64)
		freed += sz
		if st.inst[n].fields["Essential"] == "yes" {
			essential = true
		}
	}
	sort.Strings(list)
	items := list
	if purge {
		items = make([]string, len(list))
		for i, n := range list {
			items[i] = n + "*"
		}
	}
	st.showList("The following packages will be REMOVED:", items)
	if essential {
		var ess []string
		for _, n := range list {
			if st.inst[n].fields["Essential"] == "yes" {
				ess = append(ess, n)
			}
		}
		st.out("WARNING: The following essential packages will be removed.\nThis should NOT be done unless you know exactly what you are doing!\n  " + strings.Join(ess, " ") + "\n")
	}
	st.out(fmt.Sprintf("0 upgraded, 0 newly installed, %d to remove and %d not upgraded.\n", len(list), len(st.upgradable())))
	if len(list) == 0 {
		return c.done(0)
	}
	st.out("After this operation, " + st.aptSize(float64(freed*1024)) + "B disk space will be freed.\n")
	if essential {
		if st.yes {
			c.flush()
			c.errRaw("E: Essential packages were removed and -y was used without --allow-remove-essential.\n")
			return c.done(100)
		}
		st.out("You are about to do something potentially harmful.\nTo continue type in the phrase 'Yes, do as I say!'\n ?] ")
		c.flush()
		if line, ok := readLine(c.stdinReader()); !ok || line != "Yes, do as I say!" {
			st.out("Abort.\n")
			return c.done(1)
		}
	} else if !st.yes {
		st.out("Do you want to continue? [Y/n] ")
		c.flush()
		line, ok := readLine(c.stdinReader())
		if !ok || (line != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")) {
			st.out("Abort.\n")
			return c.done(1)
		}
	}
	st.out("(Reading database ... " + strconv.Itoa(st.fileCount()) + " files and directories currently installed.)\n")
	manDB := false
	for _, n := range list {
		p := st.inst[n]
		st.out("Removing " + n + " (" + p.version + ") ...\n")
		if files, _ := c.dpkgListFile(p); strings.Contains(files, "/usr/share/man/") {
			manDB = true
		}
		st.dropFiles(p, purge)
	}
	if purge {
		for _, n := range list {
			if st.inst[n].fields["Conffiles"] != "" {
				st.out("Purging configuration files for " + n + " (" + st.inst[n].version + ") ...\n")
			}
		}
	}
	if v := dpkgVersionOf(st.db, "man-db"); manDB && v != "" && !rm["man-db"] {
		st.out("Processing triggers for man-db (" + v + ") ...\n")
	}
	st.writeStatus(rm, purge)
	return c.done(0)
}

// providedOutside reports whether an installed package outside rm provides name.
func (st *aptState) providedOutside(name string, rm map[string]bool) bool {
	for n, p := range st.inst {
		if rm[n] {
			continue
		}
		for _, g := range parseRelations(strings.ReplaceAll(p.fields["Provides"], "\n", " ")) {
			if g[0].name == name {
				return true
			}
		}
	}
	return false
}

// dropFiles deletes a package's files from the vfs as dpkg --remove does (its conffiles
// stay unless purging; directories go when empty).
func (st *aptState) dropFiles(p dpkgPkg, purge bool) {
	c := st.c
	conf := map[string]bool{}
	for _, l := range strings.Split(p.fields["Conffiles"], "\n") {
		if f := strings.Fields(l); len(f) >= 1 {
			conf[f[0]] = true
		}
	}
	files, _ := c.dpkgListFile(p)
	lines := strings.Split(files, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		f := lines[i]
		if f == "" || f == "/." || (conf[f] && !purge) {
			continue
		}
		m, err := c.FS.Lstat(f)
		if err != nil {
			continue
		}
		if m.Mode.IsDir() {
			if ents, err := c.FS.ReadDir(f); err == nil && len(ents) == 0 {
				_ = c.FS.Remove(f)
			}
			continue
		}
		_ = c.FS.Remove(f)
	}
	for _, n := range []string{p.nonambig(), p.name} {
		_ = c.FS.Remove("/var/lib/dpkg/info/" + n + ".list")
		_ = c.FS.Remove("/var/lib/dpkg/info/" + n + ".md5sums")
	}
}

// writeStatus records removed packages in /var/lib/dpkg/status: gone, or "deinstall ok
// config-files" while their conffiles remain.
func (st *aptState) writeStatus(rm map[string]bool, purge bool) {
	var b strings.Builder
	for _, p := range st.db {
		raw := p.raw
		if rm[p.name] {
			if purge || p.fields["Conffiles"] == "" {
				continue
			}
			raw = strings.Replace(raw, "Status: "+p.fields["Status"], "Status: deinstall ok config-files", 1)
		}
		b.WriteString(raw + "\n\n")
	}
	_ = st.c.FS.WriteFile("/var/lib/dpkg/status", []byte(b.String()), 0o644)
}

// list is apt list [--installed|--upgradable] [patterns].
func (st *aptState) list(args []string) int {
	c := st.c
	installedOnly, upgradableOnly := false, false
	var pats []string
	for _, a := range args {
		switch a {
		case "--installed", "-i":
			installedOnly = true
		case "--upgradable", "--upgradeable", "-u":
			upgradableOnly = true
		case "--all-versions", "-a", "--manual-installed":
		default:
			pats = append(pats, a)
		}
	}
	if c.StdoutTTY {
		c.print("Listing... Done\n")
	} else {
		c.print("Listing...\n")
	}
	auto := map[string]bool{}
	if s, ok := c.readText("/var/lib/apt/extended_states"); ok {
		for _, stz := range parseDpkgDB(s) {
			if stz.fields["Auto-Installed"] == "1" {
				auto[stz.name] = true
			}
		}
	}
	match := func(n string) bool {
		if len(pats) == 0 {
			return true
		}
		for _, p := range pats {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
		return false
	}
	var lines []string
	add := func(name string) {
		p, isInst := st.inst[name]
		cand, _ := st.candidate(name)
		if installedOnly && !isInst {
			return
		}
		up := isInst && cand != "" && dpkgVerCmp(cand, p.version) > 0
		if upgradableOnly && !up {
			return
		}
		ver := cand
		arch := st.arch
		if i, ok := st.ar.lookupName(name); ok && st.ar.nameAll[i] {
			arch = "all"
		}
		if isInst && !up {
			ver, arch = p.version, p.arch
		}
		suites := st.suitesOf(name, ver)
		var tags []string
		if isInst {
			if !up {
				suites = append(suites, "now")
			}
			switch {
			case up:
				tags = append(tags, "installed", "upgradable from: "+p.version)
			case len(suites) == 1:
				tags = append(tags, "installed", "local")
			case auto[name]:
				tags = append(tags, "installed", "automatic")
			default:
				tags = append(tags, "installed")
			}
		}
		l := name + "/" + strings.Join(suites, ",") + " " + ver + " " + arch
		if len(tags) > 0 {
			l += " [" + strings.Join(tags, ",") + "]"
		}
		lines = append(lines, l)
	}
	if installedOnly || upgradableOnly {
		for n := range st.inst {
			if match(n) {
				add(n)
			}
		}
	} else {
		for n := range st.inst {
			if match(n) && !st.ar.known(n) {
				add(n)
			}
		}
		for _, n := range st.ar.names {
			if match(n) {
				add(n)
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		c.print(l + "\n")
		if c.failed() {
			break
		}
	}
	return c.done(0)
}

// suitesOf names the archive suites that carry name at version.
func (st *aptState) suitesOf(name, version string) []string {
	var out []string
	vs := st.ar.versions[name]
	for i, s := range st.ar.suites {
		if v, ok := vs[i]; ok && v == version {
			out = append(out, s.suite)
		}
	}
	if vs == nil {
		if i, ok := st.ar.lookupName(name); ok && st.ar.nameVer[i] == version {
			out = append(out, st.ar.suites[st.mainSuite()].suite)
		}
	}
	sort.Strings(out)
	return out
}

const aptUsage = `Usage: apt [options] command

apt is a commandline package manager and provides commands for
searching and managing as well as querying information about packages.
It provides the same functionality as the specialized APT tools,
like apt-get and apt-cache, but enables options more suitable for
interactive use by default.

Most used commands:
  list - list packages based on package names
  search - search in package descriptions
  show - show package details
  install - install packages
  reinstall - reinstall packages
  remove - remove packages
  autoremove - automatically remove all unused packages
  update - update list of available packages
  upgrade - upgrade the system by installing/upgrading packages
  full-upgrade - upgrade the system by removing/installing/upgrading packages
  edit-sources - edit the source information file
  satisfy - satisfy dependency strings

See apt(8) for more information about the available commands.
Configuration options and syntax is detailed in apt.conf(5).
Information about how to configure sources can be found in sources.list(5).
Package and version choices can be expressed via apt_preferences(5).
Security details are available in apt-secure(8).
                                        This APT has Super Cow Powers.
`

const aptGetUsage = `Usage: apt-get [options] command
       apt-get [options] install|remove pkg1 [pkg2 ...]
       apt-get [options] source pkg1 [pkg2 ...]

apt-get is a command line interface for retrieval of packages
and information about them from authenticated sources and
for installation, upgrade and removal of packages together
with their dependencies.

Most used commands:
  update - Retrieve new lists of packages
  upgrade - Perform an upgrade
  install - Install new packages (pkg is libc6 not libc6.deb)
  reinstall - Reinstall packages (pkg is libc6 not libc6.deb)
  remove - Remove packages
  purge - Remove packages and config files
  autoremove - Remove automatically all unused packages
  dist-upgrade - Distribution upgrade, see apt-get(8)
  dselect-upgrade - Follow dselect selections
  build-dep - Configure build-dependencies for source packages
  satisfy - Satisfy dependency strings
  clean - Erase downloaded archive files
  autoclean - Erase old downloaded archive files
  check - Verify that there are no broken dependencies
  source - Download source archives
  download - Download the binary package into the current directory
  changelog - Download and display the changelog for the given package

See apt-get(8) for more information about the available commands.
Configuration options and syntax is detailed in apt.conf(5).
Information about how to configure sources can be found in sources.list(5).
Package and version choices can be expressed via apt_preferences(5).
Security details are available in apt-secure(8).
                                        This APT has Super Cow Powers.
`

// fileCount is dpkg's "files and directories currently installed".
func (st *aptState) fileCount() int {
	n := 0
	for _, p := range st.inst {
		s, _ := st.c.dpkgListFile(p)
		n += strings.Count(s, "\n")
	}
	return n
}
