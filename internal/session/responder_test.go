package session

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/vfs"
)

// cacheResponder answers every persona program as the cache stage would.
type cacheResponder struct{}

func (cacheResponder) Respond(q shell.Query) (int, string) {
	io.WriteString(q.Proc.Stdout, "from the chain: "+q.Line+"\n")
	return 0, shell.ResponderCache
}

func TestCommandInputCarriesTheResponder(t *testing.T) {
	per, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []event.Event
	ev := NewEvents(Meta{ID: "abc", SrcIP: "192.0.2.1"}, event.EmitterFunc(func(e event.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	}))
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev.SetClock(func() time.Time { clock = clock.Add(time.Second); return clock })
	root, _ := per.LookupUser("root")
	s := New(Config{Events: ev, Persona: per, User: root, FS: vfs.NewMemFS(per.Image), Responder: cacheResponder{}})

	// a persona program without emulation (lsblk or the like) and an emulated one
	var prog string
	for _, c := range []string{"lsblk", "journalctl", "lsof", "tmux"} {
		if _, ok := s.cfg.Commands.Lookup(c); !ok {
			if b, err := per.ReadFile("/usr/bin/" + c); err == nil && strings.HasPrefix(string(b), "\x7fELF") {
				prog = c
				break
			}
		}
	}
	if prog == "" {
		t.Skip("no persona program without emulation in the registry this session builds")
	}
	for _, line := range []string{"echo hi; " + prog + " -a", "echo only"} {
		var out bytes.Buffer
		s.Exec(context.Background(), ExecOptions{Command: line, Stdout: &out, Stderr: &out})
		if line != "echo only" && !strings.Contains(out.String(), "from the chain: "+prog+" -a") {
			t.Fatalf("%q printed %q", line, out.String())
		}
	}
	var inputs []event.Event
	for _, e := range got {
		if e.EventID == event.CommandInput {
			inputs = append(inputs, e)
		}
	}
	if len(inputs) != 2 {
		t.Fatalf("%d command.input events", len(inputs))
	}
	if inputs[0].Fields["responder"] != shell.ResponderCache || inputs[1].Fields["responder"] != shell.ResponderEmulated {
		t.Errorf("responders %v, %v", inputs[0].Fields, inputs[1].Fields)
	}
	// stamped when the line arrived, though emitted after it ran
	if !inputs[0].Time.Before(inputs[1].Time) || inputs[0].Time.Second() != 6 {
		t.Errorf("times %v %v", inputs[0].Time, inputs[1].Time)
	}
}
