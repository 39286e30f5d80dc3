package commands

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The Debian archive apt answers from when the persona's apt lists are only headers:
// pkg_archive.dat.gz (built by TestGeneratePkgArchive from a debootstrapped tree's lists).
// It is read-only data, parsed once on first use.

//go:embed pkg_archive.dat.gz
var pkgArchiveData []byte

// archSuite is one apt source: Release's Suite ("oldstable-security"), the dist it is
// fetched as ("bookworm-security") and the component path ("updates/main").
type archSuite struct {
	suite, dist, comp string
}

// archRec is a package's candidate in the archive.
type archRec struct {
	name, version, arch string
	suite               int
	size, isize         int64 // bytes, kB
	filename, multiArch string
	preDepends, depends []relGroup
	recommends          []relGroup
	suggests            []relGroup
	provides            []string
	priority            string // required, important, standard, optional, extra
	essential           bool
}

// archive is the parsed data.
type archive struct {
	suites   []archSuite
	names    []string                  // sorted: every package name of the lists
	nameVer  []string                  // the candidate version of names[i]
	nameAll  []bool                    // names[i] is Architecture: all
	versions map[string]map[int]string // name -> suite -> version (where it matters)
	recs     map[string]*archRec
	provided map[string][]string // virtual name -> record names providing it
}

var loadArchive = sync.OnceValue(func() *archive {
	a := &archive{versions: map[string]map[int]string{}, recs: map[string]*archRec{}, provided: map[string][]string{}}
	zr, err := gzip.NewReader(bytes.NewReader(pkgArchiveData))
	if err != nil {
		return a
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return a
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	prev := ""
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		switch l[0] {
		case 'N':
			k := int(l[1] - '0')
			if k > len(prev) {
				k = len(prev)
			}
			f := strings.Split(l[2:], "\t")
			n := prev[:k] + f[0]
			a.names = append(a.names, n)
			v := ""
			if len(f) > 1 {
				v = f[1]
			}
			a.nameVer = append(a.nameVer, v)
			a.nameAll = append(a.nameAll, len(f) > 2 && f[2] == "a")
			prev = n
		case 'S':
			f := strings.Split(l, "\t")
			if len(f) >= 5 {
				a.suites = append(a.suites, archSuite{suite: f[2], dist: f[3], comp: f[4]})
			}
		case 'V':
			f := strings.Split(l, "\t")
			m := map[int]string{}
			for _, sv := range f[2:] {
				s, v, _ := strings.Cut(sv, "=")
				n, _ := strconv.Atoi(s)
				m[n] = v
			}
			a.versions[f[1]] = m
		case 'P':
			f := strings.Split(l, "\t")
			if len(f) < 14 {
				continue
			}
			r := &archRec{name: f[1], version: f[2], arch: f[3], filename: f[7], multiArch: f[8],
				preDepends: parseRelations(f[9]), depends: parseRelations(f[10]), recommends: parseRelations(f[11]),
				suggests: parseRelations(f[12])}
			if len(f) > 15 {
				r.priority, r.essential = f[14], f[15] == "yes"
			}
			r.suite, _ = strconv.Atoi(f[4])
			r.size, _ = strconv.ParseInt(f[5], 10, 64)
			r.isize, _ = strconv.ParseInt(f[6], 10, 64)
			for _, g := range parseRelations(f[13]) {
				r.provides = append(r.provides, g[0].name)
				a.provided[g[0].name] = append(a.provided[g[0].name], r.name)
			}
			a.recs[r.name] = r
		}
	}
	for k := range a.provided {
		sort.Strings(a.provided[k])
	}
	return a
})

// known reports whether the archive has a package of that name.
func (a *archive) known(name string) bool {
	_, ok := a.lookupName(name)
	return ok
}

// lookupName finds a name's index in names.
func (a *archive) lookupName(name string) (int, bool) {
	i := sort.SearchStrings(a.names, name)
	return i, i < len(a.names) && a.names[i] == name
}

// rel is one alternative of a relation: "libc6 (>= 2.34)".
type rel struct {
	name, op, version string
}

// relGroup is a list of alternatives ("a | b").
type relGroup []rel

// parseRelations parses a Depends-style field. Architecture qualifiers (":any") are dropped.
func parseRelations(s string) []relGroup {
	var out []relGroup
	for _, group := range strings.Split(s, ",") {
		var g relGroup
		for _, alt := range strings.Split(group, "|") {
			alt = strings.TrimSpace(alt)
			if alt == "" {
				continue
			}
			r := rel{name: relName(alt)}
			if i := strings.IndexByte(alt, '('); i >= 0 {
				inner := strings.TrimSuffix(strings.TrimSpace(alt[i+1:]), ")")
				j := 0
				for j < len(inner) && strings.IndexByte("<>=", inner[j]) >= 0 {
					j++
				}
				r.op, r.version = inner[:j], strings.TrimSpace(inner[j:])
			}
			g = append(g, r)
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// splitRel returns each alternative's [name, op, version] (for the generator).
func splitRel(s string) [][3]string {
	var out [][3]string
	for _, g := range parseRelations(s) {
		for _, r := range g {
			out = append(out, [3]string{r.name, r.op, r.version})
		}
	}
	return out
}

// relName is the package name of one alternative ("libc6:any (>= 2.3)" -> "libc6").
func relName(alt string) string {
	alt = strings.TrimSpace(alt)
	if i := strings.IndexAny(alt, " (["); i >= 0 {
		alt = alt[:i]
	}
	alt, _, _ = strings.Cut(alt, ":")
	return alt
}

// dpkgVerCmp compares two Debian versions as dpkg does (epoch, upstream, revision; '~'
// sorts before everything, letters before non-letters).
func dpkgVerCmp(a, b string) int {
	ea, ua, ra := splitVersion(a)
	eb, ub, rb := splitVersion(b)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	if c := verRevCmp(ua, ub); c != 0 {
		return c
	}
	return verRevCmp(ra, rb)
}

func splitVersion(v string) (int, string, string) {
	epoch := 0
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, _ = strconv.Atoi(v[:i])
		v = v[i+1:]
	}
	rev := ""
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		v, rev = v[:i], v[i+1:]
	}
	return epoch, v, rev
}

func verOrder(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	case c == '~':
		return -1
	case c != 0:
		return int(c) + 256
	}
	return 0
}

func verRevCmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		firstDiff := 0
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			var ac, bc int
			if i < len(a) {
				ac = verOrder(a[i])
			}
			if j < len(b) {
				bc = verOrder(b[j])
			}
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		for i < len(a) && isDigit(a[i]) && j < len(b) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return sign(firstDiff)
		}
	}
	return 0
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
