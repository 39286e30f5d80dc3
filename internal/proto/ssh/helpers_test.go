package ssh

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/artifact"
	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// eventLog collects emitted events for assertions.
type eventLog struct {
	mu  sync.Mutex
	evs []event.Event
}

func (l *eventLog) Emit(e event.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, e)
	l.mu.Unlock()
}

func (l *eventLog) all(id string) []event.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []event.Event
	for _, e := range l.evs {
		if e.EventID == id {
			out = append(out, e)
		}
	}
	return out
}

// wait returns the first event with id that matches ok, waiting up to 5 s.
func (l *eventLog) wait(t testing.TB, id string, ok func(event.Event) bool) event.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range l.all(id) {
			if ok == nil || ok(e) {
				return e
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s event (have %d events)", id, len(l.evs))
	return event.Event{}
}

type testServer struct {
	addr   string
	dir    string
	srv    *Server
	events *eventLog
	cancel context.CancelFunc
	done   chan error
}

const testPassword = "Winter2024!"

// testPersona is a tiny Debian-like host with the test programs installed.
func testPersona() *persona.Persona {
	img := vfs.NewMemImage()
	img.AddDir("/root", 0o700)
	img.AddDir("/tmp", 0o1777)
	img.AddDir("/usr/bin", 0o755)
	img.AddFile("/etc/motd", "\nThe programs included with the Debian GNU/Linux system are free software;\nthe exact distribution terms for each program are described in the\nindividual files in /usr/share/doc/*/copyright.\n\nDebian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\npermitted by applicable law.\n", 0o644)
	img.AddFile("/etc/hostname", "testhost\n", 0o644)
	img.AddFile("/root/existing.txt", "hello from the image\n", 0o644)
	for _, c := range []string{"tout", "terr", "tenv", "tread", "tsleep"} {
		img.AddFile("/usr/bin/"+c, "\x7fELF", 0o755)
	}
	return &persona.Persona{
		Hostname:  "testhost",
		SSHBanner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10",
		Kernel:    persona.Kernel{Sysname: "Linux", Release: "6.1.0-28-amd64", Version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", Machine: "x86_64"},
		BootTime:  time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		Image:     img,
	}
}

// testCommands are tiny programs the tests drive through the real shell.
func testCommands() *commands.Registry {
	r := commands.NewRegistry()
	r.Register("tout", func(p *commands.Proc) int {
		fmt.Fprintln(p.Stdout, "out:"+strings.Join(p.Args[1:], " "))
		return 0
	})
	r.Register("terr", func(p *commands.Proc) int {
		fmt.Fprintln(p.Stderr, "err:"+strings.Join(p.Args[1:], " "))
		return 3
	})
	r.Register("tenv", func(p *commands.Proc) int {
		fmt.Fprintf(p.Stdout, "LANG=%s FOO=%s TERM=%s TTY=%s\n", p.Env["LANG"], p.Env["FOO"], p.Env["TERM"], p.Session.TTY)
		return 0
	})
	r.Register("tread", func(p *commands.Proc) int {
		fmt.Fprint(p.Stdout, "New password: ")
		buf := make([]byte, 100)
		n, _ := p.Stdin.Read(buf)
		fmt.Fprintf(p.Stdout, "\ngot %q\n", buf[:n])
		return 0
	})
	r.Register("tsleep", func(p *commands.Proc) int {
		select {
		case <-p.Ctx.Done():
			return 130
		case <-time.After(10 * time.Second):
			return 0
		}
	})
	return r
}

// sharedKeys holds host keys made once for the whole test binary: RSA 3072 generation
// costs about a second, and every test server would otherwise make its own.
var sharedKeys string

func TestMain(m *testing.M) {
	if os.Getenv(holdClientsEnv) != "" {
		holdClients()
	}
	dir, err := os.MkdirTemp("", "lure-ssh-keys-")
	if err != nil {
		panic(err)
	}
	if _, err := loadHostKeys(dir); err != nil {
		panic(err)
	}
	sharedKeys = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func copyKeys(t testing.TB, dataDir string) {
	t.Helper()
	dst := filepath.Join(dataDir, "ssh")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(sharedKeys)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(sharedKeys, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func startServer(t testing.TB, mutate func(*Options)) *testServer {
	t.Helper()
	dir := t.TempDir()
	copyKeys(t, dir)
	ev := &eventLog{}
	store, err := artifact.New(dir+"/downloads", 0)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{
		Config: config.SSH{
			Credentials:   []config.Credential{{User: "root", Password: testPassword}},
			AuthFailDelay: -1,
		},
		Sensor:    "test-sensor",
		DataDir:   dir,
		Persona:   testPersona(),
		Commands:  testCommands(),
		Events:    ev,
		Artifacts: store,
	}
	if mutate != nil {
		mutate(&opt)
	}
	srv, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{addr: ln.Addr().String(), dir: dir, srv: srv, events: ev, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	ts.cancel()
	select {
	case <-ts.done:
	case <-time.After(10 * time.Second):
		panic("server did not stop within 10s")
	}
}

func clientConfig(user, password string) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            user,
		Auth:            []gossh.AuthMethod{gossh.Password(password)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	}
}

func dial(t testing.TB, ts *testServer) *gossh.Client {
	t.Helper()
	c, err := gossh.Dial("tcp", ts.addr, clientConfig("root", testPassword))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
