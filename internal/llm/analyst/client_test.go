package analyst

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/llm"
)

// openAIServer is a scripted OpenAI-compatible /v1/chat/completions endpoint on loopback.
// reply returns the answer text, or an HTTP status to fail with, or stuck to never answer.
type openAIServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []chatReq
	reply func(n int) (text string, status int, stuck bool)
}

type chatReq struct {
	Model    string        `json:"model"`
	Messages []llm.Message `json:"messages"`
	Stream   bool          `json:"stream"`
}

func newOpenAIServer(t *testing.T, reply func(n int) (string, int, bool)) *openAIServer {
	s := &openAIServer{reply: reply}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req chatReq
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		n := len(s.reqs)
		s.mu.Unlock()
		text, status, stuck := s.reply(n)
		if stuck {
			<-r.Context().Done()
			return
		}
		if status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"message":"scripted %d","type":"server_error"}}`, status)
			return
		}
		content, _ := json.Marshal(text)
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":900,"completion_tokens":200,"total_tokens":1100}}`, req.Model, content)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		// The answer in three chunks, as a streaming server sends it.
		for _, part := range splitN(text, 3) {
			c, _ := json.Marshal(part)
			fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n", req.Model, c)
			fl.Flush()
		}
		fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", req.Model)
		fl.Flush()
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func splitN(s string, n int) []string {
	var out []string
	step := (len(s) + n - 1) / n
	for len(s) > step {
		out = append(out, s[:step])
		s = s[step:]
	}
	return append(out, s)
}

func (s *openAIServer) requests() []chatReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chatReq(nil), s.reqs...)
}

const goodAnswer = `{"summary":"A coin-miner dropper: it killed rival miners, fetched and started XMRig against a Monero pool, added a cron job to restart it, flushed the firewall and wiped its history.",
 "intents":["cryptomining","download and execute","persistence","defense evasion"],
 "techniques":[{"id":"T1496.001","name":"Compute Hijacking"},{"id":"T1105","name":"Ingress Tool Transfer"},{"id":"T1059.004","name":"Unix Shell"},{"id":"T9999.9999","name":"bogus"}],
 "iocs":{"urls":["http://dl.example.com/xmrig"],"ips":["192.0.2.44"],"domains":["pool.example.com","c2.invented.example"],"hashes":[],"ssh_keys":[]},
 "risk":95}`

// TestLLMClientPath runs the analyst through the llm package's real OpenAI-compatible
// client (openai-go) against a scripted server, streaming and not.
func TestLLMClientPath(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			srv := newOpenAIServer(t, func(int) (string, int, bool) { return "```json\n" + goodAnswer + "\n```", 0, false })
			client, err := llm.NewClient(llm.ClientConfig{BaseURL: srv.srv.URL + "/v1", Model: "lure-analyst-test", Stream: stream, MaxTokens: 1500})
			if err != nil {
				t.Fatal(err)
			}
			a := New(Options{LLM: FromClient(client), Model: client.Model(), Timeout: 10 * time.Second})
			defer a.Close()
			tr := FromEvents(minerSession.events())
			rules := Rules(tr)
			got := a.Analyse(context.Background(), tr)
			if got.Source != "llm" || got.Model != "lure-analyst-test" || got.LLMError != "" {
				t.Fatalf("source %q model %q err %q", got.Source, got.Model, got.LLMError)
			}
			if !strings.HasPrefix(got.Summary, "A coin-miner dropper") {
				t.Errorf("summary %q", got.Summary)
			}
			mustHave(t, "techniques", techIDs(got), "T1496.001", "T1105", "T1053.003")
			mustLack(t, "techniques", techIDs(got), "T9999.9999")
			mustLack(t, "domains", got.IOCs.Domains, "c2.invented.example")
			if want := (rules.Risk + 95 + 1) / 2; got.Risk != want {
				t.Errorf("risk %d, want %d", got.Risk, want)
			}
			reqs := srv.requests()
			if len(reqs) != 1 || reqs[0].Stream != stream || reqs[0].Model != "lure-analyst-test" || len(reqs[0].Messages) != 2 ||
				reqs[0].Messages[0].Role != "system" || !strings.Contains(reqs[0].Messages[0].Content, "You are a Linux expert") ||
				!strings.Contains(reqs[0].Messages[1].Content, "stratum+tcp://pool.example.com:3333") {
				t.Errorf("request: %+v", reqs)
			}
		})
	}
}

// TestLLMClientFailures: HTTP errors, a stuck endpoint and a non-JSON answer all end in the
// rules' analysis, within the analyst's timeout.
func TestLLMClientFailures(t *testing.T) {
	cases := map[string]func(int) (string, int, bool){
		"429":      func(int) (string, int, bool) { return "", 429, false },
		"500":      func(int) (string, int, bool) { return "", 500, false },
		"stuck":    func(int) (string, int, bool) { return "", 0, true },
		"not json": func(int) (string, int, bool) { return "I am a Linux expert and this is bad.", 0, false },
	}
	for name, reply := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newOpenAIServer(t, reply)
			client, err := llm.NewClient(llm.ClientConfig{BaseURL: srv.srv.URL + "/v1", Model: "m", Stream: true})
			if err != nil {
				t.Fatal(err)
			}
			a := New(Options{LLM: FromClient(client), Timeout: 300 * time.Millisecond})
			defer a.Close()
			tr := FromEvents(mdrfckrSession.events())
			start := time.Now()
			got := a.Analyse(context.Background(), tr)
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v with a 300ms timeout", el)
			}
			if got.Source != "rules" || got.LLMError == "" || got.Risk != Rules(tr).Risk {
				t.Errorf("source %q err %q", got.Source, got.LLMError)
			}
		})
	}
}
