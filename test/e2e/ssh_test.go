package e2e

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runSSH runs the real ssh client through sshpass and returns stdout, stderr and the exit code.
func (l *lure) runSSH(t *testing.T, extra []string, command string) (string, string, int) {
	t.Helper()
	sshpass := need(t, "sshpass")
	need(t, "ssh")
	args := append([]string{"-p", password, "ssh"}, l.sshArgs(extra...)...)
	args = append(args, "-p", l.port(), "root@127.0.0.1", command)
	cmd := exec.Command(sshpass, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestExecWithOpenSSH(t *testing.T) {
	l := startLure(t)
	stdout, stderr, code := l.runSSH(t, nil, "uname -a; echo hi >&2; exit 3")
	if code != 3 {
		t.Fatalf("exit code %d (stderr %q)", code, stderr)
	}
	if !strings.HasPrefix(stdout, "Linux ") || !strings.HasSuffix(stdout, " GNU/Linux\n") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout %q", stdout)
	}
	if stderr != "hi\n" {
		t.Fatalf("stderr %q", stderr)
	}
	stdout, stderr, code = l.runSSH(t, nil, "nosuchcmd")
	if code != 127 || stdout != "" || stderr != "bash: line 1: nosuchcmd: command not found\n" {
		t.Fatalf("not found: %d %q %q", code, stdout, stderr)
	}

	// The JSON log has the whole story of the first connection, with Cowrie's fields.
	in := l.waitEvent(t, "cowrie.command.input", map[string]any{"input": "uname -a; echo hi >&2; exit 3"})
	sid := in["session"]
	for _, id := range []string{"cowrie.session.connect", "cowrie.client.version", "cowrie.client.kex", "cowrie.login.success", "cowrie.session.closed"} {
		e := l.waitEvent(t, id, map[string]any{"session": sid})
		for _, k := range []string{"eventid", "timestamp", "session", "src_ip", "src_port", "dst_ip", "dst_port", "sensor", "protocol", "message"} {
			if _, ok := e[k]; !ok {
				t.Errorf("%s lacks %s: %v", id, k, e)
			}
		}
		if e["protocol"] != "ssh" || e["sensor"] != "e2e" || e["src_ip"] != "127.0.0.1" {
			t.Errorf("%s common fields %v", id, e)
		}
	}
	v := l.waitEvent(t, "cowrie.client.version", map[string]any{"session": sid})
	if !strings.HasPrefix(v["version"].(string), "SSH-2.0-OpenSSH_9.2p1") {
		t.Errorf("client version %v", v["version"])
	}
	k := l.waitEvent(t, "cowrie.client.kex", map[string]any{"session": sid})
	if len(k["hassh"].(string)) != 32 || !strings.HasPrefix(k["hasshAlgorithms"].(string), "sntrup761x25519-sha512") {
		t.Errorf("kex %v", k)
	}
	s := l.waitEvent(t, "cowrie.login.success", map[string]any{"session": sid})
	if s["username"] != "root" || s["password"] != password {
		t.Errorf("login %v", s)
	}
}

// ptyClient runs `ssh -tt` on a pseudo-terminal, as a person would.
type ptyClient struct {
	t   *testing.T
	f   *os.File
	cmd *exec.Cmd
	mu  sync.Mutex
	out bytes.Buffer
}

func (l *lure) interactive(t *testing.T, extra ...string) *ptyClient {
	t.Helper()
	sshpass := need(t, "sshpass")
	need(t, "ssh")
	args := append([]string{"-p", password, "ssh", "-tt"}, l.sshArgs(extra...)...)
	args = append(args, "-p", l.port(), "root@127.0.0.1")
	cmd := exec.Command(sshpass, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	c := &ptyClient{t: t, f: f, cmd: cmd}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			c.mu.Lock()
			c.out.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); f.Close() })
	return c
}

func (c *ptyClient) expect(s string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		all := c.out.String()
		if i := strings.Index(all, s); i >= 0 {
			c.out.Reset()
			c.out.WriteString(all[i+len(s):])
			c.mu.Unlock()
			return all[:i+len(s)]
		}
		c.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("did not see %q; screen so far %q", s, c.out.String())
	return ""
}

func (c *ptyClient) send(s string) {
	if _, err := c.f.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func TestInteractiveWithOpenSSH(t *testing.T) {
	l := startLure(t)
	c := l.interactive(t)
	const prompt = "root@"
	banner := c.expect(":~# ")
	if !strings.HasPrefix(banner, "Linux ") || !strings.Contains(banner, "The programs included with the Debian GNU/Linux system are free software;") || !strings.Contains(banner, "Last login: ") || !strings.Contains(banner, prompt) {
		t.Fatalf("login screen %q", banner)
	}
	c.send("echo hello world\r")
	if got := c.expect(":~# "); !strings.Contains(got, "echo hello world\r\n\x1b[?2004l\rhello world\r\n") {
		t.Fatalf("echo %q", got)
	}
	c.send("cd /tmp; pwd\r")
	if got := c.expect(":/tmp# "); !strings.Contains(got, "/tmp\r\n") {
		t.Fatalf("cd %q", got)
	}
	c.send("half typed")
	c.expect("half typed")
	c.send("\x03")
	if got := c.expect(":/tmp# "); !strings.HasPrefix(got, "^C") {
		t.Fatalf("ctrl-c %q", got)
	}
	c.send("\x04")
	c.expect("logout\r\n")
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ssh exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ssh did not exit after Ctrl-D")
	}

	// The recording plays in asciinema and shows what the client saw.
	lc := l.waitEvent(t, "cowrie.log.closed", nil)
	cast := lc["ttylog"].(string)
	if filepath.Dir(cast) != filepath.Join(l.DataDir, "tty") {
		t.Fatalf("recording at %s", cast)
	}
	asciinema := need(t, "asciinema")
	cmd := exec.Command(asciinema, "cat", cast)
	var out bytes.Buffer
	cmd.Stdout = &out
	tty, err := pty.Start(cmd) // asciinema cat opens /dev/tty
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, tty)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("asciinema cat: %v", err)
	}
	tty.Close()
	for _, want := range []string{"The programs included with the Debian", "hello world\r\n", "/tmp\r\n", "^C", "logout\r\n"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("asciinema cat output lacks %q: %q", want, out.String())
		}
	}
	for _, want := range []string{"echo hello world", "cd /tmp; pwd"} {
		l.waitEvent(t, "cowrie.command.input", map[string]any{"input": want})
	}
	l.waitEvent(t, "cowrie.client.size", map[string]any{"width": float64(100), "height": float64(30)})
}

func TestSFTPAndSCPWithOpenSSH(t *testing.T) {
	l := startLure(t)
	sshpass := need(t, "sshpass")
	need(t, "sftp")
	need(t, "scp")
	local := t.TempDir()
	payload := []byte("#!/bin/sh\n# dropper\necho pwned\n")
	src := filepath.Join(local, "drop.sh")
	if err := os.WriteFile(src, payload, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(stdin, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(sshpass, append([]string{"-p", password, name}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	// sftp -b would force BatchMode (no password prompt for sshpass): commands go on stdin.
	run("put "+src+" /tmp/sftp.sh\nget /tmp/sftp.sh "+filepath.Join(local, "sftp-back")+"\n", "sftp", append(l.sshArgs("-P", l.port()), "root@127.0.0.1")...)
	run("", "scp", append(l.sshArgs("-P", l.port(), src), "root@127.0.0.1:/tmp/scp.sh")...)
	run("", "scp", append(l.sshArgs("-P", l.port(), "root@127.0.0.1:/tmp/scp.sh"), filepath.Join(local, "scp-back"))...)
	run("", "scp", append(l.sshArgs("-O", "-P", l.port(), src), "root@127.0.0.1:/tmp/legacy.sh")...)
	run("", "scp", append(l.sshArgs("-O", "-P", l.port(), "root@127.0.0.1:/tmp/legacy.sh"), filepath.Join(local, "legacy-back"))...)
	for _, f := range []string{"sftp-back", "scp-back", "legacy-back"} {
		b, err := os.ReadFile(filepath.Join(local, f))
		if err != nil || !bytes.Equal(b, payload) {
			t.Fatalf("%s: %q %v", f, b, err)
		}
	}
	for _, name := range []string{"/tmp/sftp.sh", "/tmp/scp.sh", "/tmp/legacy.sh"} {
		e := l.waitEvent(t, "cowrie.session.file_upload", map[string]any{"filename": name})
		p := filepath.Join(l.DataDir, "downloads", e["shasum"].(string))
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("artifact of %s: %v", name, err)
		}
		if st.Mode().Perm()&0o111 != 0 {
			t.Fatalf("artifact %s is executable: %v", p, st.Mode())
		}
		if b, _ := os.ReadFile(p); !bytes.Equal(b, payload) {
			t.Fatalf("artifact content %q", b)
		}
	}
}

func TestReconnectPersistence(t *testing.T) {
	l := startLure(t)
	if _, stderr, code := l.runSSH(t, nil, "echo kept > /tmp/persist.txt"); code != 0 {
		t.Fatalf("write: %d %q", code, stderr)
	}
	if out, _, code := l.runSSH(t, nil, "cat /tmp/persist.txt"); code != 0 || out != "kept\n" {
		t.Fatalf("same IP, next session: %d %q", code, out)
	}
	// Another source address has its own overlay.
	out, stderr, code := l.runSSH(t, []string{"-b", "127.0.0.2"}, "cat /tmp/persist.txt")
	if code != 1 || out != "" || stderr != "cat: /tmp/persist.txt: No such file or directory\n" {
		t.Fatalf("other IP saw the file: %d %q %q", code, out, stderr)
	}
	l.waitEvent(t, "cowrie.session.connect", map[string]any{"src_ip": "127.0.0.2"})
}
