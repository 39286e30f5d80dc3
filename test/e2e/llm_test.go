package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
)

// llmEndpoint is an OpenAI-compatible chat completions server on loopback that answers
// every command with a scripted, streamed text and records the command lines it was asked.
type llmEndpoint struct {
	srv  *httptest.Server
	mu   sync.Mutex
	asks []string
}

func newLLMEndpoint(t *testing.T, answer func(cmd string) string) *llmEndpoint {
	e := &llmEndpoint{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Stream   bool   `json:"stream"`
			Messages []struct {
				Role, Content string
			} `json:"messages"`
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		last := req.Messages[len(req.Messages)-1].Content
		cmd := last[strings.LastIndex(last, "# ")+2:]
		e.mu.Lock()
		e.asks = append(e.asks, cmd)
		e.mu.Unlock()
		text, _ := json.Marshal(answer(cmd))
		if !req.Stream {
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, req.Model, text)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n", req.Model, text)
		fmt.Fprintf(w, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", req.Model)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *llmEndpoint) asked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.asks...)
}

// nonEmulatedProgram picks a program the default persona has and lure does not emulate.
func nonEmulatedProgram(t *testing.T) string {
	per, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.Default()
	for _, c := range []string{"journalctl", "lsblk", "lsof", "tmux", "htop", "systemd-cgls", "lsipc"} {
		if _, ok := reg.Lookup(c); ok {
			continue
		}
		if b, err := per.ReadFile("/usr/bin/" + c); err == nil && strings.HasPrefix(string(b), "\x7fELF") {
			return c
		}
	}
	t.Fatal("no persona program without emulation left to test with")
	return ""
}

func TestLLMResponderWithOpenSSH(t *testing.T) {
	prog := nonEmulatedProgram(t)
	ep := newLLMEndpoint(t, func(cmd string) string {
		return "```\n" + "NAME   SIZE\nvda    80G\n" + "```\n"
	})
	metricsPort := freePort(t)
	// (the analyst would ask the same endpoint about each session: this test is about commands)
	l := startLureConfig(t, fmt.Sprintf("llm:\n  base_url: %s/v1\n  model: scripted\n  timeout: 5s\nanalyst:\n  use_llm: false\nmetrics:\n  listen: 127.0.0.1:%d\n", ep.srv.URL, metricsPort))

	// The model answers a persona program without emulation, cleaned of its code fence.
	out, errOut, code := l.runSSH(t, nil, prog+" --all")
	if code != 0 || out != "NAME   SIZE\nvda    80G\n" {
		t.Fatalf("%s: exit %d, stdout %q, stderr %q", prog, code, out, errOut)
	}
	l.waitEvent(t, "cowrie.command.input", map[string]any{"input": prog + " --all", "responder": "llm"})

	// Another attacker (another source address), same question: the cache, no second call.
	out2, _, _ := l.runSSH(t, []string{"-b", "127.0.0.2"}, prog+" --all")
	if out2 != out {
		t.Fatalf("cached answer %q, first %q", out2, out)
	}
	l.waitEvent(t, "cowrie.command.input", map[string]any{"input": prog + " --all", "responder": "cache", "src_ip": "127.0.0.2"})

	// Emulated lines say so; a program the persona lacks costs no call.
	if _, _, code := l.runSSH(t, nil, "uname -a; docker ps"); code != 127 {
		t.Fatalf("docker ps: exit %d", code)
	}
	l.waitEvent(t, "cowrie.command.input", map[string]any{"input": "uname -a; docker ps", "responder": "emulated"})

	// On a pty the answer gets the terminal's line endings.
	out3, _, _ := l.runSSH(t, []string{"-tt"}, prog+" --tty")
	if !strings.Contains(out3, "NAME   SIZE\r\nvda    80G\r\n") {
		t.Fatalf("pty answer %q", out3)
	}
	if asks := ep.asked(); len(asks) != 2 || asks[0] != prog+" --all" || asks[1] != prog+" --tty" {
		t.Fatalf("the endpoint was asked %q", asks)
	}

	// The Prometheus endpoint counts the lines by responder.
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := ""
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		if strings.Contains(body, `lure_command_lines_total{responder="llm"} 2`) && strings.Contains(body, `lure_command_lines_total{responder="cache"} 1`) &&
			strings.Contains(body, `lure_command_lines_total{responder="emulated"} 1`) && strings.Contains(body, "lure_llm_calls_total 2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The operator sees the cached answers.
	ls, err := exec.Command(binary, "llm", "cache", "ls", "--data-dir", l.DataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(ls), prog+" --all") || !strings.Contains(string(ls), prog+" --tty") {
		t.Fatalf("lure llm cache ls: %v\n%s", err, ls)
	}
}
