package llm

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/store"
	"github.com/lure-sensor/lure/internal/vfs"
)

// benchQuery is a query as the shell hands it over: a persona program with a path
// argument, in root's home, with two earlier lines of transcript.
func benchQuery(b *testing.B, h *harness, prog, arg string) shell.Query {
	root, _ := h.per.LookupUser("root")
	fsys := h.fs["bench"]
	if fsys == nil {
		fsys = vfs.NewMemFS(h.per.Image)
		h.fs["bench"] = fsys
	}
	p := &commands.Proc{
		Ctx: context.Background(), Args: []string{prog, "-a", arg}, Stdout: io.Discard, Stderr: io.Discard,
		FS: fsys, Dir: "/root", Env: map[string]string{"_": "/usr/bin/" + prog}, Persona: h.per, User: root,
		Session: &commands.Session{ID: "bench", SrcIP: "192.0.2.1", Sink: h.sink},
	}
	return shell.Query{Proc: p, Line: prog + " -a " + arg, Recent: []shell.Exchange{
		{Dir: "/root", Input: "uname -a", Output: "Linux web-prod-03 6.1.0-44-amd64 x86_64 GNU/Linux\n"},
		{Dir: "/root", Input: "id", Output: "uid=0(root) gid=0(root) groups=0(root)\n"},
	}}
}

// BenchmarkCacheHit is the path of a repeated question: key (state digest of the program
// and the named path), in-memory lookup, write. Target: under 100 µs.
func BenchmarkCacheHit(b *testing.B) {
	h := newHarness(b, harnessOpts{script: func(chatRequest, int) reply {
		return reply{text: "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nsshd      412 root    3u  IPv4  12345      0t0  TCP *:22 (LISTEN)\n"}
	}})
	prog := h.nonEmulated(progs...)
	q := benchQuery(b, h, prog, "/etc/hostname")
	if _, st := h.chain.Respond(q); st != StageLLM {
		b.Fatalf("first answer from %q", st)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, st := h.chain.Respond(q); st != StageCache {
			b.Fatalf("stage %q", st)
		}
	}
}

// BenchmarkCacheHitStore is a hit that the in-memory layer does not hold (after a restart,
// or beyond its size): the answer comes from SQLite.
func BenchmarkCacheHitStore(b *testing.B) {
	h := newHarness(b, harnessOpts{script: func(chatRequest, int) reply { return reply{text: "total 0\n"} }})
	prog := h.nonEmulated(progs...)
	q := benchQuery(b, h, prog, "/etc/hostname")
	h.chain.Respond(q)
	h.chain.Wait()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.chain.Forget()
		if _, st := h.chain.Respond(q); st != StageCache {
			b.Fatalf("stage %q", st)
		}
	}
}

// BenchmarkLLMCall is a cache miss answered by a scripted endpoint on loopback that answers
// at once: everything lure does around a call (key, limits, prompt, HTTP through openai-go,
// cleaning, guard, cache write). BenchmarkClientOnly is the same HTTP call alone; the
// difference is lure's overhead around an LLM call.
func BenchmarkLLMCall(b *testing.B) {
	for _, mode := range []string{"json", "stream", "json-memonly"} {
		stream := mode == "stream"
		b.Run(mode, func(b *testing.B) {
			h := newHarness(b, harnessOpts{stream: stream, limits: Limits{RatePerIP: 1 << 30, TokensPerIP: 1 << 40, TokensPerDay: 1 << 40},
				script: func(chatRequest, int) reply {
					return reply{text: "Linux web-prod-03 6.1.0-44-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.164-1 (2026-03-09) x86_64 GNU/Linux\n"}
				}})
			if mode == "json-memonly" {
				// without the store: what is left is lure's own work around the call
				h.chain.cfg.Cache = nil
			}
			prog := h.nonEmulated(progs...)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := benchQuery(b, h, prog, "/tmp/x"+strconv.Itoa(i))
				if _, st := h.chain.Respond(q); st != StageLLM {
					b.Fatalf("stage %q", st)
				}
			}
		})
	}
}

func BenchmarkClientOnly(b *testing.B) {
	for _, stream := range []bool{false, true} {
		b.Run(map[bool]string{false: "json", true: "stream"}[stream], func(b *testing.B) {
			h := newHarness(b, harnessOpts{stream: stream, script: func(chatRequest, int) reply {
				return reply{text: "Linux web-prod-03 6.1.0-44-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.164-1 (2026-03-09) x86_64 GNU/Linux\n"}
			}})
			prog := h.nonEmulated(progs...)
			q := benchQuery(b, h, prog, "/tmp/x")
			msgs := h.chain.cfg.Prompt.Messages(h.chain.context(q, q.Line))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := h.chain.cfg.Client.Complete(context.Background(), msgs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverheadAroundCall is lure's own work for one LLM answer without the HTTP call
// itself, step for step as Respond does it: cache key (state digest), memory lookup, limits,
// prompt, cleaning, guard, status, memory store and the write to the terminal. (The store
// write runs in the background and is left out; BenchmarkLLMCall/json includes it.)
func BenchmarkOverheadAroundCall(b *testing.B) {
	h := newHarness(b, harnessOpts{limits: Limits{RatePerIP: 1 << 30, TokensPerIP: 1 << 40, TokensPerDay: 1 << 40}})
	h.chain.cfg.Cache = nil
	prog := h.nonEmulated(progs...)
	reply := "```\nLinux web-prod-03 6.1.0-44-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.164-1 (2026-03-09) x86_64 GNU/Linux\n```\n"
	c := h.chain
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := benchQuery(b, h, prog, "/tmp/x"+strconv.Itoa(i))
		p := q.Proc
		line := NormalizeLine(q.Line)
		key := c.key(p, line)
		if _, ok := c.lookup(p.Ctx, key); ok {
			b.Fatal("unexpected hit")
		}
		if lim := c.lim.admit(p.Session.SrcIP); lim != "" {
			b.Fatal(lim)
		}
		pctx := c.context(q, line)
		msgs := c.cfg.Prompt.messages(c.system, pctx)
		c.lim.release(p.Session.SrcIP, estimatePrompt(msgs))
		answer := Clean(reply, line, c.cfg.Prompt.promptLine(pctx))
		if Guard(answer, c.system) != "" {
			b.Fatal("guard")
		}
		c.store(storeAnswer(key, line, answer))
		write(p, answer, StatusOf(answer))
	}
}

func storeAnswer(key, line, answer string) store.LLMAnswer {
	return store.LLMAnswer{Key: key, Command: line, Answer: answer, Source: StageLLM}
}
