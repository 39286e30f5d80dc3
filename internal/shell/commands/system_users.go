package commands

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Account management as shadow-utils 4.13 (Debian 12) does it: useradd, usermod, userdel,
// groupadd and groupdel edit /etc/passwd, /etc/shadow, /etc/group and /etc/gshadow in the
// session's vfs, leaving the previous version as passwd-, shadow-, ... as the real tools
// do, so `id`, `getent`, `ls -l` and later tools all see the same accounts.

// acctDB is the four account files as lines of colon-separated fields.
type acctDB struct {
	c       *cmd
	files   map[string][][]string // path -> lines -> fields
	changed map[string]bool
}

var acctPaths = []string{"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow"}

func (c *cmd) loadAcctDB() *acctDB {
	db := &acctDB{c: c, files: map[string][][]string{}, changed: map[string]bool{}}
	for _, p := range acctPaths {
		s, _ := c.readText(p)
		var lines [][]string
		for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			if l == "" {
				continue
			}
			lines = append(lines, strings.Split(l, ":"))
		}
		db.files[p] = lines
	}
	return db
}

// find returns the index of the entry named name in file p, or -1.
func (db *acctDB) find(p, name string) int {
	for i, f := range db.files[p] {
		if f[0] == name {
			return i
		}
	}
	return -1
}

// entry returns the fields of name in p (nil when missing).
func (db *acctDB) entry(p, name string) []string {
	if i := db.find(p, name); i >= 0 {
		return db.files[p][i]
	}
	return nil
}

func (db *acctDB) add(p string, fields ...string) {
	db.files[p] = append(db.files[p], fields)
	db.changed[p] = true
}

func (db *acctDB) remove(p, name string) bool {
	i := db.find(p, name)
	if i < 0 {
		return false
	}
	db.files[p] = append(db.files[p][:i:i], db.files[p][i+1:]...)
	db.changed[p] = true
	return true
}

// set changes field k of name's entry in p.
func (db *acctDB) set(p, name string, k int, v string) {
	if i := db.find(p, name); i >= 0 && k < len(db.files[p][i]) {
		db.files[p][i][k] = v
		db.changed[p] = true
	}
}

// ids lists the numeric ids in field k of p.
func (db *acctDB) ids(p string, k int) map[int]bool {
	out := map[int]bool{}
	for _, f := range db.files[p] {
		if k < len(f) {
			if n, err := strconv.Atoi(f[k]); err == nil {
				out[n] = true
			}
		}
	}
	return out
}

// members edits the member list (field 3 of group, field 3 of gshadow) of every group:
// fn gets the group name and its members and returns the new members.
func (db *acctDB) members(fn func(group string, mem []string) []string) {
	for _, p := range []string{"/etc/group", "/etc/gshadow"} {
		for i, f := range db.files[p] {
			if len(f) < 4 {
				continue
			}
			var mem []string
			for _, m := range strings.Split(f[3], ",") {
				if m != "" {
					mem = append(mem, m)
				}
			}
			nm := strings.Join(fn(f[0], mem), ",")
			if nm != f[3] {
				db.files[p][i][3] = nm
				db.changed[p] = true
			}
		}
	}
}

// save writes the changed files, keeping the previous content as FILE- (same mode and
// owner), as shadow-utils' commit does.
func (db *acctDB) save() error {
	for _, p := range acctPaths {
		if !db.changed[p] {
			continue
		}
		fsys := db.c.FS
		m, err := fsys.Stat(p)
		mode := fs.FileMode(0o644)
		if strings.Contains(p, "shadow") {
			mode = 0o640
		}
		if err == nil {
			mode = m.Mode.Perm()
			if old, err := fsys.ReadFile(p); err == nil {
				if err := fsys.WriteFile(p+"-", old, mode); err == nil {
					_ = fsys.Chmod(p+"-", mode)
					_ = fsys.Chown(p+"-", m.UID, m.GID)
				}
			}
		}
		var b strings.Builder
		for _, f := range db.files[p] {
			b.WriteString(strings.Join(f, ":"))
			b.WriteByte('\n')
		}
		if err := fsys.WriteFile(p, []byte(b.String()), mode); err != nil {
			return err
		}
	}
	return nil
}

// loginDefs reads a numeric setting of /etc/login.defs (def when absent).
func (c *cmd) loginDefs(key string, def int) int {
	s, _ := c.readText("/etc/login.defs")
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == key {
			v := f[1]
			base := 10
			if strings.HasPrefix(v, "0") && len(v) > 1 {
				base = 8
			}
			if n, err := strconv.ParseInt(v, base, 64); err == nil {
				return int(n)
			}
		}
	}
	return def
}

// validAcctName applies Debian's relaxed shadow name check.
func validAcctName(n string) bool {
	if n == "" || n == "." || n == ".." || len(n) > 32 || strings.ContainsAny(n, " \t\n:,/\\") ||
		strings.HasPrefix(n, "-") || strings.HasPrefix(n, "+") || strings.HasPrefix(n, "~") {
		return false
	}
	if _, err := strconv.Atoi(n); err == nil {
		return false
	}
	return true
}

// newID picks an id as shadow-utils' find_new_uid/gid do: for a regular account one above
// the highest used in [MIN, MAX], for a system account one below the lowest used in
// [SYS_MIN, SYS_MAX]. prefer is tried first when free (a user group takes its user's id).
func (c *cmd) newID(used map[int]bool, kind string, system bool, prefer int) int {
	if prefer > 0 && !used[prefer] {
		return prefer
	}
	if system {
		lo, hi := c.loginDefs("SYS_"+kind+"_MIN", 101), c.loginDefs("SYS_"+kind+"_MAX", c.loginDefs(kind+"_MIN", 1000)-1)
		low := hi + 1
		for id := range used {
			if id >= lo && id <= hi && id < low {
				low = id
			}
		}
		if low-1 >= lo {
			return low - 1
		}
		for id := hi; id >= lo; id-- {
			if !used[id] {
				return id
			}
		}
		return -1
	}
	lo, hi := c.loginDefs(kind+"_MIN", 1000), c.loginDefs(kind+"_MAX", 60000)
	top := lo - 1
	for id := range used {
		if id >= lo && id <= hi && id > top {
			top = id
		}
	}
	if top < hi {
		return top + 1
	}
	for id := lo; id <= hi; id++ {
		if !used[id] {
			return id
		}
	}
	return -1
}

// shellWarning prints usermod/useradd's warning for a login shell that is not there.
func (c *cmd) shellWarning(prog, shell string) {
	if shell == "" || shell == "/sbin/nologin" || shell == "/usr/sbin/nologin" || shell == "/bin/false" {
		return
	}
	if m, err := c.FS.Stat(shell); err != nil || !m.Mode.IsRegular() || m.Mode.Perm()&0o111 == 0 {
		c.errRaw(prog + ": Warning: missing or non-executable shell '" + shell + "'\n")
	}
}

// lockDenied is what shadow-utils prints when a non-root user tries to change accounts.
func (c *cmd) lockDenied(prog, file string, status int) int {
	c.errRaw(prog + ": Permission denied.\n" + prog + ": cannot lock " + file + "; try again later.\n")
	return c.done(status)
}

// copySkel copies /etc/skel into a new home as useradd -m does: modes and times kept,
// owned by the new user.
func (c *cmd) copySkel(src, dst string, uid, gid uint32, depth int) {
	ents, err := c.FS.ReadDir(src)
	if err != nil || depth > 8 {
		return
	}
	for _, m := range ents {
		s, d := src+"/"+m.Name, dst+"/"+m.Name
		switch {
		case m.Mode.IsDir():
			if c.FS.Mkdir(d, m.Mode.Perm()) == nil {
				c.copySkel(s, d, uid, gid, depth+1)
				_ = c.FS.Chmod(d, m.Mode.Perm())
			}
		case m.Mode&fs.ModeSymlink != 0:
			_ = c.FS.Symlink(m.Target, d)
		case m.Mode.IsRegular():
			b, err := c.FS.ReadFile(s)
			if err != nil || c.FS.WriteFile(d, b, m.Mode.Perm()) != nil {
				continue
			}
			_ = c.FS.Chmod(d, m.Mode.Perm())
		default:
			continue
		}
		_ = c.FS.Chown(d, uid, gid)
		if m.Mode&fs.ModeSymlink == 0 {
			_ = c.FS.Chtimes(d, m.ATime, m.MTime)
		}
	}
}

// userSpec is what useradd/adduser create.
type userSpec struct {
	name, home, shell, gecos, password string
	uid, gid                           int // -1: allocate
	groups                             []string
	createHome, system, noUserGroup    bool
	primaryGroup                       string
}

// createUser adds an account as useradd does; it returns an error text and exit status.
func (c *cmd) createUser(prog string, u userSpec) (string, int) {
	db := c.loadAcctDB()
	if db.entry("/etc/passwd", u.name) != nil {
		return fmt.Sprintf("%s: user '%s' already exists\n", prog, u.name), 9
	}
	for _, g := range u.groups {
		if db.entry("/etc/group", g) == nil && !isNumericGroup(db, g) {
			return fmt.Sprintf("%s: group '%s' does not exist\n", prog, g), 6
		}
	}
	gid := -1
	if u.primaryGroup != "" {
		if e := db.entry("/etc/group", u.primaryGroup); e != nil {
			gid, _ = strconv.Atoi(e[2])
		} else if n, err := strconv.Atoi(u.primaryGroup); err == nil && db.ids("/etc/group", 2)[n] {
			gid = n
		} else {
			return fmt.Sprintf("%s: group '%s' does not exist\n", prog, u.primaryGroup), 6
		}
	} else if u.noUserGroup {
		gid = c.loginDefs("USERS_GID", 100)
	} else if db.entry("/etc/group", u.name) != nil {
		return fmt.Sprintf("%s: group %s exists - if you want to add this user to that group, use -g.\n", prog, u.name), 9
	}
	uids := db.ids("/etc/passwd", 2)
	uid := u.uid
	if uid >= 0 {
		if uids[uid] {
			return fmt.Sprintf("%s: UID %d is not unique\n", prog, uid), 4
		}
	} else if uid = c.newID(uids, "UID", u.system, -1); uid < 0 {
		return fmt.Sprintf("%s: failed to get uid/gid for the new user\n", prog), 4
	}
	if gid < 0 {
		gid = c.newID(db.ids("/etc/group", 2), "GID", u.system, uid)
		db.add("/etc/group", u.name, "x", strconv.Itoa(gid), "")
		db.add("/etc/gshadow", u.name, "!", "", "")
	}
	home := u.home
	if home == "" {
		home = "/home/" + u.name
	}
	shell := u.shell
	if shell == "" {
		shell = c.useraddDefault("SHELL", "/bin/sh")
	}
	db.add("/etc/passwd", u.name, "x", strconv.Itoa(uid), strconv.Itoa(gid), u.gecos, home, shell)
	pw := u.password
	if pw == "" {
		pw = "!"
	}
	day := strconv.FormatInt(c.now().Unix()/86400, 10)
	if u.system {
		db.add("/etc/shadow", u.name, pw, day, "", "", "", "", "", "")
	} else {
		db.add("/etc/shadow", u.name, pw, day, strconv.Itoa(c.loginDefs("PASS_MIN_DAYS", 0)),
			strconv.Itoa(c.loginDefs("PASS_MAX_DAYS", 99999)), strconv.Itoa(c.loginDefs("PASS_WARN_AGE", 7)), "", "", "")
	}
	want := map[string]bool{}
	for _, g := range u.groups {
		want[g] = true
	}
	db.members(func(g string, mem []string) []string {
		if want[g] && !contains(mem, u.name) {
			mem = append(mem, u.name)
		}
		return mem
	})
	c.shellWarning(prog, shell)
	if err := db.save(); err != nil {
		return fmt.Sprintf("%s: cannot lock /etc/passwd; try again later.\n", prog), 1
	}
	if u.createHome {
		mode := fs.FileMode(0o777 &^ c.loginDefs("UMASK", 0o22))
		if hm := c.loginDefs("HOME_MODE", -1); hm >= 0 {
			mode = fs.FileMode(hm)
		}
		if _, err := c.FS.Stat(home); err == nil {
			return fmt.Sprintf("%s: warning: the home directory %s already exists.\n%s: Not copying any file from skel directory into it.\n", prog, home, prog), 0
		}
		if err := c.FS.MkdirAll(path.Dir(home), 0o755); err == nil && c.FS.Mkdir(home, mode) == nil {
			_ = c.FS.Chmod(home, mode)
			c.copySkel("/etc/skel", home, uint32(uid), uint32(gid), 0)
			_ = c.FS.Chown(home, uint32(uid), uint32(gid))
		}
	}
	return "", 0
}

func isNumericGroup(db *acctDB, g string) bool {
	n, err := strconv.Atoi(g)
	return err == nil && db.ids("/etc/group", 2)[n]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// useraddDefault reads /etc/default/useradd (SHELL=/bin/sh on Debian).
func (c *cmd) useraddDefault(key, def string) string {
	s, _ := c.readText("/etc/default/useradd")
	for _, l := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok && k == key && v != "" {
			return v
		}
	}
	return def
}

const useraddUsage = `Usage: useradd [options] LOGIN
       useradd -D
       useradd -D [options]

Options:
      --badname                 do not check for bad names
  -b, --base-dir BASE_DIR       base directory for the home directory of the
                                new account
      --btrfs-subvolume-home    use BTRFS subvolume for home directory
  -c, --comment COMMENT         GECOS field of the new account
  -d, --home-dir HOME_DIR       home directory of the new account
  -D, --defaults                print or change default useradd configuration
  -e, --expiredate EXPIRE_DATE  expiration date of the new account
  -f, --inactive INACTIVE       password inactivity period of the new account
  -F, --add-subids-for-system   add entries to sub[ud]id even when adding a system user
  -g, --gid GROUP               name or ID of the primary group of the new
                                account
  -G, --groups GROUPS           list of supplementary groups of the new
                                account
  -h, --help                    display this help message and exit
  -k, --skel SKEL_DIR           use this alternative skeleton directory
  -K, --key KEY=VALUE           override /etc/login.defs defaults
  -l, --no-log-init             do not add the user to the lastlog and
                                faillog databases
  -m, --create-home             create the user's home directory
  -M, --no-create-home          do not create the user's home directory
  -N, --no-user-group           do not create a group with the same name as
                                the user
  -o, --non-unique              allow to create users with duplicate
                                (non-unique) UID
  -p, --password PASSWORD       encrypted password of the new account
  -r, --system                  create a system account
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -s, --shell SHELL             login shell of the new account
  -u, --uid UID                 user ID of the new account
  -U, --user-group              create a group with the same name as the user
  -Z, --selinux-user SEUSER     use a specific SEUSER for the SELinux user mapping

`

func useraddCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "b:c:d:De:f:g:G:hk:K:lmMNop:rR:P:s:u:UZ:", Long: []longOpt{
		{Name: "base-dir", Arg: argRequired, Key: "b"}, {Name: "comment", Arg: argRequired, Key: "c"},
		{Name: "home-dir", Arg: argRequired, Key: "d"}, {Name: "defaults", Key: "D"},
		{Name: "expiredate", Arg: argRequired, Key: "e"}, {Name: "inactive", Arg: argRequired, Key: "f"},
		{Name: "gid", Arg: argRequired, Key: "g"}, {Name: "groups", Arg: argRequired, Key: "G"},
		{Name: "help", Key: "h"}, {Name: "skel", Arg: argRequired, Key: "k"}, {Name: "key", Arg: argRequired, Key: "K"},
		{Name: "no-log-init", Key: "l"}, {Name: "create-home", Key: "m"}, {Name: "no-create-home", Key: "M"},
		{Name: "no-user-group", Key: "N"}, {Name: "non-unique", Key: "o"}, {Name: "password", Arg: argRequired, Key: "p"},
		{Name: "system", Key: "r"}, {Name: "root", Arg: argRequired, Key: "R"}, {Name: "prefix", Arg: argRequired, Key: "P"},
		{Name: "shell", Arg: argRequired, Key: "s"}, {Name: "uid", Arg: argRequired, Key: "u"},
		{Name: "user-group", Key: "U"}, {Name: "selinux-user", Arg: argRequired, Key: "Z"}, {Name: "badname", Key: "badname"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(useraddUsage)
		return c.done(2)
	}
	u := userSpec{uid: -1, gid: -1}
	badname := false
	base := ""
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(useraddUsage)
			return c.done(0)
		case "b":
			base = o.Val
		case "c":
			u.gecos = o.Val
		case "d":
			u.home = o.Val
		case "g":
			u.primaryGroup = o.Val
		case "G":
			u.groups = strings.Split(o.Val, ",")
		case "m":
			u.createHome = true
		case "M":
			u.createHome = false
		case "N":
			u.noUserGroup = true
		case "p":
			u.password = o.Val
		case "r":
			u.system = true
		case "s":
			u.shell = o.Val
		case "u":
			n, err := strconv.Atoi(o.Val)
			if err != nil || n < 0 {
				c.errRaw("useradd: invalid user ID '" + o.Val + "'\n")
				return c.done(3)
			}
			u.uid = n
		case "badname":
			badname = true
		}
	}
	if len(ops) != 1 {
		c.errRaw(useraddUsage)
		return c.done(2)
	}
	if !c.isRoot() {
		return c.lockDenied("useradd", "/etc/passwd", 1)
	}
	u.name = ops[0]
	if !badname && !validAcctName(u.name) {
		c.errRaw("useradd: invalid user name '" + u.name + "': use --badname to ignore\n")
		return c.done(3)
	}
	if u.home == "" && base != "" {
		u.home = strings.TrimSuffix(base, "/") + "/" + u.name
	}
	msg, st := c.createUser("useradd", u)
	c.errRaw(msg)
	if st == 0 && u.password != "" {
		c.credentialEvent("useradd", u.name, u.password)
	}
	return c.done(st)
}

const usermodUsage = `Usage: usermod [options] LOGIN

Options:
  -a, --append                  append the user to the supplemental GROUPS
                                mentioned by the -G option without removing
                                the user from other groups
  -b, --badname                 allow bad names
  -c, --comment COMMENT         new value of the GECOS field
  -d, --home HOME_DIR           new home directory for the user account
  -e, --expiredate EXPIRE_DATE  set account expiration date to EXPIRE_DATE
  -f, --inactive INACTIVE       set password inactive after expiration
                                to INACTIVE
  -g, --gid GROUP               force use GROUP as new primary group
  -G, --groups GROUPS           new list of supplementary GROUPS
  -h, --help                    display this help message and exit
  -l, --login NEW_LOGIN         new value of the login name
  -L, --lock                    lock the user account
  -m, --move-home               move contents of the home directory to the
                                new location (use only with -d)
  -o, --non-unique              allow using duplicate (non-unique) UID
  -p, --password PASSWORD       use encrypted password for the new password
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -r, --remove                  remove the user from only the supplemental GROUPS
                                mentioned by the -G option without removing
                                the user from other groups
  -R, --root CHROOT_DIR         directory to chroot into
  -s, --shell SHELL             new login shell for the user account
  -u, --uid UID                 new UID for the user account
  -U, --unlock                  unlock the user account
  -v, --add-subuids FIRST-LAST  add range of subordinate uids
  -V, --del-subuids FIRST-LAST  remove range of subordinate uids
  -w, --add-subgids FIRST-LAST  add range of subordinate gids
  -W, --del-subgids FIRST-LAST  remove range of subordinate gids
  -Z, --selinux-user SEUSER     new SELinux user mapping for the user account

`

func usermodCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "abc:d:e:f:g:G:hl:Lmop:P:rR:s:u:Uv:V:w:W:Z:", Long: []longOpt{
		{Name: "append", Key: "a"}, {Name: "badname", Key: "b"}, {Name: "comment", Arg: argRequired, Key: "c"},
		{Name: "home", Arg: argRequired, Key: "d"}, {Name: "expiredate", Arg: argRequired, Key: "e"},
		{Name: "inactive", Arg: argRequired, Key: "f"}, {Name: "gid", Arg: argRequired, Key: "g"},
		{Name: "groups", Arg: argRequired, Key: "G"}, {Name: "help", Key: "h"}, {Name: "login", Arg: argRequired, Key: "l"},
		{Name: "lock", Key: "L"}, {Name: "move-home", Key: "m"}, {Name: "non-unique", Key: "o"},
		{Name: "password", Arg: argRequired, Key: "p"}, {Name: "prefix", Arg: argRequired, Key: "P"},
		{Name: "remove", Key: "r"}, {Name: "root", Arg: argRequired, Key: "R"}, {Name: "shell", Arg: argRequired, Key: "s"},
		{Name: "uid", Arg: argRequired, Key: "u"}, {Name: "unlock", Key: "U"}, {Name: "selinux-user", Arg: argRequired, Key: "Z"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(usermodUsage)
		return c.done(2)
	}
	for _, o := range opts {
		if o.Key == "h" {
			c.print(usermodUsage)
			return c.done(0)
		}
	}
	if len(ops) != 1 {
		c.errRaw(usermodUsage)
		return c.done(2)
	}
	if !c.isRoot() {
		return c.lockDenied("usermod", "/etc/passwd", 1)
	}
	name := ops[0]
	db := c.loadAcctDB()
	pw := db.entry("/etc/passwd", name)
	if pw == nil || len(pw) < 7 {
		c.errRaw(fmt.Sprintf("usermod: user '%s' does not exist\n", name))
		return c.done(6)
	}
	if len(opts) == 0 {
		c.print("usermod: no changes\n")
		return c.done(0)
	}
	var appendG, removeG bool
	var groups []string
	haveG := false
	newName := ""
	for _, o := range opts {
		switch o.Key {
		case "a":
			appendG = true
		case "r":
			removeG = true
		case "G":
			haveG = true
			groups = strings.Split(o.Val, ",")
		}
	}
	if (appendG || removeG) && !haveG {
		flag := "-a"
		if removeG {
			flag = "-r"
		}
		c.errRaw("usermod: " + flag + " flag is only allowed with the -G flag\n" + usermodUsage)
		return c.done(2)
	}
	for _, g := range groups {
		if db.entry("/etc/group", g) == nil && !isNumericGroup(db, g) {
			c.errRaw(fmt.Sprintf("usermod: group '%s' does not exist\n", g))
			return c.done(6)
		}
	}
	for _, o := range opts {
		switch o.Key {
		case "c":
			db.set("/etc/passwd", name, 4, o.Val)
		case "d":
			db.set("/etc/passwd", name, 5, o.Val)
		case "s":
			db.set("/etc/passwd", name, 6, o.Val)
			c.shellWarning("usermod", o.Val)
		case "g":
			gid := -1
			if e := db.entry("/etc/group", o.Val); e != nil {
				gid, _ = strconv.Atoi(e[2])
			} else if n, err := strconv.Atoi(o.Val); err == nil && db.ids("/etc/group", 2)[n] {
				gid = n
			}
			if gid < 0 {
				c.errRaw(fmt.Sprintf("usermod: group '%s' does not exist\n", o.Val))
				return c.done(6)
			}
			db.set("/etc/passwd", name, 3, strconv.Itoa(gid))
		case "u":
			n, err := strconv.Atoi(o.Val)
			if err != nil || n < 0 {
				c.errRaw("usermod: invalid user ID '" + o.Val + "'\n")
				return c.done(3)
			}
			if cur, _ := strconv.Atoi(pw[2]); n != cur && db.ids("/etc/passwd", 2)[n] {
				c.errRaw("usermod: UID '" + o.Val + "' already exists\n")
				return c.done(4)
			}
			db.set("/etc/passwd", name, 2, o.Val)
		case "p":
			db.set("/etc/shadow", name, 1, o.Val)
			c.credentialEvent("usermod", name, o.Val)
		case "L":
			if sh := db.entry("/etc/shadow", name); sh != nil && len(sh) > 1 && !strings.HasPrefix(sh[1], "!") {
				db.set("/etc/shadow", name, 1, "!"+sh[1])
			}
		case "U":
			if sh := db.entry("/etc/shadow", name); sh != nil && len(sh) > 1 && strings.HasPrefix(sh[1], "!") {
				if len(sh[1]) == 1 {
					c.errRaw("usermod: unlocking the user's password would result in a passwordless account.\nYou should set a password with usermod -p to unlock this user's password.\n")
					continue
				}
				db.set("/etc/shadow", name, 1, sh[1][1:])
			}
		case "l":
			if !validAcctName(o.Val) {
				c.errRaw("usermod: invalid user name '" + o.Val + "': use --badname to ignore\n")
				return c.done(3)
			}
			if o.Val != name && db.entry("/etc/passwd", o.Val) != nil {
				c.errRaw("usermod: user '" + o.Val + "' already exists\n")
				return c.done(9)
			}
			newName = o.Val
		}
	}
	if haveG {
		want := map[string]bool{}
		for _, g := range groups {
			want[g] = true
		}
		db.members(func(g string, mem []string) []string {
			has := contains(mem, name)
			switch {
			case removeG:
				if want[g] && has {
					return without(mem, name)
				}
			case appendG:
				if want[g] && !has {
					return append(mem, name)
				}
			default:
				if want[g] && !has {
					return append(mem, name)
				}
				if !want[g] && has {
					return without(mem, name)
				}
			}
			return mem
		})
	}
	// usermod rewrites passwd and shadow whatever it changed
	db.changed["/etc/passwd"], db.changed["/etc/shadow"] = true, true
	if newName != "" && newName != name {
		db.set("/etc/passwd", name, 0, newName)
		db.set("/etc/shadow", name, 0, newName)
		db.members(func(g string, mem []string) []string {
			for i, m := range mem {
				if m == name {
					mem[i] = newName
				}
			}
			return mem
		})
	}
	if err := db.save(); err != nil {
		return c.lockDenied("usermod", "/etc/passwd", 1)
	}
	return c.done(0)
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

const userdelUsage = `Usage: userdel [options] LOGIN

Options:
  -f, --force                   force some actions that would fail otherwise
                                e.g. removal of user still logged in
                                or files, even if not owned by the user
  -h, --help                    display this help message and exit
  -r, --remove                  remove home directory and mail spool
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -Z, --selinux-user            remove any SELinux user mapping for the user

`

func userdelCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "fhrR:P:Z", Long: []longOpt{
		{Name: "force", Key: "f"}, {Name: "help", Key: "h"}, {Name: "remove", Key: "r"},
		{Name: "root", Arg: argRequired, Key: "R"}, {Name: "prefix", Arg: argRequired, Key: "P"}, {Name: "selinux-user", Key: "Z"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(userdelUsage)
		return c.done(2)
	}
	remove := false
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(userdelUsage)
			return c.done(0)
		case "r":
			remove = true
		}
	}
	if len(ops) != 1 {
		c.errRaw(userdelUsage)
		return c.done(2)
	}
	name := ops[0]
	db := c.loadAcctDB()
	pw := db.entry("/etc/passwd", name)
	if pw == nil || len(pw) < 7 {
		c.errRaw(fmt.Sprintf("userdel: user '%s' does not exist\n", name))
		return c.done(6)
	}
	if !c.isRoot() {
		return c.lockDenied("userdel", "/etc/passwd", 1)
	}
	if name == c.userName() {
		// the session's own processes belong to it
		c.errRaw(fmt.Sprintf("userdel: user %s is currently used by process %d\n", name, c.shellPID()-7))
		return c.done(8)
	}
	gid := pw[3]
	home := pw[5]
	db.remove("/etc/passwd", name)
	db.remove("/etc/shadow", name)
	db.members(func(g string, mem []string) []string { return without(mem, name) })
	// The user's private group goes too, unless another account still uses it.
	if g := db.entry("/etc/group", name); g != nil && len(g) >= 4 && g[2] == gid && g[3] == "" {
		inUse := false
		for _, f := range db.files["/etc/passwd"] {
			if len(f) > 3 && f[3] == gid {
				inUse = true
			}
		}
		if !inUse {
			db.remove("/etc/group", name)
			db.remove("/etc/gshadow", name)
		}
	}
	if err := db.save(); err != nil {
		return c.lockDenied("userdel", "/etc/passwd", 1)
	}
	if remove {
		spool := "/var/mail/" + name
		if _, err := c.FS.Lstat(spool); err == nil {
			_ = c.FS.Remove(spool)
		} else {
			c.errRaw(fmt.Sprintf("userdel: %s mail spool (%s) not found\n", name, spool))
		}
		if m, err := c.FS.Stat(home); err == nil && m.Mode.IsDir() {
			if err := c.FS.RemoveAll(home); err != nil {
				c.errRaw(fmt.Sprintf("userdel: error removing directory %s\n", home))
				return c.done(12)
			}
		} else {
			c.errRaw(fmt.Sprintf("userdel: %s home directory (%s) not found\n", name, home))
		}
	}
	return c.done(0)
}

const groupaddUsage = `Usage: groupadd [options] GROUP

Options:
  -f, --force                   exit successfully if the group already exists,
                                and cancel -g if the GID is already used
  -g, --gid GID                 use GID for the new group
  -h, --help                    display this help message and exit
  -K, --key KEY=VALUE           override /etc/login.defs defaults
  -o, --non-unique              allow to create groups with duplicate
                                (non-unique) GID
  -p, --password PASSWORD       use this encrypted password for the new group
  -r, --system                  create a system account
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DI        directory prefix
  -U, --users USERS             list of user members of this group

`

func groupaddCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "fg:hK:op:rR:P:U:", Long: []longOpt{
		{Name: "force", Key: "f"}, {Name: "gid", Arg: argRequired, Key: "g"}, {Name: "help", Key: "h"},
		{Name: "key", Arg: argRequired, Key: "K"}, {Name: "non-unique", Key: "o"}, {Name: "password", Arg: argRequired, Key: "p"},
		{Name: "system", Key: "r"}, {Name: "root", Arg: argRequired, Key: "R"}, {Name: "prefix", Arg: argRequired, Key: "P"},
		{Name: "users", Arg: argRequired, Key: "U"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(groupaddUsage)
		return c.done(2)
	}
	var force, system, nonUnique bool
	gid := -1
	pass := "!"
	var users []string
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(groupaddUsage)
			return c.done(0)
		case "f":
			force = true
		case "r":
			system = true
		case "o":
			nonUnique = true
		case "p":
			pass = o.Val
		case "U":
			users = strings.Split(o.Val, ",")
		case "g":
			n, err := strconv.Atoi(o.Val)
			if err != nil || n < 0 {
				c.errRaw("groupadd: invalid group ID '" + o.Val + "'\n")
				return c.done(3)
			}
			gid = n
		}
	}
	if len(ops) != 1 {
		c.errRaw(groupaddUsage)
		return c.done(2)
	}
	name := ops[0]
	if !c.isRoot() {
		return c.lockDenied("groupadd", "/etc/group", 10)
	}
	if !validAcctName(name) {
		c.errRaw("groupadd: '" + name + "' is not a valid group name\n")
		return c.done(3)
	}
	db := c.loadAcctDB()
	if db.entry("/etc/group", name) != nil {
		if force {
			return c.done(0)
		}
		c.errRaw("groupadd: group '" + name + "' already exists\n")
		return c.done(9)
	}
	used := db.ids("/etc/group", 2)
	if gid >= 0 && used[gid] && !nonUnique {
		if !force {
			c.errRaw(fmt.Sprintf("groupadd: GID '%d' already exists\n", gid))
			return c.done(4)
		}
		gid = -1
	}
	if gid < 0 {
		if gid = c.newID(used, "GID", system, -1); gid < 0 {
			c.errRaw("groupadd: Can't get unique GID (no more available GIDs)\n")
			return c.done(4)
		}
	}
	for _, u := range users {
		if db.entry("/etc/passwd", u) == nil {
			c.errRaw("groupadd: Invalid member username " + u + "\n")
			return c.done(3)
		}
	}
	db.add("/etc/group", name, "x", strconv.Itoa(gid), strings.Join(users, ","))
	db.add("/etc/gshadow", name, pass, "", strings.Join(users, ","))
	if err := db.save(); err != nil {
		return c.lockDenied("groupadd", "/etc/group", 10)
	}
	return c.done(0)
}

const groupdelUsage = `Usage: groupdel [options] GROUP

Options:
  -h, --help                    display this help message and exit
  -R, --root CHROOT_DIR         directory to chroot into
  -P, --prefix PREFIX_DIR       prefix directory where are located the /etc/* files
  -f, --force                   delete group even if it is the primary group of a user

`

func groupdelCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "hR:P:f", Long: []longOpt{
		{Name: "help", Key: "h"}, {Name: "root", Arg: argRequired, Key: "R"}, {Name: "prefix", Arg: argRequired, Key: "P"},
		{Name: "force", Key: "f"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(groupdelUsage)
		return c.done(2)
	}
	force := false
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(groupdelUsage)
			return c.done(0)
		case "f":
			force = true
		}
	}
	if len(ops) != 1 {
		c.errRaw(groupdelUsage)
		return c.done(2)
	}
	name := ops[0]
	db := c.loadAcctDB()
	g := db.entry("/etc/group", name)
	if g == nil || len(g) < 3 {
		c.errRaw("groupdel: group '" + name + "' does not exist\n")
		return c.done(6)
	}
	if !c.isRoot() {
		return c.lockDenied("groupdel", "/etc/group", 10)
	}
	if !force {
		var users []string
		for _, f := range db.files["/etc/passwd"] {
			if len(f) > 3 && f[3] == g[2] {
				users = append(users, f[0])
			}
		}
		sort.Strings(users)
		if len(users) > 0 {
			c.errRaw("groupdel: cannot remove the primary group of user '" + users[0] + "'\n")
			return c.done(8)
		}
	}
	db.remove("/etc/group", name)
	db.remove("/etc/gshadow", name)
	if err := db.save(); err != nil {
		return c.lockDenied("groupdel", "/etc/group", 10)
	}
	return c.done(0)
}
