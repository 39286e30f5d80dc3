package commands

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/download"
	"github.com/lure-sensor/lure/internal/event"
)

const stamp = "2026-11-26 05:35:28"

func TestWgetOffline(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"wget", "http://example.com/x.sh"}, "",
		"--"+stamp+"--  http://example.com/x.sh\nResolving example.com (example.com)... failed: Temporary failure in name resolution.\nwget: unable to resolve host address 'example.com'\n", 4)
	e.expect([]string{"wget", "1.2.3.4/bins/mips"}, "",
		"--"+stamp+"--  http://1.2.3.4/bins/mips\nConnecting to 1.2.3.4:80... failed: Network is unreachable.\n", 4)
	e.expect([]string{"wget", "https://[2001:db8::1]:8443/a"}, "",
		"--"+stamp+"--  https://[2001:db8::1]:8443/a\nConnecting to [2001:db8::1]:8443... failed: Network is unreachable.\n", 4)
	e.expect([]string{"wget", "-q", "http://1.2.3.4/x"}, "", "", 4)
	e.expect([]string{"wget", "http://web-prod-03/"}, "",
		"--"+stamp+"--  http://web-prod-03/\nResolving web-prod-03 (web-prod-03)... 127.0.1.1\nConnecting to web-prod-03 (web-prod-03)|127.0.1.1|:80... failed: Connection refused.\n", 4)
	e.expect([]string{"wget"}, "", "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n", 1)
	e.expect([]string{"wget", "--bogus", "x"}, "", "wget: unrecognized option '--bogus'\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n", 2)
	e.env["LANG"] = "C.UTF-8"
	_, errs, _ := e.run("wget", "http://example.com/x.sh")
	if !strings.HasSuffix(errs, "wget: unable to resolve host address \u2018example.com\u2019\n") {
		t.Errorf("UTF-8 quotes: %q", errs)
	}
	fails := e.sink.byID(event.FileDownloadFailed)
	if len(fails) != 6 || fails[0].fields["url"] != "http://example.com/x.sh" || fails[0].fields["outfile"] != "/root/x.sh" ||
		fails[1].fields["url"] != "http://1.2.3.4/bins/mips" {
		t.Errorf("failed-download events: %+v", fails)
	}
}

func TestCurlOffline(t *testing.T) {
	e := newTestEnv(t)
	zero := "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
	e.expect([]string{"curl", "http://example.com/x"}, "", curlMeterHead+zero+"curl: (6) Could not resolve host: example.com\n", 6)
	e.expect([]string{"curl", "-s", "http://example.com/x"}, "", "", 6)
	e.expect([]string{"curl", "-sS", "http://example.com/x"}, "", "curl: (6) Could not resolve host: example.com\n", 6)
	e.expect([]string{"curl", "-s", "1.2.3.4"}, "", "", 7)
	e.expect([]string{"curl", "http://1.2.3.4/x"}, "", curlMeterHead+zero+zero+"\ncurl: (7) Failed to connect to 1.2.3.4 port 80 after 0 ms: Couldn't connect to server\n", 7)
	e.expect([]string{"curl"}, "", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2)
	e.expect([]string{"curl", "--bogus"}, "", "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2)
	// With the body going to the terminal there is no meter.
	e.tty = true
	e.expect([]string{"curl", "http://example.com/x"}, "", "curl: (6) Could not resolve host: example.com\n", 6)
	if n := len(e.sink.byID(event.FileDownloadFailed)); n != 6 {
		t.Errorf("%d failed-download events, want 6", n)
	}
}

var afterMS = regexp.MustCompile(`after \d+ ms`)

// meterRefresh is one redraw of curl's progress meter. Whether the real curl draws the meter
// at all, and how often, depends on timing: it redraws once per elapsed second, and a lookup
// that fails before the first progress tick prints no meter. So the comparisons below drop the
// meter and keep the error text; TestCurlOffline checks the meter itself.
var meterRefresh = regexp.MustCompile(`\r[ 0-9:.kMG%-]*`)

func normMeter(s string) string {
	// The error follows the last redraw on the same line: only the meter's characters go.
	s = strings.Replace(s, curlMeterHead, "", 1)
	return strings.ReplaceAll(meterRefresh.ReplaceAllString(s, ""), "\ncurl: (", "curl: (")
}

func TestNormMeter(t *testing.T) {
	bare := "curl: (6) Could not resolve host: x\n"
	for _, s := range []string{
		bare,
		curlMeterHead + "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0" + bare,
		curlMeterHead + "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\r  0     0    0     0    0     0      0      0 --:--:--  0:00:01 --:--:--     0\n" + bare,
	} {
		if got := normMeter(s); got != bare {
			t.Errorf("normMeter(%q) = %q, want %q", s, got, bare)
		}
	}
}

// TestOfflineErrorsMatchRealTools compares the emulation's failures with the real wget and
// curl on a name that cannot resolve and a loopback port nothing listens on.
func TestOfflineErrorsMatchRealTools(t *testing.T) {
	hosts, err := os.ReadFile("/etc/hosts")
	if err != nil {
		t.Skip("SKIPPED (not a pass): no /etc/hosts on this machine")
	}
	e := newTestEnv(t)
	if err := e.vfs().WriteFile("/etc/hosts", hosts, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/bin:/bin", "LANG=C", "HOME=/nonexistent"}
	norm := func(s string) string {
		s = regexp.MustCompile(`--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--`).ReplaceAllString(s, "--DATE--")
		return normMeter(afterMS.ReplaceAllString(s, "after N ms"))
	}
	for _, url := range []string{"http://127.0.0.1:1/x.sh", "127.0.0.1:1", "http://localhost:1/a/b", "http://[::1]:1/v6"} {
		want, wantErr, wantSt := hostRun(t, env, "wget", "--no-config", url)
		got, gotErr, gotSt := e.run("wget", url)
		if got != want || norm(gotErr) != norm(wantErr) || gotSt != wantSt {
			t.Errorf("wget %s:\n got  %q %d\n want %q %d", url, gotErr, gotSt, wantErr, wantSt)
		}
		for _, args := range [][]string{{url}, {"-s", url}, {"-sS", url}, {"-o", "out", url}} {
			want, wantErr, wantSt = hostRun(t, env, "curl", args...)
			got, gotErr, gotSt = e.run(append([]string{"curl"}, args...)...)
			if got != want || norm(gotErr) != norm(wantErr) || gotSt != wantSt {
				t.Errorf("curl %q:\n got  %q %d\n want %q %d", args, gotErr, gotSt, wantErr, wantSt)
			}
		}
	}
	// A name that does not resolve. The real tools run in a network namespace of their own with
	// no interfaces up (unshare -n), so the lookup fails at once as on a box without network and
	// no query ever leaves this machine (tests send traffic only to loopback).
	offline := func(tool string, args ...string) (string, string, int) {
		return hostRun(t, env, "unshare", append([]string{"-n", tool}, args...)...)
	}
	for _, args := range [][]string{{"http://lure-test.invalid/x"}, {"-sS", "http://lure-test.invalid/x"}} {
		want, wantErr, wantSt := offline("curl", args...)
		got, gotErr, gotSt := e.run(append([]string{"curl"}, args...)...)
		if got != want || normMeter(gotErr) != normMeter(wantErr) || gotSt != wantSt {
			t.Errorf("curl %q:\n got  %q %d\n want %q %d", args, gotErr, gotSt, wantErr, wantSt)
		}
	}
	want, wantErr, wantSt := offline("wget", "--no-config", "http://lure-test.invalid/x")
	got, gotErr, gotSt := e.run("wget", "http://lure-test.invalid/x")
	if got != want || norm(gotErr) != norm(wantErr) || gotSt != wantSt {
		t.Errorf("wget unresolvable:\n got  %q %d\n want %q %d", gotErr, gotSt, wantErr, wantSt)
	}
}

// TestOfflineMakesNoConnection proves that with downloads disabled nothing is dialled: a
// listener on loopback sees no connection while every network tool targets it.
func TestOfflineMakesNoConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	e := newTestEnv(t)
	for _, args := range [][]string{
		{"wget", "http://127.0.0.1:" + port + "/x.sh"}, {"wget", "http://localhost:" + port + "/"},
		{"curl", "http://127.0.0.1:" + port + "/"}, {"curl", "-O", "http://localhost:" + port + "/y"},
		{"nc", "127.0.0.1", port}, {"telnet", "127.0.0.1", port}, {"ping", "-c", "1", "127.0.0.1"},
	} {
		e.run(args...)
	}
	// Give a stray connection time to arrive; none may.
	time.Sleep(200 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the listener accepted %d connections with downloads disabled", n)
	}
	if n := len(e.sink.byID(event.FileDownloadFailed)); n != 4 {
		t.Errorf("%d failed-download events, want 4", n)
	}
}

func newPayloadServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		switch r.URL.Path {
		case "/x.sh":
			w.Header().Set("Content-Type", "text/x-sh")
			w.Write([]byte("#!/bin/sh\necho pwned\n"))
		case "/big.bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", "150000")
			w.Write([]byte(strings.Repeat("A", 150000)))
		case "/stream":
			// No Content-Length: Go's server sends it chunked.
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte(strings.Repeat("B", 60000)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestWgetWithDownloadsEnabled(t *testing.T) {
	srv := newPayloadServer(t, nil)
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	e := newTestEnv(t)
	e.sess.Net = download.New(download.Options{AllowPrivate: true})
	_, errs, st := e.run("wget", srv.URL+"/x.sh")
	body := "#!/bin/sh\necho pwned\n"
	if st != 0 || !strings.HasPrefix(errs, "--"+stamp+"--  "+srv.URL+"/x.sh\nConnecting to "+hostPort+"... connected.\n"+
		"HTTP request sent, awaiting response... 200 OK\nLength: 21 [text/x-sh]\nSaving to: 'x.sh'\n\n     0K                                                       100% ") ||
		!strings.HasSuffix(errs, " - 'x.sh' saved [21/21]\n\n") {
		t.Fatalf("wget: %d\n%s", st, errs)
	}
	if b, err := e.vfs().ReadFile("/root/x.sh"); err != nil || string(b) != body {
		t.Fatalf("saved file: %q %v", b, err)
	}
	sum := sha256.Sum256([]byte(body))
	sha := hex.EncodeToString(sum[:])
	ev := e.sink.byID(event.FileDownload)
	if len(ev) != 1 || ev[0].fields["url"] != srv.URL+"/x.sh" || ev[0].fields["shasum"] != sha ||
		ev[0].fields["destfile"] != "/root/x.sh" || ev[0].fields["outfile"] != "downloads/"+sha {
		t.Fatalf("download events: %+v", ev)
	}
	if len(e.sink.files) != 1 || string(e.sink.files[0]) != body {
		t.Fatalf("captured files: %q", e.sink.files)
	}
	// A second fetch does not clobber the first file.
	_, errs, _ = e.run("wget", srv.URL+"/x.sh")
	if !strings.Contains(errs, "Saving to: 'x.sh.1'\n") {
		t.Errorf("second wget:\n%s", errs)
	}
	out, errs, st := e.run("wget", "-qO-", srv.URL+"/x.sh")
	if out != body || errs != "" || st != 0 {
		t.Errorf("wget -qO-: %q %q %d", out, errs, st)
	}
	_, errs, st = e.run("wget", "-O", "/tmp/.b", srv.URL+"/big.bin")
	if st != 0 || !strings.Contains(errs, "Length: 150000 (146K) [application/octet-stream]\nSaving to: '/tmp/.b'\n\n     0K .......... .......... .......... .......... .......... 34% ") ||
		!strings.Contains(errs, "\n   100K .......... .......... .......... .......... ......    100% ") {
		t.Errorf("wget big:\n%s", errs)
	}
	_, errs, st = e.run("wget", srv.URL+"/missing")
	if st != 8 || !strings.HasSuffix(errs, "HTTP request sent, awaiting response... 404 Not Found\n"+stamp+" ERROR 404: Not Found.\n\n") {
		t.Errorf("wget 404: %d\n%s", st, errs)
	}
	if n := len(e.sink.byID(event.FileDownloadFailed)); n != 1 {
		t.Errorf("%d failed events after a 404", n)
	}
}

// TestWgetSuccessMatchesRealWget compares the lines of a successful download that do not
// depend on timing with the real wget fetching from the same server.
func TestWgetSuccessMatchesRealWget(t *testing.T) {
	srv := newPayloadServer(t, nil)
	e := newTestEnv(t)
	e.sess.Net = download.New(download.Options{AllowPrivate: true})
	norm := func(s string) string {
		s = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).ReplaceAllString(s, "DATE")
		s = regexp.MustCompile(`(?m)( *\d+%)? *[\d.]+[ KMG](=[\d.]+s| \d+s)?$`).ReplaceAllString(s, "$1 RATE")
		return regexp.MustCompile(`\([\d.]+ [KMG]?B/s\)`).ReplaceAllString(s, "(RATE)")
	}
	for _, path := range []string{"/x.sh", "/big.bin", "/stream", "/missing"} {
		want, wantErr, wantSt := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C", "HOME=/nonexistent"}, "wget", "--no-config", srv.URL+path)
		got, gotErr, gotSt := e.run("wget", srv.URL+path)
		if got != want || norm(gotErr) != norm(wantErr) || gotSt != wantSt {
			t.Errorf("wget %s:\n got\n%s%d\n want\n%s%d", path, norm(gotErr), gotSt, norm(wantErr), wantSt)
		}
	}
}

func TestCurlWithDownloadsEnabled(t *testing.T) {
	srv := newPayloadServer(t, nil)
	e := newTestEnv(t)
	e.sess.Net = download.New(download.Options{AllowPrivate: true})
	body := "#!/bin/sh\necho pwned\n"
	e.expect([]string{"curl", "-s", srv.URL + "/x.sh"}, body, "", 0)
	_, errs, st := e.run("curl", "-O", srv.URL+"/x.sh")
	if st != 0 || !strings.HasPrefix(errs, curlMeterHead+"\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\r100    21  100    21    0     0 ") {
		t.Errorf("curl -O: %d %q", st, errs)
	}
	if b, err := e.vfs().ReadFile("/root/x.sh"); err != nil || string(b) != body {
		t.Errorf("curl -O saved %q %v", b, err)
	}
	e.expect([]string{"curl", "-so", "/tmp/p", srv.URL + "/x.sh"}, "", "", 0)
	if b, _ := e.vfs().ReadFile("/tmp/p"); string(b) != body {
		t.Errorf("curl -o saved %q", b)
	}
	e.expect([]string{"curl", "-s", srv.URL + "/missing"}, "404 page not found\n", "", 0)
	e.expect([]string{"curl", "-sf", srv.URL + "/missing"}, "", "", 22)
	e.expect([]string{"curl", "-sSf", srv.URL + "/missing"}, "", "curl: (22) The requested URL returned error: 404\n", 22)
	if n := len(e.sink.byID(event.FileDownload)); n != 4 {
		t.Errorf("%d download events, want 4", n)
	}
}

func TestDownloadLimitsAndPolicy(t *testing.T) {
	var hits atomic.Int32
	srv := newPayloadServer(t, &hits)
	e := newTestEnv(t)
	e.sess.Net = download.New(download.Options{AllowPrivate: true, MaxBytes: 1000})
	_, errs, st := e.run("wget", srv.URL+"/big.bin")
	if st != 4 || !strings.Contains(errs, "Read error (Connection reset by peer) in headers.\nGiving up.\n") {
		t.Errorf("oversized download: %d\n%s", st, errs)
	}
	if _, err := e.vfs().Stat("/root/big.bin"); err == nil {
		t.Error("an oversized download was saved")
	}
	if n := len(e.sink.files); n != 0 {
		t.Errorf("%d files captured from an oversized download", n)
	}
	// Without AllowPrivate the operator's fetcher refuses loopback: the server sees nothing.
	before := hits.Load()
	e.sess.Net = download.New(download.Options{})
	_, errs, st = e.run("wget", srv.URL+"/x.sh")
	if st != 4 || !strings.Contains(errs, "... failed: Connection refused.\n") {
		t.Errorf("loopback with downloads enabled: %d\n%s", st, errs)
	}
	if hits.Load() != before {
		t.Error("the fetcher reached a loopback server without AllowPrivate")
	}
}

func TestPingNcTelnetIP(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"ping", "-c", "1", "example.com"}, "", "ping: example.com: Temporary failure in name resolution\n", 2)
	e.expect([]string{"ping", "-c", "1", "8.8.8.8"}, "", "ping: connect: Network is unreachable\n", 2)
	out, _, st := e.run("ping", "-c", "2", "-i", "0.2", "localhost")
	if st != 0 || !strings.HasPrefix(out, "PING localhost (127.0.0.1) 56(84) bytes of data.\n64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=") ||
		!strings.Contains(out, "\n--- localhost ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time ") {
		t.Errorf("ping localhost:\n%s", out)
	}
	e.expect([]string{"nc", "1.2.3.4", "80"}, "", "nc: connect to 1.2.3.4 port 80 (tcp) failed: Network is unreachable\n", 1)
	e.expect([]string{"nc", "example.com", "80"}, "", "nc: getaddrinfo for host \"example.com\" port 80: Temporary failure in name resolution\n", 1)
	e.expect([]string{"telnet", "1.2.3.4", "23"}, "Trying 1.2.3.4...\n", "telnet: Unable to connect to remote host: Network is unreachable\n", 1)
	ip := e.run
	out, _, _ = ip("ip", "addr")
	addr := (&cmd{Proc: &Proc{FS: e.vfs(), Persona: e.per}}).hostIPv4().String()
	if !strings.Contains(out, "    inet "+addr+"/24 brd ") || !strings.Contains(out, "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500") {
		t.Errorf("ip addr:\n%s", out)
	}
	hostI, _, _ := e.run("hostname", "-I")
	ifc, _, _ := e.run("ifconfig")
	if hostI != addr+" \n" || !strings.Contains(ifc, "        inet "+addr+"  netmask 255.255.255.0  broadcast ") {
		t.Errorf("hostname -I %q and ifconfig disagree with ip addr %s:\n%s", hostI, addr, ifc)
	}
	// The persona's own address is reachable, as a listening-nothing port.
	e.expect([]string{"nc", addr, "22"}, "", "nc: connect to "+addr+" port 22 (tcp) failed: Connection refused\n", 1)
}

func TestWgetHuman(t *testing.T) {
	for n, want := range map[int64]string{1024: "1.0K", 1234: "1.2K", 150000: "146K", 10240: "10K", 5 << 20: "5.0M", 123456789: "118M"} {
		if got := wgetHuman(n); got != want {
			t.Errorf("wgetHuman(%d) = %q, want %q", n, got, want)
		}
	}
	if got := curlMax5(150000); got != " 146k" {
		t.Errorf("curlMax5(150000) = %q", got)
	}
}
