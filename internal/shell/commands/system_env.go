package commands

import (
	"context"
	"io/fs"
	"sort"
	"strings"
)

// env, printenv, which, lsb_release and locale.

// bashEnvOrder sorts variable names in the order bash passes its environment to a child:
// bash walks its variable hash table (FNV-1 over the name, 1024 buckets) bucket by bucket.
func bashEnvOrder(names []string) {
	bucket := func(s string) uint32 {
		h := uint32(2166136261)
		for i := 0; i < len(s); i++ {
			h *= 16777619
			h ^= uint32(s[i])
		}
		return h & 1023
	}
	sort.SliceStable(names, func(i, j int) bool {
		bi, bj := bucket(names[i]), bucket(names[j])
		if bi != bj {
			return bi < bj
		}
		return names[i] < names[j]
	})
}

// environ lists the environment as the program sees it: bash's order, then "_" (the
// program's path), which bash appends last.
func (c *cmd) environ(prog string) []string {
	var names []string
	for k := range c.Env {
		if k != "_" {
			names = append(names, k)
		}
	}
	bashEnvOrder(names)
	out := make([]string, 0, len(names)+1)
	for _, k := range names {
		out = append(out, k+"="+c.Env[k])
	}
	if path, ok := c.lookPath(prog); ok {
		out = append(out, "_="+path)
	} else if v, ok := c.Env["_"]; ok {
		out = append(out, "_="+v)
	}
	return out
}

// lookPath finds a program in $PATH on the vfs, as which and execvp do.
func (c *cmd) lookPath(name string) (string, bool) {
	if strings.Contains(name, "/") {
		abs := c.abs(name)
		if c.isExecutable(abs) {
			return name, true
		}
		return "", false
	}
	p, ok := c.Env["PATH"]
	if !ok {
		p = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
	}
	for _, dir := range strings.Split(p, ":") {
		if dir == "" {
			dir = "."
		}
		full := strings.TrimSuffix(dir, "/") + "/" + name
		if c.isExecutable(c.abs(full)) {
			return full, true
		}
	}
	return "", false
}

func (c *cmd) isExecutable(abs string) bool {
	if c.FS == nil {
		return false
	}
	m, err := c.FS.Stat(abs)
	return err == nil && m.Mode.IsRegular() && m.Mode&fs.FileMode(0o111) != 0
}

func envCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	ignore := false
	nul := false
	var unset []string
	dir := ""
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if a == "-" || a == "-i" || a == "--ignore-environment" {
			ignore = true
			continue
		}
		if a == "-0" || a == "--null" {
			nul = true
			continue
		}
		if a == "--help" || a == "--version" {
			return c.sysHelp(strings.TrimPrefix(a, "--"), "env")
		}
		if a == "-u" || a == "--unset" {
			if i+1 >= len(args) {
				return c.usage(125, "option requires an argument -- 'u'")
			}
			i++
			unset = append(unset, args[i])
			continue
		}
		if strings.HasPrefix(a, "--unset=") {
			unset = append(unset, strings.TrimPrefix(a, "--unset="))
			continue
		}
		if a == "-C" || a == "--chdir" {
			if i+1 >= len(args) {
				return c.usage(125, "option requires an argument -- 'C'")
			}
			i++
			dir = args[i]
			continue
		}
		if strings.HasPrefix(a, "-u") && len(a) > 2 {
			unset = append(unset, a[2:])
			continue
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 && !strings.Contains(a, "=") {
			if strings.HasPrefix(a, "--") {
				return c.usage(125, "unrecognized option '%s'", a)
			}
			return c.usage(125, "invalid option -- '%c'", a[1])
		}
		break
	}
	var assigns []string
	for ; i < len(args) && strings.Contains(args[i], "=") && !strings.HasPrefix(args[i], "="); i++ {
		assigns = append(assigns, args[i])
	}
	rest := args[i:]
	env := map[string]string{}
	if !ignore {
		for k, v := range c.Env {
			env[k] = v
		}
	}
	for _, u := range unset {
		delete(env, u)
	}
	for _, a := range assigns {
		k, v, _ := strings.Cut(a, "=")
		env[k] = v
	}
	if len(rest) == 0 {
		saved := c.Env
		c.Env = env
		list := c.environ("env")
		c.Env = saved
		if ignore {
			// env -i builds a fresh environ in command-line order.
			list = list[:0]
			seen := map[string]bool{}
			for _, a := range assigns {
				k, _, _ := strings.Cut(a, "=")
				if !seen[k] {
					seen[k] = true
					list = append(list, k+"="+env[k])
				}
			}
		}
		end := "\n"
		if nul {
			end = "\x00"
		}
		for _, l := range list {
			c.print(l + end)
		}
		return c.done(0)
	}
	if c.Sub == nil {
		c.errorf("%s: No such file or directory", c.quoteLoc(rest[0]))
		return c.done(127)
	}
	if _, ok := c.lookPath(rest[0]); !ok {
		c.errorf("%s: No such file or directory", c.quoteLoc(rest[0]))
		return c.done(127)
	}
	var script strings.Builder
	if dir != "" {
		script.WriteString("cd " + sysQuoteWord(dir) + " && ")
	}
	for _, u := range unset {
		script.WriteString("unset " + sysQuoteWord(u) + "; ")
	}
	for _, a := range assigns {
		k, v, _ := strings.Cut(a, "=")
		script.WriteString(k + "=" + sysQuoteWord(v) + " ")
	}
	script.WriteString(sysQuoteWords(rest))
	c.flush()
	return c.runSub(script.String())
}

// runSub runs a script in a subshell with the program's own streams.
func (c *cmd) runSub(script string) int {
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	c.flush()
	return c.Sub(ctx, script, nil, c.Stdin, c.Stdout, c.Stderr)
}

// sysQuoteWord quotes s for a shell script.
func sysQuoteWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sysQuoteWords quotes each word and joins them.
func sysQuoteWords(w []string) string {
	q := make([]string, len(w))
	for i, s := range w {
		q[i] = sysQuoteWord(s)
	}
	return strings.Join(q, " ")
}

func printenvCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "0", Long: stdLong(longOpt{Name: "null", Key: "0"})}, 2)
	if !ok {
		return st
	}
	end := "\n"
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "printenv")
		case "0":
			end = "\x00"
		}
	}
	if len(ops) == 0 {
		for _, l := range c.environ("printenv") {
			c.print(l + end)
		}
		return c.done(0)
	}
	status := 0
	env := map[string]string{}
	for _, l := range c.environ("printenv") {
		k, v, _ := strings.Cut(l, "=")
		env[k] = v
	}
	for _, n := range ops {
		if v, ok := env[n]; ok && !strings.Contains(n, "=") {
			c.print(v + end)
		} else {
			status = 1
		}
	}
	return c.done(status)
}

func whichCmd(p *Proc) int {
	c := newCmd(p)
	all := false
	var names []string
	for i, a := range c.Args[1:] {
		if a == "-a" {
			all = true
			continue
		}
		if a == "--" {
			names = append(names, c.Args[i+2:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			c.errRaw("Illegal option " + a + "\nUsage: /usr/bin/which [-a] args\n")
			return c.done(2)
		}
		names = append(names, a)
	}
	if len(names) == 0 {
		return c.done(1)
	}
	status := 0
	for _, n := range names {
		found := false
		if strings.Contains(n, "/") {
			if c.isExecutable(c.abs(n)) {
				c.print(n + "\n")
				found = true
			}
		} else {
			path := c.Env["PATH"]
			for _, dir := range strings.Split(path, ":") {
				if dir == "" {
					dir = "."
				}
				full := dir + "/" + n
				if c.isExecutable(c.abs(full)) {
					c.print(full + "\n")
					found = true
					if !all {
						break
					}
				}
			}
		}
		if !found {
			status = 1
		}
	}
	return c.done(status)
}

// osRelease reads /etc/os-release (through /usr/lib/os-release) from the vfs.
func (c *cmd) osRelease() map[string]string {
	out := map[string]string{}
	s, ok := c.readText("/etc/os-release")
	if !ok {
		s, _ = c.readText("/usr/lib/os-release")
	}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	if out["PRETTY_NAME"] == "" {
		out["PRETTY_NAME"] = "Debian GNU/Linux 12 (bookworm)"
		out["NAME"] = "Debian GNU/Linux"
		out["VERSION_ID"] = "12"
		out["VERSION_CODENAME"] = "bookworm"
	}
	return out
}

func lsbReleaseCmd(p *Proc) int {
	c := newCmd(p)
	opts, _, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "vidrcash", Long: []longOpt{
		{Name: "version", Key: "v"}, {Name: "id", Key: "i"}, {Name: "description", Key: "d"},
		{Name: "release", Key: "r"}, {Name: "codename", Key: "c"}, {Name: "all", Key: "a"},
		{Name: "short", Key: "s"}, {Name: "help", Key: "h"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		return c.done(2)
	}
	want := map[string]bool{}
	short := false
	for _, o := range opts {
		switch o.Key {
		case "a":
			want["i"], want["d"], want["r"], want["c"] = true, true, true, true
		case "s":
			short = true
		case "h":
			c.print("Usage: lsb_release [options]\n\nOptions:\n  -h, --help         show this help message and exit\n  -v, --version      show LSB modules this system supports\n  -i, --id           show distributor ID\n  -d, --description  show description of this distribution\n  -r, --release      show release number of this distribution\n  -c, --codename     show code name of this distribution\n  -a, --all          show all of the above information\n  -s, --short        show requested information in short format\n")
			return c.done(0)
		default:
			want[o.Key] = true
		}
	}
	osr := c.osRelease()
	id := strings.Fields(osr["NAME"] + " Debian")[0]
	var vals []string
	add := func(key, label, v string) {
		if !want[key] {
			return
		}
		if short {
			vals = append(vals, v)
		} else {
			c.print(label + ":\t" + v + "\n")
		}
	}
	if want["v"] && !short {
		c.print("No LSB modules are available.\n")
	}
	add("i", "Distributor ID", id)
	add("d", "Description", osr["PRETTY_NAME"])
	add("r", "Release", osr["VERSION_ID"])
	add("c", "Codename", osr["VERSION_CODENAME"])
	if short && len(vals) > 0 {
		c.print(strings.Join(vals, " ") + "\n")
	}
	return c.done(0)
}

func localeCmd(p *Proc) int {
	c := newCmd(p)
	for _, a := range c.Args[1:] {
		switch a {
		case "-a", "--all-locales":
			c.print("C\nC.utf8\nPOSIX\n")
			return c.done(0)
		case "-m", "--charmaps":
			c.print("ANSI_X3.110-1983\nANSI_X3.4-1968\nUTF-8\n")
			return c.done(0)
		}
	}
	lang := c.Env["LANG"]
	all := c.Env["LC_ALL"]
	c.print("LANG=" + lang + "\n")
	c.print("LANGUAGE=" + c.Env["LANGUAGE"] + "\n")
	for _, cat := range []string{"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES",
		"LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION"} {
		v, set := c.Env[cat]
		switch {
		case all != "":
			c.print(cat + "=\"" + all + "\"\n")
		case set && v != "":
			c.print(cat + "=" + v + "\n")
		case lang != "":
			c.print(cat + "=\"" + lang + "\"\n")
		default:
			c.print(cat + "=\"POSIX\"\n")
		}
	}
	c.print("LC_ALL=" + all + "\n")
	return c.done(0)
}
