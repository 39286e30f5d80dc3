package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

func TestNewIDAndEvents(t *testing.T) {
	id := NewID()
	if len(id) != 12 || strings.Trim(id, "0123456789abcdef") != "" || NewID() == id {
		t.Fatalf("id %q", id)
	}
	var got []event.Event
	ev := NewEvents(Meta{ID: id, SrcIP: "198.51.100.7", SrcPort: 40000, DstIP: "10.0.0.1", DstPort: 22, Sensor: "s1", Protocol: "ssh"}, event.EmitterFunc(func(e event.Event) { got = append(got, e) }))
	ev.SetClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600)) })
	ev.Emit(event.CommandInput, "CMD: ls", map[string]any{"input": "ls"})
	if len(got) != 1 {
		t.Fatal("no event")
	}
	e := got[0]
	if e.Session != id || e.SrcIP != "198.51.100.7" || e.SrcPort != 40000 || e.DstIP != "10.0.0.1" || e.DstPort != 22 || e.Sensor != "s1" || e.Protocol != "ssh" || e.Time.Location() != time.UTC || e.Fields["input"] != "ls" {
		t.Fatalf("event %+v", e)
	}
	NewEvents(Meta{}, nil).Emit("x", "y", nil) // no emitter: dropped, no panic
}

func TestCRLFWriterAndPasswordPrompt(t *testing.T) {
	var b bytes.Buffer
	w := &crlfWriter{w: &b, track: true}
	w.Write([]byte("a\nb\r\n"))
	w.Write([]byte("New password: "))
	if b.String() != "a\r\nb\r\r\nNew password: " {
		t.Fatalf("%q", b.String())
	}
	if !w.wantsPassword() {
		t.Fatal("password prompt not recognized")
	}
	w.Write([]byte("\nname: "))
	if w.wantsPassword() {
		t.Fatal("plain prompt taken for a password prompt")
	}
	w.Write([]byte("[sudo] password for root: "))
	if !w.wantsPassword() {
		t.Fatal("sudo prompt not recognized")
	}
}

func TestSplitTitle(t *testing.T) {
	title, vis := splitTitle("\x1b]0;root@h: ~\aroot@h:~# ")
	if title != "\x1b]0;root@h: ~\a" || vis != "root@h:~# " {
		t.Fatalf("%q %q", title, vis)
	}
	if title, vis := splitTitle("$ "); title != "" || vis != "$ " {
		t.Fatalf("%q %q", title, vis)
	}
}

func TestTTYInSplitsAtControlKeys(t *testing.T) {
	in := newTTYIn(&ttyOut{w: io.Discard}, nil)
	in.add([]byte("ab\x03cd\x04"))
	buf := make([]byte, 64)
	for _, r := range []struct {
		want string
		key  byte
	}{{"ab", 0}, {"\x03", keyCtrlC}, {"cd", 0}, {"\x04", keyCtrlD}} {
		n, _ := in.Read(buf)
		if string(buf[:n]) != r.want || in.lastKey() != r.key {
			t.Fatalf("read %q, want %q with key %d", buf[:n], r.want, r.key)
		}
	}
	// A Tab is read on its own, so the editor has written the echo of the keys before it.
	in.add([]byte("ls /e\tx"))
	for _, want := range []string{"ls /e", "\t", "x"} {
		if n, _ := in.Read(buf); string(buf[:n]) != want {
			t.Fatalf("read %q, want %q", buf[:n], want)
		}
	}
	in.add([]byte("yz"))
	if k, err := in.readKey(); k != 'y' || err != nil {
		t.Fatalf("readKey %q %v", k, err)
	}
	in.unread('q')
	if n, _ := in.Read(buf); string(buf[:n]) != "qz" {
		t.Fatalf("after unread %q", buf[:n])
	}
	in.fail(io.EOF)
	if _, err := in.readKey(); !errors.Is(err, io.EOF) {
		t.Fatalf("readKey after close: %v", err)
	}
	if _, err := in.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("err %v", err)
	}
	if in.lastKey() != 0 {
		t.Fatal("closed channel taken for a key")
	}
}

func TestTTYInInterruptsRunningCommand(t *testing.T) {
	var out bytes.Buffer
	in := newTTYIn(&ttyOut{w: &out}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	in.setRunning(cancel)
	in.add([]byte("typed ahead"))
	in.add([]byte("x\x03after"))
	if ctx.Err() == nil {
		t.Fatal("Ctrl-C did not cancel the command")
	}
	if out.String() != "^C" {
		t.Fatalf("echo %q", out.String())
	}
	if _, err := in.Read(make([]byte, 10)); !errors.Is(err, errInterrupted) {
		t.Fatalf("read while interrupted: %v", err)
	}
	in.setIdle()
	if !in.takeInterrupted() || in.takeInterrupted() {
		t.Fatal("interrupt flag")
	}
	b := make([]byte, 64)
	n, _ := in.Read(b)
	if string(b[:n]) != "after" {
		t.Fatalf("queue after ^C = %q; the tty flushes what came before", b[:n])
	}
	in.add(bytes.Repeat([]byte("y"), 2*maxInputQueue))
	if len(in.buf) > maxInputQueue {
		t.Fatal("input queue unbounded")
	}
}

func TestHistory(t *testing.T) {
	h := &history{}
	h.Add("typed into a program") // the editor's own adds are ignored: the shell decides
	for _, s := range []string{"ls", "id"} {
		h.add(s)
	}
	if h.Len() != 2 || h.At(0) != "id" || h.At(1) != "ls" {
		t.Fatalf("history %v", h.lines)
	}
	for i := 0; i < historySize+10; i++ {
		h.add("x")
	}
	if h.Len() != historySize {
		t.Fatalf("history holds %d lines", h.Len())
	}
	h.clear()
	if h.Len() != 0 {
		t.Fatal("not cleared")
	}
	fsys := vfs.NewMemFS(vfs.NewMemImage())
	if err := fsys.WriteFile("/h", []byte("one\n\ntwo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.load(fsys, "/h")
	if h.Len() != 2 || h.At(0) != "two" {
		t.Fatalf("loaded %v", h.lines)
	}
}

func testPersona() *persona.Persona {
	img := vfs.NewMemImage()
	img.AddFile("/etc/motd", "\nThe programs included with the Debian GNU/Linux system are free software;\n", 0o644)
	return &persona.Persona{
		Hostname: "web01",
		Kernel:   persona.Kernel{Sysname: "Linux", Release: "6.1.0-28-amd64", Version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", Machine: "x86_64"},
		BootTime: time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
		Image:    img,
	}
}

func TestLoginBanner(t *testing.T) {
	p := testPersona()
	fsys := vfs.NewMemFS(p.Image)
	last := LastLogin{Time: time.Date(2026, 11, 5, 9, 4, 3, 0, time.UTC), From: "203.0.113.9"}
	got := string(LoginBanner(p, fsys, last))
	want := "Linux web01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64\r\n" +
		"\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n" +
		"Last login: Thu Nov  5 09:04:03 2026 from 203.0.113.9\r\r\n"
	if got != want {
		t.Fatalf("banner\n%q\nwant\n%q", got, want)
	}
	// An attacker's change to /etc/motd shows on the next login.
	if err := fsys.WriteFile("/etc/motd", []byte("owned\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := string(LoginBanner(p, fsys, LastLogin{})); !strings.HasSuffix(got, "x86_64\r\nowned\r\n") {
		t.Fatalf("after motd change %q", got)
	}
}

func TestLastLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth", "lastlog.json")
	l, err := OpenLastLog(path, "sensor-a")
	if err != nil {
		t.Fatal(err)
	}
	p := testPersona()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	fake := l.Previous("198.51.100.1", "root", p, now)
	if fake.Time.IsZero() || !fake.Time.Before(now) || !fake.Time.After(p.BootTime) || !strings.HasPrefix(fake.From, "192.168.") {
		t.Fatalf("made-up record %+v", fake)
	}
	if again := l.Previous("198.51.100.2", "root", p, now.Add(time.Hour)); again != fake {
		t.Fatalf("made-up record not stable: %+v vs %+v", again, fake)
	}
	other, _ := OpenLastLog(filepath.Join(t.TempDir(), "x"), "sensor-b")
	if other.Previous("198.51.100.1", "root", p, now) == fake {
		t.Fatal("two sensors show the same made-up record")
	}
	at := time.Date(2026, 11, 25, 9, 14, 3, 500, time.UTC)
	if err := l.Record("198.51.100.1", "root", at); err != nil {
		t.Fatal(err)
	}
	l2, err := OpenLastLog(path, "sensor-a")
	if err != nil {
		t.Fatal(err)
	}
	got := l2.Previous("198.51.100.1", "root", p, now)
	if !got.Time.Equal(at.Truncate(time.Second)) || got.From != "198.51.100.1" {
		t.Fatalf("after restart %+v", got)
	}
	if l2.Previous("198.51.100.9", "root", p, now) != fake {
		t.Fatal("another IP sees someone else's login")
	}
}
