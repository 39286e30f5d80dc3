package shell

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// elfStub is the head of an executable in the test image.
const elfStub = "\x7fELF\x02\x01\x01\x00binary"

// testImage builds a small Debian-like tree: merged /usr, a few programs, users.
func testImage(t testing.TB, withLogin bool) *vfs.MemImage {
	img := vfs.NewMemImage()
	img.AddDir("/usr/bin", 0o755)
	img.AddDir("/usr/sbin", 0o755)
	img.AddDir("/usr/lib", 0o755)
	img.AddDir("/usr/local/bin", 0o755)
	img.AddSymlink("/bin", "usr/bin")
	img.AddSymlink("/sbin", "usr/sbin")
	img.AddSymlink("/lib", "usr/lib")
	for _, p := range []string{"ls", "cat", "echo", "head", "wc", "grep", "yes", "uname", "true",
		"false", "printf", "env", "sleep", "id", "sort", "tr", "seq", "bash", "sh", "dash", "tail", "kill", "test", "[", "pwd", "dircolors"} {
		img.AddFile("/usr/bin/"+p, elfStub, 0o755)
	}
	img.AddFile("/usr/sbin/sshd", elfStub, 0o755)
	img.AddFile("/usr/bin/python3", elfStub, 0o755)
	img.AddFile("/usr/bin/noemu", elfStub, 0o755)
	img.AddDir("/etc", 0o755)
	img.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"+
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"+
		"user:x:1000:1000:User,,,:/home/user:/bin/bash\n", 0o644)
	img.AddFile("/etc/hostname", "web01\n", 0o644)
	img.AddFile("/etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640)
	img.AddDir("/root", 0o700)
	img.Add("/home/user", vfs.Meta{Mode: fs.ModeDir | 0o755, UID: 1000, GID: 1000}, nil)
	img.AddDir("/tmp", 0o1777)
	img.AddDir("/var/log", 0o755)
	img.AddDir("/dev", 0o755)
	img.Add("/dev/null", vfs.Meta{Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666}, nil)
	img.AddFile("/etc/motd", "hello\n", 0o644)
	img.AddDir("/opt/app", 0o755)
	img.AddFile("/opt/app/run.sh", "#!/bin/sh\necho \"run $1\"\n", 0o755)
	img.AddFile("/opt/app/noexec.sh", "echo hi\n", 0o644)
	img.AddFile("/opt/app/data.txt", "alpha\nbeta\ngamma\n", 0o644)
	if withLogin {
		add := func(dst, src string, perm fs.FileMode) {
			data, err := os.ReadFile("testdata/debian/" + src)
			if err != nil {
				t.Fatal(err)
			}
			img.AddFile(dst, string(data), perm)
		}
		add("/etc/profile", "profile", 0o644)
		add("/etc/bash.bashrc", "bash.bashrc", 0o644)
		add("/root/.bashrc", "root.bashrc", 0o644)
		add("/root/.profile", "root.profile", 0o644)
		img.Add("/home/user/.bashrc", vfs.Meta{Mode: 0o644, UID: 1000, GID: 1000}, mustRead(t, "testdata/debian/skel.bashrc"))
		img.Add("/home/user/.profile", vfs.Meta{Mode: 0o644, UID: 1000, GID: 1000}, mustRead(t, "testdata/debian/skel.profile"))
		img.AddDir("/etc/profile.d", 0o755)
	}
	return img
}

func mustRead(t testing.TB, p string) []byte {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testRegistry has tiny programs, enough to exercise pipes and lookup.
func testRegistry() *commands.Registry {
	reg := commands.NewRegistry()
	reg.Register("cat", func(p *commands.Proc) int {
		if len(p.Args) == 1 {
			_, err := io.Copy(p.Stdout, p.Stdin)
			if err != nil {
				return 1
			}
			return 0
		}
		status := 0
		for _, a := range p.Args[1:] {
			if a == "-" {
				io.Copy(p.Stdout, p.Stdin)
				continue
			}
			ap := a
			if !strings.HasPrefix(ap, "/") {
				ap = p.Dir + "/" + a
			}
			data, err := p.FS.ReadFile(ap)
			if err != nil {
				io.WriteString(p.Stderr, "cat: "+a+": "+vfs.Strerror(err)+"\n")
				status = 1
				continue
			}
			if _, err := p.Stdout.Write(data); err != nil {
				return 1
			}
		}
		return status
	})
	reg.Register("yes", func(p *commands.Proc) int {
		s := "y\n"
		if len(p.Args) > 1 {
			s = strings.Join(p.Args[1:], " ") + "\n"
		}
		buf := []byte(strings.Repeat(s, 512))
		for {
			if _, err := p.Stdout.Write(buf); err != nil {
				return 1
			}
		}
	})
	reg.Register("head", func(p *commands.Proc) int {
		n := 10
		if len(p.Args) > 1 && strings.HasPrefix(p.Args[1], "-") {
			n = atoiDefault(strings.TrimPrefix(strings.TrimPrefix(p.Args[1], "-"), "n"), 10)
		}
		br := bufio.NewReader(p.Stdin)
		for i := 0; i < n; i++ {
			line, err := br.ReadString('\n')
			if line != "" {
				io.WriteString(p.Stdout, line)
			}
			if err != nil {
				break
			}
		}
		return 0
	})
	reg.Register("wc", func(p *commands.Proc) int {
		data, _ := io.ReadAll(p.Stdin)
		n := bytes.Count(data, []byte("\n"))
		if len(p.Args) > 1 && p.Args[1] == "-c" {
			n = len(data)
		}
		io.WriteString(p.Stdout, itoa(n)+"\n")
		return 0
	})
	reg.Register("grep", func(p *commands.Proc) int {
		if len(p.Args) < 2 {
			return 2
		}
		pat := p.Args[1]
		sc := bufio.NewScanner(p.Stdin)
		found := 1
		for sc.Scan() {
			if strings.Contains(sc.Text(), pat) {
				io.WriteString(p.Stdout, sc.Text()+"\n")
				found = 0
			}
		}
		return found
	})
	reg.Register("uname", func(p *commands.Proc) int {
		if len(p.Args) > 1 && p.Args[1] == "-a" {
			io.WriteString(p.Stdout, "Linux web01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n")
			return 0
		}
		io.WriteString(p.Stdout, "Linux\n")
		return 0
	})
	reg.Register("env", func(p *commands.Proc) int {
		keys := make([]string, 0, len(p.Env))
		for k := range p.Env {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			io.WriteString(p.Stdout, k+"="+p.Env[k]+"\n")
		}
		return 0
	})
	reg.Register("sleep", func(p *commands.Proc) int {
		d, _ := time.ParseDuration(p.Args[len(p.Args)-1] + "s")
		select {
		case <-time.After(d):
		case <-p.Ctx.Done():
			return 130
		}
		return 0
	})
	reg.Register("tty-check", func(p *commands.Proc) int {
		if p.StdoutTTY {
			io.WriteString(p.Stdout, "tty\n")
		} else {
			io.WriteString(p.Stdout, "notty\n")
		}
		return 0
	})
	reg.Register("bash", func(p *commands.Proc) int {
		if len(p.Args) > 2 && p.Args[1] == "-c" {
			args := p.Args[3:]
			if len(args) == 0 {
				args = []string{"bash"}
			}
			return p.Sub(p.Ctx, p.Args[2], args, p.Stdin, p.Stdout, p.Stderr)
		}
		return 0
	})
	reg.Register("panicky", func(p *commands.Proc) int { panic("boom") })
	return reg
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

type testOpts struct {
	interactive bool
	user        persona.User
	login       bool
	env         map[string]string
	limits      Limits
	tty         bool
	fallback    commands.Func
	sink        commands.Sink
	img         *vfs.MemImage
	fs          *vfs.FS
}

var rootUser = persona.User{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: "/bin/bash"}
var plainUser = persona.User{Name: "user", UID: 1000, GID: 1000, Home: "/home/user", Shell: "/bin/bash"}

func newTestShell(t testing.TB, o testOpts) *Shell {
	if o.user.Name == "" {
		o.user = rootUser
	}
	img := o.img
	if img == nil {
		img = testImage(t, o.login)
	}
	fsys := o.fs
	if fsys == nil {
		fsys = vfs.NewMemFS(img)
	}
	for _, c := range []string{"tty-check", "panicky"} {
		img.AddFile("/usr/bin/"+c, elfStub, 0o755)
	}
	p := &persona.Persona{Hostname: "web01", Image: img,
		Processes: []persona.Process{{PID: 1, User: "root", Command: "/sbin/init"}, {PID: 412, User: "root", Command: "/usr/sbin/sshd -D"}}}
	sess := &commands.Session{ID: "test", SrcIP: "192.0.2.1", Sink: o.sink}
	return New(Config{
		FS:          fsys,
		Persona:     p,
		User:        o.user,
		Commands:    testRegistry(),
		Session:     sess,
		Env:         o.env,
		Limits:      o.limits,
		Interactive: o.interactive,
		Responder:   funcResponder(o.fallback),
		TTY:         o.tty,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// run runs src and returns stdout, stderr and the status.
func run(t testing.TB, s *Shell, src string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	st := s.Run(context.Background(), src, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), st
}

func runIn(t testing.TB, s *Shell, src, stdin string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	st := s.Run(context.Background(), src, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), st
}

// recSink records events.
type recSink struct {
	mu     sync.Mutex
	events []string
	inputs []string
}

func (r *recSink) SaveFile(data []byte) (string, error) { return "", nil }
func (r *recSink) Event(id, msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, id+" "+msg)
	if in, ok := fields["input"].(string); ok {
		r.inputs = append(r.inputs, in)
	}
}
