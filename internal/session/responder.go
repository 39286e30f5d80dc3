package session

import (
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/shell"
)

// commandInput emits cowrie.command.input for a line that arrived at `at` and has now run:
// the event waits for the run so it can say which stage of the responder chain answered
// ("responder": emulated, cache, llm or fallback), and keeps the arrival time as its
// timestamp. Events the line caused (downloads, failed commands) are therefore published
// before it; their timestamps still order them after it.
func (s *Session) commandInput(at time.Time, src string, sh *shell.Shell) {
	e := s.cfg.Events
	if e == nil || e.out == nil {
		return
	}
	e.emitAt(at, event.CommandInput, "CMD: "+src, map[string]any{"input": src, "responder": sh.LastResponder()})
}

// clock reads the events' clock (time.Now unless a test fixed it).
func (e *Events) clock() time.Time {
	if e == nil {
		return time.Now()
	}
	return e.now()
}
