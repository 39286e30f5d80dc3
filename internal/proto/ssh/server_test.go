package ssh

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
)

func TestBannerAndAlgorithms(t *testing.T) {
	// Many connections in a row: the server tears closed ones down asynchronously, so the
	// per-IP limit (8) must not be what this test measures.
	ts := startServer(t, func(o *Options) { o.Config.MaxConnsPerIP = 100 })
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if line != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n" {
		t.Fatalf("banner %q", line)
	}
	// Each offered host-key algorithm must work end to end.
	for _, algo := range []string{"rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"} {
		cfg := clientConfig("root", testPassword)
		cfg.HostKeyAlgorithms = []string{algo}
		cl, err := gossh.Dial("tcp", ts.addr, cfg)
		if err != nil {
			t.Fatalf("%s: %v", algo, err)
		}
		cl.Close()
	}
	for _, kex := range kexAlgos {
		cfg := clientConfig("root", testPassword)
		cfg.KeyExchanges = []string{kex}
		cl, err := gossh.Dial("tcp", ts.addr, cfg)
		if err != nil {
			t.Fatalf("kex %s: %v", kex, err)
		}
		cl.Close()
	}
	cfg := clientConfig("root", testPassword)
	cfg.HostKeyAlgorithms = []string{"ssh-rsa"}
	if cl, err := gossh.Dial("tcp", ts.addr, cfg); err == nil {
		cl.Close()
		t.Fatal("server signed with ssh-rsa (SHA-1), which OpenSSH 9.2 no longer offers")
	}
}

func TestHostKeysPersist(t *testing.T) {
	dir := t.TempDir()
	k1, err := loadHostKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadHostKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519"}
	for i := range k1 {
		if k1[i].PublicKey().Type() != wantTypes[i] {
			t.Fatalf("key %d type %s", i, k1[i].PublicKey().Type())
		}
		if !bytes.Equal(k1[i].PublicKey().Marshal(), k2[i].PublicKey().Marshal()) {
			t.Fatalf("key %d changed between loads", i)
		}
	}
	for _, n := range []string{"ssh_host_rsa_key", "ssh_host_ecdsa_key", "ssh_host_ed25519_key"} {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", n, st.Mode(), err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, n))
		if !bytes.HasPrefix(b, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")) {
			t.Fatalf("%s is not in OpenSSH format", n)
		}
		if _, err := os.Stat(filepath.Join(dir, n+".pub")); err != nil {
			t.Fatal(err)
		}
	}
	if bits := k1[0].PublicKey().(gossh.CryptoPublicKey).CryptoPublicKey(); bits == nil {
		t.Fatal("no RSA key")
	}
}

func TestLoginEvents(t *testing.T) {
	ts := startServer(t, nil)
	if _, err := gossh.Dial("tcp", ts.addr, clientConfig("root", "wrong")); err == nil {
		t.Fatal("wrong password accepted")
	}
	c := dial(t, ts)
	_ = c
	f := ts.events.wait(t, event.LoginFailed, nil)
	if f.Fields["username"] != "root" || f.Fields["password"] != "wrong" || f.Message != "login attempt [root/wrong] failed" {
		t.Fatalf("failed event %+v", f)
	}
	s := ts.events.wait(t, event.LoginSuccess, nil)
	if s.Fields["password"] != testPassword || s.Protocol != "ssh" || s.Sensor != "test-sensor" || len(s.Session) != 12 || s.SrcIP != "127.0.0.1" || s.DstPort == 0 || s.SrcPort == 0 {
		t.Fatalf("success event %+v", s)
	}
	conn := ts.events.wait(t, event.SessionConnect, func(e event.Event) bool { return e.Session == s.Session })
	if !strings.HasPrefix(conn.Message, "New connection: 127.0.0.1:") || !strings.HasSuffix(conn.Message, "[session: "+s.Session+"]") {
		t.Fatalf("connect message %q", conn.Message)
	}
	v := ts.events.wait(t, event.ClientVersion, func(e event.Event) bool { return e.Session == s.Session })
	if !strings.HasPrefix(v.Fields["version"].(string), "SSH-2.0-Go") {
		t.Fatalf("version %v", v.Fields)
	}
	c.Close()
	cl := ts.events.wait(t, event.SessionClosed, func(e event.Event) bool { return e.Session == s.Session })
	if _, ok := cl.Fields["duration"].(float64); !ok {
		t.Fatalf("closed %+v", cl)
	}
}

func TestKeyboardInteractive(t *testing.T) {
	ts := startServer(t, nil)
	var prompts []string
	cfg := clientConfig("root", "")
	cfg.Auth = []gossh.AuthMethod{gossh.KeyboardInteractive(func(name, instr string, q []string, echo []bool) ([]string, error) {
		prompts = append(prompts, q...)
		if len(echo) != 1 || echo[0] {
			t.Errorf("echo flags %v", echo)
		}
		return []string{testPassword}, nil
	})}
	c, err := gossh.Dial("tcp", ts.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(prompts) != 1 || prompts[0] != "Password: " {
		t.Fatalf("prompts %q", prompts)
	}
}

func TestPublicKeyRefusedAndLogged(t *testing.T) {
	ts := startServer(t, nil)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientConfig("root", "")
	cfg.Auth = []gossh.AuthMethod{gossh.PublicKeys(signer)}
	if c, err := gossh.Dial("tcp", ts.addr, cfg); err == nil {
		c.Close()
		t.Fatal("public key accepted")
	}
	e := ts.events.wait(t, event.ClientFingerprint, nil)
	want := gossh.FingerprintSHA256(signer.PublicKey())
	if e.Fields["fingerprint"] != want || e.Fields["type"] != "ssh-ed25519" || e.Fields["username"] != "root" {
		t.Fatalf("fingerprint event %+v, want %s", e.Fields, want)
	}
	if !strings.HasPrefix(want, "SHA256:") {
		t.Fatal(want)
	}
}

func TestMaxAuthTries(t *testing.T) {
	ts := startServer(t, nil)
	cfg := clientConfig("root", "")
	tries := 0
	cfg.Auth = []gossh.AuthMethod{gossh.RetryableAuthMethod(gossh.PasswordCallback(func() (string, error) {
		tries++
		return "nope", nil
	}), 20)}
	_, err := gossh.Dial("tcp", ts.addr, cfg)
	if err == nil {
		t.Fatal("login succeeded")
	}
	if tries != 6 {
		t.Fatalf("client could try %d passwords, want 6", tries)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(ts.events.all(event.LoginFailed)); n != 6 {
		t.Fatalf("%d failed logins logged, want 6", n)
	}
}

func TestAuthFailDelayDoesNotBlockOthers(t *testing.T) {
	ts := startServer(t, func(o *Options) { o.Config.AuthFailDelay = config.Duration(2 * time.Second) })
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		c, err := gossh.Dial("tcp", ts.addr, clientConfig("root", "wrong"))
		if err == nil {
			c.Close()
		}
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	c := dial(t, ts) // must not wait for the other client's delay
	c.Close()
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("a good login took %v while another client was being delayed", d)
	}
	if err := <-errc; err == nil {
		t.Fatal("wrong password accepted")
	}
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Fatalf("failed password answered after %v; want about 2s (±25%%)", d)
	}
}

func TestAuthTimeout(t *testing.T) {
	ts := startServer(t, func(o *Options) { o.Config.AuthTimeout = config.Duration(300 * time.Millisecond) })
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.Copy(io.Discard, c)
	if err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

func TestPerIPLimit(t *testing.T) {
	ts := startServer(t, func(o *Options) { o.Config.MaxConnsPerIP = 2 })
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil || len(b) != 0 {
		t.Fatalf("third connection got %q, %v; want an immediate close", b, err)
	}
	e := ts.events.wait(t, event.SessionLimitRejected, nil)
	if e.Fields["reason"] != "max_conns_per_ip" || e.Fields["rejected_total"] != int64(1) {
		t.Fatalf("rejected event %+v", e.Fields)
	}
	// Once one of the held connections goes, the IP may connect again.
	held[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.HasPrefix(line, "SSH-2.0-") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("IP stayed blocked after a connection closed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kexInitPacket builds a client's first bytes by hand: version line, then an unencrypted
// binary packet holding a KEXINIT with the given lists.
func kexInitPacket(lists [10]string) []byte {
	var payload []byte
	payload = append(payload, msgKexInit)
	payload = append(payload, make([]byte, 16)...)
	for _, l := range lists {
		payload = binary.BigEndian.AppendUint32(payload, uint32(len(l)))
		payload = append(payload, l...)
	}
	payload = append(payload, 0, 0, 0, 0, 0)
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	var pkt []byte
	pkt = binary.BigEndian.AppendUint32(pkt, uint32(1+len(payload)+pad))
	pkt = append(pkt, byte(pad))
	pkt = append(pkt, payload...)
	pkt = append(pkt, make([]byte, pad)...)
	return pkt
}

func TestHASSHFromTheWire(t *testing.T) {
	ts := startServer(t, nil)
	// OpenSSH 9.2p1 client's proposal (ssh -vv output), split into the 10 lists.
	lists := [10]string{
		"sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com",
		"ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
		"chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
		"chacha20-poly1305@openssh.com,aes128-ctr",
		"umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
		"hmac-sha2-256",
		"none,zlib@openssh.com,zlib",
		"none",
		"",
		"",
	}
	// HASSH computed independently of the parser: md5 over "kex;enc;mac;comp" of the c->s lists.
	want := md5.Sum([]byte(lists[0] + ";" + lists[2] + ";" + lists[4] + ";" + lists[6]))
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(append([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"), kexInitPacket(lists)...)); err != nil {
		t.Fatal(err)
	}
	e := ts.events.wait(t, event.ClientKex, nil)
	if e.Fields["hassh"] != hex.EncodeToString(want[:]) {
		t.Fatalf("hassh %v, want %x", e.Fields["hassh"], want)
	}
	if got := e.Fields["kexAlgs"].([]string); len(got) != 12 || got[0] != "sntrup761x25519-sha512@openssh.com" {
		t.Fatalf("kexAlgs %v", got)
	}
	if got := e.Fields["langCS"].([]string); len(got) != 0 {
		t.Fatalf("langCS %v", got)
	}
	if got := e.Fields["compCS"].([]string); strings.Join(got, ",") != lists[6] {
		t.Fatalf("compCS %v", got)
	}
	v := ts.events.wait(t, event.ClientVersion, nil)
	if v.Fields["version"] != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" {
		t.Fatalf("version %v", v.Fields)
	}
}

func TestDirectTCPIPRefused(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	_, err := c.Dial("tcp", "10.1.2.3:8080")
	var oe *gossh.OpenChannelError
	if !errors.As(err, &oe) || oe.Reason != gossh.Prohibited || oe.Message != "open failed" {
		t.Fatalf("dial error %v", err)
	}
	e := ts.events.wait(t, event.DirectTCPIPRequest, nil)
	if e.Fields["dst_ip"] != "10.1.2.3" || e.Fields["dst_port"] != 8080 {
		t.Fatalf("event %+v", e.Fields)
	}
	if _, ok := e.Fields["src_port"]; !ok {
		t.Fatalf("no src_port in %+v", e.Fields)
	}
}

func TestEnvRequests(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Setenv("LANG", "C.UTF-8"); err != nil {
		t.Fatalf("LANG refused: %v", err)
	}
	if err := s.Setenv("FOO", "bar"); err == nil {
		t.Fatal("FOO accepted; Debian's sshd only accepts LANG and LC_*")
	}
	if err := s.Setenv("LC_ALL", "C"); err != nil {
		t.Fatalf("LC_ALL refused: %v", err)
	}
	e := ts.events.wait(t, event.ClientVar, func(e event.Event) bool { return e.Fields["name"] == "FOO" })
	if e.Fields["value"] != "bar" || e.Message != "request_env: FOO=bar" {
		t.Fatalf("var event %+v", e)
	}
	if ok, _ := s.SendRequest("x11-req", true, nil); ok {
		t.Fatal("unknown request accepted")
	}
}

func TestSFTP(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	wd, err := sc.Getwd()
	if err != nil || wd != "/root" {
		t.Fatalf("wd %q %v", wd, err)
	}
	payload := []byte("#!/bin/sh\necho owned\n")
	f, err := sc.Create("up.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// ".." cannot climb above the virtual root.
	f2, err := sc.Create("../../../../../../tmp/escape.txt")
	if err != nil {
		t.Fatal(err)
	}
	f2.Write([]byte("x"))
	f2.Close()
	if _, err := sc.Stat("/tmp/escape.txt"); err != nil {
		t.Fatalf("upload through .. did not land in the virtual /tmp: %v", err)
	}
	got, err := sc.Open("/root/up.sh")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got)
	got.Close()
	if !bytes.Equal(b, payload) {
		t.Fatalf("download %q", b)
	}
	r, _ := sc.Open("existing.txt")
	b, _ = io.ReadAll(r)
	if string(b) != "hello from the image\n" {
		t.Fatalf("image file %q", b)
	}
	ents, err := sc.ReadDir("/root")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "existing.txt,up.sh" {
		t.Fatalf("listing %v", names)
	}
	if err := sc.Mkdir("d"); err != nil {
		t.Fatal(err)
	}
	if err := sc.Rename("up.sh", "d/moved.sh"); err != nil {
		t.Fatal(err)
	}
	if err := sc.Remove("d/moved.sh"); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Stat("nope"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of a missing file: %v", err)
	}
	e := ts.events.wait(t, event.FileUpload, func(e event.Event) bool { return e.Fields["filename"] == "/root/up.sh" })
	sum := e.Fields["shasum"].(string)
	st, err := os.Stat(filepath.Join(ts.dir, "downloads", sum))
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("artifact: %v %v", st, err)
	}
	if e.Fields["outfile"] != filepath.Join(ts.dir, "downloads", sum) {
		t.Fatalf("outfile %v", e.Fields["outfile"])
	}
}

func TestSCPSinkAndSource(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)

	// Upload: play the client side of `scp -t /tmp` by hand.
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start("scp -t /tmp"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	expectAck := func() {
		t.Helper()
		b, err := br.ReadByte()
		if err != nil || b != 0 {
			line, _ := br.ReadString('\n')
			t.Fatalf("ack %d %v %q", b, err, line)
		}
	}
	expectAck()
	data := "payload via scp\n"
	io.WriteString(in, "C0755 16 drop.bin\n")
	expectAck()
	io.WriteString(in, data)
	in.Write([]byte{0})
	expectAck()
	in.Close()
	if err := s.Wait(); err != nil {
		t.Fatalf("scp -t exit: %v", err)
	}
	e := ts.events.wait(t, event.FileUpload, func(e event.Event) bool { return e.Fields["filename"] == "/tmp/drop.bin" })
	if _, err := os.Stat(filepath.Join(ts.dir, "downloads", e.Fields["shasum"].(string))); err != nil {
		t.Fatal(err)
	}
	ts.events.wait(t, event.CommandInput, func(e event.Event) bool { return e.Fields["input"] == "scp -t /tmp" })

	// Download it again with `scp -f`.
	s2, _ := c.NewSession()
	in2, _ := s2.StdinPipe()
	out2, _ := s2.StdoutPipe()
	if err := s2.Start("scp -f /tmp/drop.bin"); err != nil {
		t.Fatal(err)
	}
	br2 := bufio.NewReader(out2)
	in2.Write([]byte{0})
	hdr, err := br2.ReadString('\n')
	if err != nil || hdr != "C0755 16 drop.bin\n" {
		t.Fatalf("header %q %v", hdr, err)
	}
	in2.Write([]byte{0})
	buf := make([]byte, 17)
	if _, err := io.ReadFull(br2, buf); err != nil {
		t.Fatal(err)
	}
	if string(buf[:16]) != data || buf[16] != 0 {
		t.Fatalf("content %q", buf)
	}
	in2.Write([]byte{0})
	in2.Close()
	if err := s2.Wait(); err != nil {
		t.Fatalf("scp -f exit: %v", err)
	}

	// A missing file is reported as scp does and exits 1.
	s3, _ := c.NewSession()
	in3, _ := s3.StdinPipe()
	out3, _ := s3.StdoutPipe()
	s3.Start("scp -f /nope")
	in3.Write([]byte{0})
	line, _ := bufio.NewReader(out3).ReadString('\n')
	if line != "\x01scp: /nope: No such file or directory\n" {
		t.Fatalf("missing file: %q", line)
	}
	in3.Close()
	var ee *gossh.ExitError
	if err := s3.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Fatalf("exit %v", err)
	}
}

func TestParseSCP(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
		c  scpCmd
	}{
		{"scp -t /tmp", true, scpCmd{sink: true, paths: []string{"/tmp"}}},
		{"scp -v -r -p -t -- /tmp/x", true, scpCmd{sink: true, recursive: true, preserve: true, paths: []string{"/tmp/x"}}},
		{"scp -pf a b", true, scpCmd{source: true, preserve: true, paths: []string{"a", "b"}}},
		{"scp -t", false, scpCmd{}},
		{"scp -t -f x", false, scpCmd{}},
		{"scpx -t x", false, scpCmd{}},
		{"ls -t x", false, scpCmd{}},
	} {
		c, ok := parseSCP(tc.in)
		if ok != tc.ok {
			t.Errorf("%q: ok=%v", tc.in, ok)
			continue
		}
		if ok && (c.sink != tc.c.sink || c.source != tc.c.source || c.recursive != tc.c.recursive || c.preserve != tc.c.preserve || strings.Join(c.paths, "|") != strings.Join(tc.c.paths, "|")) {
			t.Errorf("%q: %+v", tc.in, c)
		}
	}
}

func TestShutdownEndsSessions(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	ts.cancel()
	select {
	case <-ts.done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel with a session open")
	}
	ts.done <- nil // let Cleanup's stop return
	e := ts.events.wait(t, event.LogClosed, nil)
	if _, err := os.Stat(e.Fields["ttylog"].(string)); err != nil {
		t.Fatalf("recording not on disk: %v", err)
	}
}

func TestMaxSessionsPerConnection(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	var sessions []*gossh.Session
	for i := 0; i < maxSessions; i++ {
		s, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		sessions = append(sessions, s)
	}
	if _, err := c.NewSession(); err == nil {
		t.Fatal("an 11th session channel was opened; OpenSSH's MaxSessions is 10")
	}
	sessions[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := c.NewSession()
		if err == nil {
			s.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("closing a session did not free its slot")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIdleTimeoutAfterLogin(t *testing.T) {
	ts := startServer(t, func(o *Options) { o.Config.IdleTimeout = config.Duration(300 * time.Millisecond) })
	c := dial(t, ts)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("idle logged-in connection was not closed")
	}
	ts.events.wait(t, event.SessionClosed, nil)
}

func TestListenAndServe(t *testing.T) {
	dir := t.TempDir()
	copyKeys(t, dir)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	srv, err := New(Options{Config: config.SSH{Listen: config.StringList{addr}}, DataDir: dir, Persona: testPersona()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Without configured credentials the default policy keeps its state in DATA_DIR/auth.
	if _, err := os.Stat(filepath.Join(dir, "auth", "secret")); err != nil {
		t.Fatal(err)
	}
}
