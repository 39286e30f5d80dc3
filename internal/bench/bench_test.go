package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func checkOrdered(t *testing.T, name string, p Percentiles) {
	t.Helper()
	if !(p.P50 > 0 && p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.Max) {
		t.Errorf("%s latency percentiles not ordered or empty: %+v", name, p)
	}
}

func TestRunAgainstTestServer(t *testing.T) {
	srv := startTestServer(t, "bench", "s3cret", 0, 0)
	var mu sync.Mutex
	seen := map[string]bool{}
	res, err := Run(context.Background(), Config{
		Target: srv.addr, User: "bench", Password: "s3cret",
		Conns: 2, Duration: time.Second, Command: "uname -a",
		ProgressInterval: 50 * time.Millisecond,
		Progress: func(p Progress) {
			mu.Lock()
			seen[p.Phase] = true
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors against a healthy server: %v %v", res.Errors, res.ErrorExamples)
	}
	for name, ph := range map[string]Phase{"handshakes": res.Handshakes, "logins": res.Logins, "commands": res.Commands} {
		if ph.Count == 0 {
			t.Errorf("%s: count 0", name)
		}
		// A third of 1s, plus whatever the last operation in flight needed to finish.
		if ph.Seconds < (time.Second / 3).Seconds() {
			t.Errorf("%s: phase seconds %v, want at least a third of 1s", name, ph.Seconds)
		}
		if want := float64(ph.Count) / ph.Seconds; ph.PerSecond != want {
			t.Errorf("%s: per_second %v, want count/seconds = %v", name, ph.PerSecond, want)
		}
		checkOrdered(t, name, ph.LatencyMS)
	}
	// Every counted command received the server's "ok\n", and was answered by the server.
	if res.Commands.StdoutBytes != 3*res.Commands.Count {
		t.Errorf("stdout bytes %d for %d commands, want 3 each", res.Commands.StdoutBytes, res.Commands.Count)
	}
	if got := srv.execs.Load(); got < int64(res.Commands.Count) {
		t.Errorf("server answered %d execs, bench counted %d", got, res.Commands.Count)
	}
	// Logins are counted in the login phase plus one per command connection.
	if got := srv.auths.Load(); got < int64(res.Logins.Count)+2 {
		t.Errorf("server saw %d logins, bench counted %d plus 2 command connections", got, res.Logins.Count)
	}
	if res.ServerVersion != "SSH-2.0-benchtest_1.0" {
		t.Errorf("server version %q", res.ServerVersion)
	}
	if res.Interrupted {
		t.Error("interrupted without cancellation")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range []string{"handshake", "login", "command"} {
		if !seen[p] {
			t.Errorf("no progress report during the %s phase (saw %v)", p, seen)
		}
	}
}

func TestRunWrongPassword(t *testing.T) {
	srv := startTestServer(t, "bench", "right", 0, 0)
	res, err := Run(context.Background(), Config{
		Target: srv.addr, User: "bench", Password: "wrong",
		Conns: 2, Duration: time.Second, Command: "true",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Handshakes.Count == 0 {
		t.Error("handshakes need no password but none succeeded")
	}
	if res.Logins.Count != 0 || res.Commands.Count != 0 {
		t.Errorf("logins %d commands %d with a wrong password", res.Logins.Count, res.Commands.Count)
	}
	if res.Errors[KindAuth] == 0 || res.Logins.Errors == 0 {
		t.Errorf("auth errors not counted: %v", res.Errors)
	}
	if !strings.Contains(res.ErrorExamples[KindAuth], "unable to authenticate") {
		t.Errorf("auth example %q", res.ErrorExamples[KindAuth])
	}
	if res.ServerVersion != "" {
		t.Errorf("server version %q known without a login", res.ServerVersion)
	}
}

func TestRunExitStatus(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 1, 0)
	res, err := Run(context.Background(), Config{
		Target: srv.addr, User: "bench", Password: "pw",
		Conns: 1, Duration: time.Second, Command: "false",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commands.Count != 0 || res.Errors[KindExitStatus] == 0 {
		t.Errorf("commands %d, errors %v: non-zero exits must be errors", res.Commands.Count, res.Errors)
	}
	if res.Logins.Count == 0 {
		t.Error("logins failed")
	}
}

// A server slower than a phase is still measured: operations in flight when the time is up finish
// and count, and the phase lasts until they did.
func TestRunSlowServerFinishesInFlight(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 0, 600*time.Millisecond) // longer than a 333 ms phase
	res, err := Run(context.Background(), Config{
		Target: srv.addr, User: "bench", Password: "pw", Conns: 2, Duration: time.Second, Command: "sleep",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commands.Count < 2 {
		t.Fatalf("commands %d: in-flight commands were discarded (errors %v)", res.Commands.Count, res.Errors)
	}
	if res.Commands.LatencyMS.P50 < 600 {
		t.Errorf("command p50 %vms is below the server's 600ms delay", res.Commands.LatencyMS.P50)
	}
	if res.Commands.Seconds < 0.6 {
		t.Errorf("command phase %vs, but its commands took 600ms", res.Commands.Seconds)
	}
	if want := float64(res.Commands.Count) / res.Commands.Seconds; res.Commands.PerSecond != want {
		t.Errorf("per_second %v, want %v", res.Commands.PerSecond, want)
	}
}

func TestRunConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	res, err := Run(context.Background(), Config{
		Target: addr, User: "u", Password: "p", Conns: 2, Duration: time.Second, Command: "id",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Handshakes.Count+res.Logins.Count+res.Commands.Count != 0 {
		t.Errorf("successes against a closed port: %+v", res)
	}
	if res.Errors[KindConnect] == 0 {
		t.Errorf("connect errors not counted: %v", res.Errors)
	}
	// The backoff keeps a refusing target from becoming a busy loop: at most ~1 try per 10 ms per
	// worker per phase, plus the command phase's setup logins.
	if n := res.Errors[KindConnect]; n > 2*100+2 {
		t.Errorf("%d connect errors in 1s with 2 workers: no backoff", n)
	}
}

func TestRunInterrupted(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 0, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, Config{
		Target: srv.addr, User: "bench", Password: "pw", Conns: 2, Duration: 3 * time.Second, Command: "id",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Error("not marked interrupted")
	}
	if res.Handshakes.Seconds >= 1 {
		t.Errorf("handshake phase ran %vs of 1s despite cancellation at 0.3s", res.Handshakes.Seconds)
	}
	if res.Logins.Seconds != 0 || res.Commands.Seconds != 0 {
		t.Errorf("later phases ran after cancellation: %+v %+v", res.Logins, res.Commands)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	good := Config{Target: "127.0.0.1:22", User: "u", Conns: 1, Duration: time.Second, Command: "id"}
	for name, mut := range map[string]func(*Config){
		"no target":    func(c *Config) { c.Target = "" },
		"no port":      func(c *Config) { c.Target = "127.0.0.1" },
		"no user":      func(c *Config) { c.User = "" },
		"zero conns":   func(c *Config) { c.Conns = 0 },
		"many conns":   func(c *Config) { c.Conns = MaxConns + 1 },
		"short":        func(c *Config) { c.Duration = time.Millisecond },
		"long":         func(c *Config) { c.Duration = time.Hour },
		"no command":   func(c *Config) { c.Command = " " },
		"huge command": func(c *Config) { c.Command = strings.Repeat("x", MaxCommandSize+1) },
		"tiny timeout": func(c *Config) { c.Timeout = time.Millisecond },
	} {
		c := good
		mut(&c)
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := good
	if err := c.Validate(); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	if c.Timeout != 10*time.Second || c.ProgressInterval != time.Second {
		t.Errorf("defaults not filled: timeout %v interval %v", c.Timeout, c.ProgressInterval)
	}
}

func TestCommandJSON(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 0, 0)
	var stdout, stderr bytes.Buffer
	rc := Command(context.Background(), []string{"ssh", "--target", srv.addr, "--user", "bench", "--password", "pw",
		"--conns", "2", "--duration", "1s", "--command", "uname -a", "--json"}, &stdout, &stderr)
	if rc != 0 {
		t.Fatalf("exit %d, stderr:\n%s", rc, stderr.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	for key, want := range map[string]any{
		"target": srv.addr, "server_version": "SSH-2.0-benchtest_1.0", "user": "bench",
		"command": "uname -a", "conns": 2.0, "duration_seconds": 1.0, "interrupted": false,
	} {
		if doc[key] != want {
			t.Errorf("%s = %#v, want %#v", key, doc[key], want)
		}
	}
	for _, key := range []string{"errors", "error_examples"} {
		if _, ok := doc[key].(map[string]any); !ok {
			t.Errorf("%s is %T, want an object", key, doc[key])
		}
	}
	for _, phase := range []string{"handshakes", "logins", "commands"} {
		ph, ok := doc[phase].(map[string]any)
		if !ok {
			t.Errorf("%s is %T, want an object", phase, doc[phase])
			continue
		}
		for _, k := range []string{"count", "errors", "seconds", "per_second", "stdout_bytes"} {
			if _, ok := ph[k].(float64); !ok {
				t.Errorf("%s.%s is %T, want a number", phase, k, ph[k])
			}
		}
		if c, _ := ph["count"].(float64); c <= 0 {
			t.Errorf("%s.count = %v", phase, ph["count"])
		}
		lat, ok := ph["latency_ms"].(map[string]any)
		if !ok {
			t.Errorf("%s.latency_ms is %T", phase, ph["latency_ms"])
			continue
		}
		var p [4]float64
		for i, k := range []string{"p50", "p90", "p99", "max"} {
			v, ok := lat[k].(float64)
			if !ok {
				t.Errorf("%s.latency_ms.%s is %T", phase, k, lat[k])
			}
			p[i] = v
		}
		checkOrdered(t, phase, Percentiles{p[0], p[1], p[2], p[3]})
	}
	if !strings.Contains(stderr.String(), "host keys are not checked") {
		t.Errorf("stderr does not say host keys are unchecked:\n%s", stderr.String())
	}
}

func TestCommandTable(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 0, 0)
	var stdout, stderr bytes.Buffer
	rc := Command(context.Background(), []string{"ssh", "--target", srv.addr, "--user", "bench", "--password", "pw",
		"--conns", "1", "--duration", "1s"}, &stdout, &stderr)
	if rc != 0 {
		t.Fatalf("exit %d, stderr:\n%s", rc, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"server SSH-2.0-benchtest_1.0", `command "uname -a"`, "p50_ms", "errors: none"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, row := range []string{"handshake", "login", "command"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 9 && f[0] == row && f[1] != "0" {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s row with a non-zero count:\n%s", row, out)
		}
	}
}

func TestCommandFailureExitStatus(t *testing.T) {
	srv := startTestServer(t, "bench", "pw", 0, 0)
	var stdout, stderr bytes.Buffer
	rc := Command(context.Background(), []string{"ssh", "--target", srv.addr, "--user", "bench", "--password", "nope",
		"--conns", "1", "--duration", "1s"}, &stdout, &stderr)
	if rc != 1 {
		t.Errorf("exit %d with a wrong password, want 1", rc)
	}
	if !strings.Contains(stderr.String(), "no successful logins") {
		t.Errorf("stderr does not explain:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "auth") {
		t.Errorf("report does not list auth errors:\n%s", stdout.String())
	}
}

func TestCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		rc     int
		stdout string
		stderr string
	}{
		{nil, 2, "", "Usage: lure bench ssh"},
		{[]string{"--help"}, 0, "Usage: lure bench ssh", ""},
		{[]string{"telnet"}, 2, "", `unknown protocol "telnet"`},
		{[]string{"ssh", "--help"}, 0, "Host keys are NOT checked", ""},
		{[]string{"ssh", "-h"}, 0, "--allow-remote", ""},
		{[]string{"ssh", "--target", "127.0.0.1:22"}, 2, "", "--user is required"},
		{[]string{"ssh", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"ssh", "--target", "192.0.2.1:22", "--user", "u", "--password", "p"}, 2, "", "--allow-remote"},
	} {
		var stdout, stderr bytes.Buffer
		rc := Command(context.Background(), tc.args, &stdout, &stderr)
		if rc != tc.rc || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("%q: exit %d (want %d)\nstdout: %s\nstderr: %s", tc.args, rc, tc.rc, stdout.String(), stderr.String())
		}
	}
}

func TestParseArgs(t *testing.T) {
	base := []string{"--target", "127.0.0.1:2222", "--user", "root", "--password", "x"}
	o, err := ParseArgs(base)
	if err != nil {
		t.Fatal(err)
	}
	if o.Conns != 8 || o.Duration != 30*time.Second || o.Command != "uname -a" || o.Timeout != 10*time.Second || o.JSON || o.AllowRemote {
		t.Errorf("defaults: %+v", o)
	}
	o, err = ParseArgs(append(base, "--conns", "3", "--duration", "2s", "--command", "id", "--json", "--allow-remote", "-timeout", "1s"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Conns != 3 || o.Duration != 2*time.Second || o.Command != "id" || !o.JSON || !o.AllowRemote || o.Timeout != time.Second {
		t.Errorf("flags not applied: %+v", o)
	}
	if o, err := ParseArgs([]string{"--target", "127.0.0.1:22", "--user", "u", "--password", ""}); err != nil || o.Password != "" {
		t.Errorf("an explicit empty password is refused: %v", err)
	}
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--conns", "0"}, "--conns must be between 1 and 1000, got 0"},
		{[]string{"--conns", "1001"}, "--conns must be between 1 and 1000, got 1001"},
		{[]string{"--conns", "many"}, `invalid value "many" for flag -conns`},
		{[]string{"--duration", "500ms"}, "--duration must be between 1s and 10m, got 500ms"},
		{[]string{"--duration", "11m"}, "--duration must be between 1s and 10m, got 11m0s"},
		{[]string{"--duration", "10"}, `invalid value "10" for flag -duration`},
		{[]string{"--timeout", "2m"}, "--timeout must be between 100ms and 1m, got 2m0s"},
		{[]string{"--command", ""}, "--command must not be empty"},
		{[]string{"--user", ""}, "--user must not be empty"},
		{[]string{"--target", "localhost"}, `--target "localhost" is not HOST:PORT`},
		{[]string{"--target", ":22"}, `--target ":22" has no host`},
		{[]string{"--target", "127.0.0.1:0"}, "port must be a number between 1 and 65535"},
		{[]string{"--target", "127.0.0.1:ssh"}, "port must be a number between 1 and 65535"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		_, err := ParseArgs(append(append([]string{}, base...), tc.extra...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.extra, err, tc.want)
		}
	}
	for _, missing := range []string{"target", "user", "password"} {
		var args []string
		for i := 0; i < len(base); i += 2 {
			if base[i] != "--"+missing {
				args = append(args, base[i], base[i+1])
			}
		}
		if _, err := ParseArgs(args); err == nil || !strings.Contains(err.Error(), "--"+missing+" is required") {
			t.Errorf("without --%s: %v", missing, err)
		}
	}
}

func TestCheckTarget(t *testing.T) {
	ctx := context.Background()
	for in, want := range map[string]string{
		"127.0.0.1:22":   "127.0.0.1:22",
		"127.1.2.3:2222": "127.1.2.3:2222",
		"[::1]:22":       "[::1]:22",
	} {
		got, err := CheckTarget(ctx, in, false)
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	if got, err := CheckTarget(ctx, "localhost:22", false); err != nil || !strings.HasSuffix(got, ":22") ||
		!net.ParseIP(strings.Trim(strings.TrimSuffix(got, ":22"), "[]")).IsLoopback() {
		t.Errorf("localhost: %q, %v", got, err)
	}
	for _, remote := range []string{"192.0.2.1:22", "[2001:db8::1]:22", "0.0.0.0:22", "10.0.0.1:2222"} {
		if _, err := CheckTarget(ctx, remote, false); err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("%s accepted without --allow-remote: %v", remote, err)
		}
		if got, err := CheckTarget(ctx, remote, true); err != nil || got != remote {
			t.Errorf("%s with --allow-remote: %q, %v", remote, got, err)
		}
	}
}

func TestWriteTableErrors(t *testing.T) {
	res := &Result{
		Target: "127.0.0.1:22", User: "u", Command: "id", Conns: 1, DurationSeconds: 3,
		Errors:        map[string]uint64{KindAuth: 5, KindTimeout: 7, KindConnect: 5},
		ErrorExamples: map[string]string{KindAuth: "ssh: unable\nto authenticate", KindTimeout: "i/o timeout", KindConnect: "refused"},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	iTimeout, iAuth, iConnect := strings.Index(out, "  timeout"), strings.Index(out, "  auth"), strings.Index(out, "  connect")
	if iTimeout < 0 || iAuth < 0 || iConnect < 0 || !(iTimeout < iAuth && iAuth < iConnect) {
		t.Errorf("errors not listed by count then name:\n%s", out)
	}
	if !strings.Contains(out, "ssh: unable to authenticate") {
		t.Errorf("example not flattened to one line:\n%s", out)
	}
	if !strings.Contains(out, "server (unknown: no login succeeded)") {
		t.Errorf("unknown server not said:\n%s", out)
	}
}
