package dataset

import (
	"context"
	"fmt"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/store"
)

// MaxSessionLines bounds the command lines taken from one captured session.
const MaxSessionLines = 1000

// SessionStore is what the exporter reads from a sensor's store.
type SessionStore interface {
	ListSessions(ctx context.Context, q store.SessionQuery) ([]store.SessionRisk, error)
	Events(ctx context.Context, session string) ([]event.Event, error)
}

// SessionScripts turns the captured sessions that ran commands (at most max, newest first)
// into scripts of their command lines in the order they arrived, as the user who logged in.
//
// Only the command lines are taken from a session: the answers are the emulator's, replayed
// over a fresh copy of the persona, because that is the ground truth a model should learn.
// Events do not hold outputs; the tty recordings do for interactive sessions, but they mix
// echo, prompts and line editing, exec sessions have none, and a recorded answer may have
// come from the LLM itself. The replay does not see files an attacker left in an earlier
// session of the same address (its overlay).
func SessionScripts(ctx context.Context, st SessionStore, max int) ([]Script, error) {
	list, err := st.ListSessions(ctx, store.SessionQuery{Limit: max})
	if err != nil {
		return nil, err
	}
	var out []Script
	for _, s := range list {
		if s.Commands == 0 {
			continue
		}
		evs, err := st.Events(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("reading the events of session %s: %w", s.ID, err)
		}
		sc := Script{Name: "session:" + s.ID, User: s.Username}
		for _, e := range evs {
			if e.EventID != event.CommandInput {
				continue
			}
			if in, _ := e.Fields["input"].(string); in != "" && len(sc.Lines) < MaxSessionLines {
				sc.Lines = append(sc.Lines, in)
			}
		}
		if len(sc.Lines) > 0 {
			out = append(out, sc)
		}
	}
	return out, nil
}
