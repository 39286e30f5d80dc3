package persona

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// accounts indexes the persona's users and groups. The first entry of a name or id wins,
// as with getpwnam and getpwuid on a file database.
type accounts struct {
	users       []User
	groups      []Group
	userByName  map[string]int
	userByUID   map[int]int
	groupByName map[string]int
	groupByGID  map[int]int
}

func newAccounts(users []User, groups []Group) *accounts {
	a := &accounts{
		users:       users,
		groups:      groups,
		userByName:  map[string]int{},
		userByUID:   map[int]int{},
		groupByName: map[string]int{},
		groupByGID:  map[int]int{},
	}
	for i, u := range users {
		if _, ok := a.userByName[u.Name]; !ok {
			a.userByName[u.Name] = i
		}
		if _, ok := a.userByUID[u.UID]; !ok {
			a.userByUID[u.UID] = i
		}
	}
	for i, g := range groups {
		if _, ok := a.groupByName[g.Name]; !ok {
			a.groupByName[g.Name] = i
		}
		if _, ok := a.groupByGID[g.GID]; !ok {
			a.groupByGID[g.GID] = i
		}
	}
	return a
}

func (a *accounts) userName(uid uint32) string {
	if i, ok := a.userByUID[int(uid)]; ok {
		return a.users[i].Name
	}
	return ""
}

func (a *accounts) groupName(gid uint32) string {
	if i, ok := a.groupByGID[int(gid)]; ok {
		return a.groups[i].Name
	}
	return ""
}

// parsePasswd reads /etc/passwd lines (name:x:uid:gid:gecos:home:shell), skipping
// malformed ones as glibc does.
func parsePasswd(data []byte) []User {
	var out []User
	for _, line := range lines(data) {
		f := strings.Split(line, ":")
		if len(f) != 7 || f[0] == "" {
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
			continue
		}
		out = append(out, User{Name: f[0], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]})
	}
	return out
}

// parseGroup reads /etc/group lines (name:x:gid:member,member).
func parseGroup(data []byte) []Group {
	var out []Group
	for _, line := range lines(data) {
		f := strings.Split(line, ":")
		if len(f) != 4 || f[0] == "" {
			continue
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil || gid < 0 {
			continue
		}
		g := Group{Name: f[0], GID: gid}
		for _, m := range strings.Split(f[3], ",") {
			if m != "" {
				g.Members = append(g.Members, m)
			}
		}
		out = append(out, g)
	}
	return out
}

func lines(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// parseOSRelease reads os-release(5) KEY=value lines, unquoting values.
func parseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	for _, l := range lines(data) {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
			if v != "" && strings.ContainsRune(v, '\\') {
				v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
			}
		}
		out[k] = v
	}
	return out
}

// parseDpkgStatus reads the stanzas of /var/lib/dpkg/status.
func parseDpkgStatus(data []byte) []Package {
	var out []Package
	var cur Package
	flush := func() {
		if cur.Name != "" {
			out = append(out, cur)
		}
		cur = Package{}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			flush()
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			cur.Name = v
		case "Version":
			cur.Version = v
		case "Architecture":
			cur.Architecture = v
		case "Status":
			cur.Status = v
		case "Description":
			cur.Description = v
		}
	}
	flush()
	return out
}

// sshBannerFor derives the banner Debian's sshd sends from the openssh-server package
// version: "1:9.2p1-2+deb12u10" becomes "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10".
func sshBannerFor(version string) (string, bool) {
	if _, v, ok := strings.Cut(version, ":"); ok {
		version = v
	}
	i := strings.LastIndexByte(version, '-')
	if i <= 0 || i == len(version)-1 {
		return "", false
	}
	return "SSH-2.0-OpenSSH_" + version[:i] + " Debian-" + version[i+1:], true
}

// parseProcVersion splits /proc/version ("Linux version REL (builder) (compiler) #1 SMP
// ...") into the release and version uname reports.
func parseProcVersion(s string) (release, version string, err error) {
	s = strings.TrimSpace(s)
	const lead = "Linux version "
	if !strings.HasPrefix(s, lead) {
		return "", "", fmt.Errorf("does not start with %q", lead)
	}
	rest := s[len(lead):]
	release, _, _ = strings.Cut(rest, " ")
	i := strings.Index(rest, " #")
	if release == "" || i < 0 {
		return "", "", fmt.Errorf("no release or no #build version in %q", s)
	}
	return release, rest[i+1:], nil
}

// parseCPUInfo counts the processors of /proc/cpuinfo and returns the first model name.
func parseCPUInfo(data []byte) (model string, cpus int) {
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			cpus++
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		}
	}
	return model, cpus
}

// meminfoField returns a kB field of /proc/meminfo.
func meminfoField(data []byte, name string) (int64, bool) {
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || k != name {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		return n, err == nil
	}
	return 0, false
}

// ParseDisks reads a disk table: one filesystem per line, in the order df lists them,
//
//	# device    mount      type      size_kb   used_kb   avail_kb
//	/dev/vda1   /          ext4      81987888  2961544   75651172
//
// Blank lines and lines starting with # are ignored; avail_kb may be omitted.
func ParseDisks(r io.Reader) ([]Disk, error) {
	var out []Disk
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 5 && len(f) != 6 {
			return nil, fmt.Errorf("line %d: want device, mount, type, size_kb, used_kb[, avail_kb], got %d fields", n, len(f))
		}
		d := Disk{Device: f[0], Mount: f[1], FSType: f[2]}
		nums := []*int64{&d.SizeKB, &d.UsedKB, &d.AvailKB}
		for i, s := range f[3:] {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("line %d: %q is not a size in kilobytes", n, s)
			}
			*nums[i] = v
		}
		if !strings.HasPrefix(d.Mount, "/") {
			return nil, fmt.Errorf("line %d: mount point %q is not absolute", n, d.Mount)
		}
		out = append(out, d)
	}
	return out, sc.Err()
}
