package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/store"
	"github.com/lure-sensor/lure/internal/vfs"
)

// chatRequest is what the scripted server decodes from each request.
type chatRequest struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Stream   bool      `json:"stream"`
	Auth     string    `json:"-"`
}

// reply is what the scripted server does with one request.
type reply struct {
	text      string
	status    int           // an HTTP error status (429, 500); 0 answers normally
	stuck     bool          // never answer (until the client gives up)
	delay     time.Duration // wait before answering
	malformed bool          // a body that is not JSON
	endless   bool          // a stream that never ends
	stall     bool          // a stream that sends its first chunk, then nothing
	noChoices bool          // a well-formed answer without choices
	tokens    int           // usage reported (prompt tokens); 0 reports none
}

// scripted is an OpenAI-compatible /v1/chat/completions server on loopback whose answers
// the test scripts. It speaks both JSON and server-sent events, as the client asks.
type scripted struct {
	srv    *httptest.Server
	script func(r chatRequest, n int) reply
	mu     sync.Mutex
	reqs   []chatRequest
}

func newScripted(t testing.TB, script func(r chatRequest, n int) reply) *scripted {
	s := &scripted{script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.handle)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) url() string { return s.srv.URL + "/v1" }

func (s *scripted) requests() []chatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chatRequest(nil), s.reqs...)
}

func (s *scripted) handle(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, 400)
		return
	}
	req.Auth = r.Header.Get("Authorization")
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	n := len(s.reqs)
	s.mu.Unlock()
	rp := s.script(req, n)
	if rp.stuck {
		<-r.Context().Done()
		return
	}
	if rp.delay > 0 {
		select {
		case <-time.After(rp.delay):
		case <-r.Context().Done():
			return
		}
	}
	if rp.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		fmt.Fprintf(w, `{"error":{"message":"scripted failure %d","type":"server_error"}}`, rp.status)
		return
	}
	usage := ""
	if rp.tokens > 0 {
		usage = fmt.Sprintf(`,"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}`, rp.tokens, 10, rp.tokens+10)
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case rp.malformed:
			io.WriteString(w, `{"id": "x", "choices": [ {"mess`)
		case rp.noChoices:
			io.WriteString(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[]}`)
		default:
			content, _ := json.Marshal(rp.text)
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]%s}`, req.Model, content, usage)
		}
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	chunk := func(content string) {
		c, _ := json.Marshal(content)
		fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n", req.Model, c)
		fl.Flush()
	}
	switch {
	case rp.malformed:
		io.WriteString(w, "data: {\"id\":\"x\",\"choices\":[{\"delta\":\n\n")
		fl.Flush()
		return
	case rp.stall:
		chunk("NAME  ")
		<-r.Context().Done()
		return
	case rp.endless:
		for r.Context().Err() == nil {
			chunk("loading... ")
			time.Sleep(time.Millisecond)
		}
		return
	case rp.noChoices:
		io.WriteString(w, "data: [DONE]\n\n")
		return
	}
	text := rp.text
	for len(text) > 0 {
		n := min(7, len(text))
		chunk(text[:n])
		text = text[n:]
	}
	fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n", req.Model)
	if usage != "" {
		fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[]%s}\n\n", req.Model, usage)
	}
	io.WriteString(w, "data: [DONE]\n\n")
	fl.Flush()
}

// recSink records the events a session's commands emit.
type recSink struct {
	mu     sync.Mutex
	events []recEvent
}

type recEvent struct {
	id     string
	fields map[string]any
}

func (r *recSink) SaveFile(data []byte) (string, error) { return "", nil }
func (r *recSink) Event(id, msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, recEvent{id, fields})
}

func (r *recSink) find(id string) []recEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recEvent
	for _, e := range r.events {
		if e.id == id {
			out = append(out, e)
		}
	}
	return out
}

// harness runs shells over the default persona with a chain in front of a scripted server.
type harness struct {
	t     testing.TB
	per   *persona.Persona
	reg   *commands.Registry
	chain *Chain
	srv   *scripted
	sink  *recSink
	db    *store.SQLite
	dbDir string
	fs    map[string]*vfs.FS // per source IP, as the sensor's overlays are
}

type harnessOpts struct {
	stream bool
	limits Limits
	noLLM  bool
	dbDir  string // reuse a store (restart); "" makes a new one
	script func(r chatRequest, n int) reply
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, per: defaultPersona(t), reg: commands.Default(), sink: &recSink{}, fs: map[string]*vfs.FS{}}
	if o.script == nil {
		o.script = func(chatRequest, int) reply { return reply{text: "ok"} }
	}
	h.srv = newScripted(t, o.script)
	h.dbDir = o.dbDir
	if h.dbDir == "" {
		h.dbDir = t.TempDir()
	}
	db, err := store.OpenSQLite(filepath.Join(h.dbDir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h.db = db
	cache, err := db.LLMCache(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var client *Client
	if !o.noLLM {
		client, err = NewClient(ClientConfig{BaseURL: h.srv.url(), Model: "scripted-1", Stream: o.stream, Temperature: 0.2})
		if err != nil {
			t.Fatal(err)
		}
	}
	if o.limits.Timeout == 0 {
		o.limits.Timeout = 2 * time.Second
	}
	h.chain = NewChain(Config{Persona: h.per, Client: client, Cache: cache, Limits: o.limits})
	t.Cleanup(h.chain.Wait) // before the store closes (cleanups run last in, first out)
	return h
}

// shell opens a new session's shell for a source IP.
func (h *harness) shell(ip string) *shell.Shell {
	fsys := h.fs[ip]
	if fsys == nil {
		fsys = vfs.NewMemFS(h.per.Image)
		h.fs[ip] = fsys
	}
	root, _ := h.per.LookupUser("root")
	return shell.New(shell.Config{
		FS: fsys, Persona: h.per, User: root, Commands: h.reg,
		Session:   &commands.Session{ID: "s-" + ip, SrcIP: ip, Sink: h.sink},
		Responder: h.chain,
	})
}

type result struct {
	out, err string
	status   int
	stage    string
}

func (h *harness) run(sh *shell.Shell, line string) result {
	h.t.Helper()
	var out, errb strings.Builder
	st := sh.Run(context.Background(), line, strings.NewReader(""), &out, &errb)
	return result{out.String(), errb.String(), st, sh.LastResponder()}
}

// nonEmulated picks a program of the default persona that has no emulation, so the test
// keeps working while emulations are added.
func (h *harness) nonEmulated(candidates ...string) string {
	h.t.Helper()
	for _, c := range candidates {
		if _, ok := h.reg.Lookup(c); ok {
			continue
		}
		for _, dir := range []string{"/usr/bin/", "/usr/sbin/"} {
			if b, err := h.per.ReadFile(dir + c); err == nil && strings.HasPrefix(string(b), "\x7fELF") {
				return c
			}
		}
	}
	h.t.Fatalf("none of %v is a persona program without emulation", candidates)
	return ""
}
