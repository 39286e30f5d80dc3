package asciicast

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/lure-sensor/lure/internal/testenv"
)

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func newTestWriter(t *testing.T, buf *bytes.Buffer, max int64) (*Writer, *fakeClock) {
	t.Helper()
	start := time.Unix(1700000000, 0)
	clk := &fakeClock{t: start}
	w, err := NewWriter(buf, Header{Width: 100, Height: 30, Env: map[string]string{"TERM": "xterm", "SHELL": "/bin/bash"}}, start, max)
	if err != nil {
		t.Fatal(err)
	}
	w.SetClock(clk.now)
	return w, clk
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, clk := newTestWriter(t, &buf, 0)
	w.WriteOutput([]byte("root@host:~# "))
	clk.t = clk.t.Add(1500 * time.Millisecond)
	w.WriteInput([]byte("l"))
	// A multi-byte character split across two writes must be recorded whole.
	w.WriteOutput([]byte("caf\xc3"))
	clk.t = clk.t.Add(250 * time.Millisecond)
	w.WriteOutput([]byte("\xa9\r\n"))
	w.WriteResize(120, 40)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var h map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &h); err != nil {
		t.Fatal(err)
	}
	if h["version"].(float64) != 2 || h["width"].(float64) != 100 || h["height"].(float64) != 30 || h["timestamp"].(float64) != 1700000000 {
		t.Fatalf("header = %v", h)
	}
	if env := h["env"].(map[string]any); env["TERM"] != "xterm" || env["SHELL"] != "/bin/bash" {
		t.Fatalf("env = %v", env)
	}

	r, err := NewReader(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []Event{
		{0, Output, "root@host:~# "},
		{1.5, Input, "l"},
		{1.5, Output, "caf"},
		{1.75, Output, "é\r\n"},
		{1.75, Resize, "120x40"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestWriterTruncates(t *testing.T) {
	var buf bytes.Buffer
	w, _ := newTestWriter(t, &buf, 4096)
	chunk := bytes.Repeat([]byte("x"), 100)
	for i := 0; i < 200; i++ {
		w.WriteOutput(chunk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !w.Truncated() {
		t.Fatal("not truncated")
	}
	if buf.Len() > 4096 {
		t.Fatalf("recording is %d bytes, over the 4096 limit", buf.Len())
	}
	if int64(buf.Len()) != w.Size() {
		t.Fatalf("Size() = %d, file %d", w.Size(), buf.Len())
	}
	if !strings.Contains(buf.String(), `"m", "`+TruncatedNote) {
		t.Fatal("no truncation marker")
	}
}

func TestPlayTiming(t *testing.T) {
	rec := `{"version": 2, "width": 80, "height": 24}
[0.5, "o", "a"]
[0.7, "i", "typed"]
[2.5, "o", "b"]
[30.5, "o", "c"]
[30.5, "m", "note"]
`
	var slept []time.Duration
	var out bytes.Buffer
	err := Play(context.Background(), strings.NewReader(rec), &out, PlayOptions{
		Speed:   2,
		MaxWait: 3 * time.Second,
		Sleep:   func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "abc" {
		t.Fatalf("output = %q", out.String())
	}
	want := []time.Duration{250 * time.Millisecond, time.Second, 3 * time.Second}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("slept %v, want %v", slept, want)
		}
	}
}

func TestPlayRejectsBadFiles(t *testing.T) {
	for _, rec := range []string{"", `{"version": 1}`, "not json", "{\"version\": 2}\n[1, \"o\"]\n"} {
		err := Play(context.Background(), strings.NewReader(rec), io.Discard, PlayOptions{Sleep: func(context.Context, time.Duration) error { return nil }})
		if err == nil {
			t.Errorf("Play(%q) succeeded", rec)
		}
	}
}

// TestAsciinemaCat checks that the real asciinema CLI reads lure's recordings and prints
// exactly the output that was recorded.
func TestAsciinemaCat(t *testing.T) {
	bin, err := exec.LookPath("asciinema")
	if err != nil {
		testenv.SkipOrFail(t, "asciinema is not installed (apt-get install asciinema)")
	}
	var buf bytes.Buffer
	w, clk := newTestWriter(t, &buf, 0)
	outputs := []string{"Linux host 6.1.0\r\n", "root@host:~# ", "ls\r\n", "fichier-é.txt  \x1b[01;34mdir\x1b[0m\r\n", "root@host:~# "}
	for _, o := range outputs {
		w.WriteOutput([]byte(o))
		w.WriteInput([]byte("k"))
		clk.t = clk.t.Add(10 * time.Millisecond)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.cast")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// asciinema cat opens /dev/tty, so it needs a controlling terminal; stdout stays a pipe.
	cmd := exec.Command(bin, "cat", path)
	var out bytes.Buffer
	cmd.Stdout = &out
	ptmx, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, ptmx)
	err = cmd.Wait()
	ptmx.Close()
	if err != nil {
		t.Fatalf("asciinema cat: %v", err)
	}
	if want := strings.Join(outputs, ""); out.String() != want {
		t.Fatalf("asciinema cat printed %q, want %q", out.String(), want)
	}
}
