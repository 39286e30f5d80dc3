package llm

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/store"
)

// Cache is where answers persist, shared by every session and kept across restarts.
// *store.LLMCache (from store.SQLite.LLMCache) implements it.
type Cache interface {
	Get(ctx context.Context, key string) (store.LLMAnswer, bool, error)
	Put(ctx context.Context, a store.LLMAnswer) error
}

// Config is what a Chain needs.
type Config struct {
	Persona *persona.Persona
	// Client is the model; nil means the LLM is off: cached answers still serve, and the
	// rest gets the fallback.
	Client *Client
	// Cache persists answers; nil keeps them in memory only.
	Cache   Cache
	Prompt  Prompt
	Limits  Limits
	Metrics *Metrics // nil: the chain keeps its own (see Chain.Metrics)
	Logger  *slog.Logger
	// MemEntries bounds the in-memory layer in front of Cache (default 4096 answers).
	MemEntries int
	// Now tells the time (budgets roll over at 00:00 UTC); nil means time.Now.
	Now func() time.Time
}

// Chain is the responder chain behind the shell: response cache, then the LLM within its
// limits, then the deterministic fallback. It implements shell.Responder and is safe for
// concurrent use by every session.
type Chain struct {
	cfg       Config
	personaID string
	system    string
	lim       *limiter
	metrics   *Metrics
	log       *slog.Logger

	writes sync.WaitGroup // cache writes in flight (see Wait)

	mu       sync.Mutex
	mem      map[string]*list.Element // key -> *memEntry in lru
	lru      *list.List
	inflight map[string]*flight
}

type memEntry struct {
	key string
	a   store.LLMAnswer
}

// flight is one LLM call that later identical queries wait for instead of calling again.
type flight struct {
	done chan struct{}
	a    store.LLMAnswer
	ok   bool
}

// NewChain builds a chain.
func NewChain(cfg Config) *Chain {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MemEntries <= 0 {
		cfg.MemEntries = 4096
	}
	if cfg.Metrics == nil {
		cfg.Metrics = &Metrics{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return &Chain{
		cfg:       cfg,
		personaID: PersonaID(cfg.Persona),
		system:    cfg.Prompt.System(cfg.Persona),
		lim:       newLimiter(cfg.Limits, cfg.Now),
		metrics:   cfg.Metrics,
		log:       cfg.Logger,
		mem:       map[string]*list.Element{},
		lru:       list.New(),
		inflight:  map[string]*flight{},
	}
}

// Metrics returns the chain's counters.
func (c *Chain) Metrics() *Metrics { return c.metrics }

// PersonaID identifies a persona in cache keys: a digest of its identity facts and its
// package database, so answers made for one imitated host never serve another.
func PersonaID(per *persona.Persona) string {
	h := sha256.New()
	if per != nil {
		io.WriteString(h, per.Hostname+"\x00"+per.Kernel.Release+"\x00"+per.Kernel.Version+"\x00"+per.Hardware.CPUModel+"\x00"+strconv.FormatInt(per.Hardware.MemTotalKB, 10)+"\x00")
		for _, p := range per.Packages() {
			io.WriteString(h, p.Name+"="+p.Version+"\n")
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Key is the cache key of one question: the persona, the user, the cwd, the normalised
// command line and the digest of the filesystem state the command can observe.
func Key(personaID, user, cwd, line, stateDigest string) string {
	h := sha256.New()
	for _, s := range []string{personaID, user, cwd, line, stateDigest} {
		io.WriteString(h, strconv.Itoa(len(s))+":"+s+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// NormalizeLine is the command line as cache keys hold it: surrounding blanks removed and
// runs of blanks outside quotes collapsed. The shell already hands programs over with
// their arguments expanded and quoted canonically; this makes constructs agree too.
func NormalizeLine(line string) string {
	line = strings.TrimSpace(line)
	var b strings.Builder
	var quote byte
	space := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == ' ' || ch == '\t':
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// Respond implements shell.Responder.
func (c *Chain) Respond(q shell.Query) (int, string) {
	p := q.Proc
	ctx := p.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	line := NormalizeLine(q.Line)
	key := c.key(p, line)
	if a, ok := c.lookup(ctx, key); ok {
		c.metrics.answer(StageCache)
		return write(p, a.Answer, a.Status), StageCache
	}
	if c.cfg.Client == nil {
		return c.fallback(p, q, ""), StageFallback
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Limits.Timeout)
	defer cancel()

	// An identical question already on its way to the model: wait for its answer.
	c.mu.Lock()
	if f := c.inflight[key]; f != nil {
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.ok {
				c.metrics.answer(StageCache)
				return write(p, f.a.Answer, f.a.Status), StageCache
			}
			return c.fallback(p, q, ""), StageFallback
		case <-ctx.Done():
			return c.fallback(p, q, LimitTimeout), StageFallback
		}
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(f.done)
	}()

	ip := ""
	if p.Session != nil {
		ip = p.Session.SrcIP
	}
	if lim := c.lim.admit(ip); lim != "" {
		return c.fallback(p, q, lim), StageFallback
	}
	pctx := c.context(q, line)
	msgs := c.cfg.Prompt.messages(c.system, pctx)
	comp, err := c.cfg.Client.Complete(ctx, msgs)
	if err != nil {
		c.lim.release(ip, estimatePrompt(msgs))
		if p.Ctx != nil && p.Ctx.Err() != nil {
			// The line was cut (Ctrl-C, the shell's own limit, a hang-up): not the endpoint's
			// fault, and nobody reads an answer any more.
			c.metrics.answer(StageFallback)
			return 130, StageFallback
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return c.fallback(p, q, LimitTimeout), StageFallback
		}
		c.metrics.failed.Add(1)
		if n := c.metrics.failed.Load(); n&(n-1) == 0 {
			c.log.Warn("llm: the endpoint failed; answering with the fallback", "input", line, "err", err, "failures_total", n)
		}
		emit(p, EventFailed, "LLM endpoint failed: "+err.Error(), map[string]any{"input": line, "error": err.Error()})
		return c.fallback(p, q, ""), StageFallback
	}
	c.lim.release(ip, comp.Tokens())
	c.metrics.call(comp)
	answer := Clean(comp.Text, line, c.cfg.Prompt.promptLine(pctx))
	a := store.LLMAnswer{Key: key, Persona: c.personaID, User: p.User.Name, Cwd: p.Dir, Command: line,
		Answer: answer, Status: StatusOf(answer), Source: StageLLM, Model: c.cfg.Client.Model(), Created: c.cfg.Now()}
	stage := StageLLM
	if reason := Guard(answer, c.system); reason != "" {
		// Out of character: the fallback answers, and is cached so the same attempt gets
		// the same answer without another call.
		c.metrics.rejected.Add(1)
		rej := comp.Text
		if len(rej) > 1024 {
			rej = rej[:1024]
		}
		emit(p, EventRejected, "LLM answer rejected ("+reason+"): "+line, map[string]any{"input": line, "reason": reason, "answer": rej})
		a.Answer, a.Status = Fallback(c.cfg.Persona, p.Args, q.Construct)
		a.Source = StageFallback
		stage = StageFallback
	}
	c.store(a)
	f.a, f.ok = a, true
	c.metrics.answer(stage)
	return write(p, a.Answer, a.Status), stage
}

// key computes the cache key of a query: the state digest covers every path the arguments
// name. The program itself needs none: the shell only asks about the persona's own files,
// unchanged in the overlay, which the persona id covers. The whole cwd is left out too, so
// unrelated files an attacker drops there do not invalidate every answer (the cwd's path is
// part of the key).
func (c *Chain) key(p *commands.Proc, line string) string {
	digest := ""
	if paths := NamedPaths(p.FS, p.User.Home, p.Dir, p.Args); p.FS != nil && len(paths) > 0 {
		digest = p.FS.Digest(paths...)
	}
	return Key(c.personaID, p.User.Name, p.Dir, line, digest)
}

// context fills the prompt's Context for a query.
func (c *Chain) context(q shell.Query, line string) Context {
	p := q.Proc
	ctx := Context{Persona: c.cfg.Persona, User: p.User, Cwd: p.Dir, Command: line}
	if !q.Construct {
		ctx.Listing = Listing(p.FS, c.cfg.Persona, NamedPaths(p.FS, p.User.Home, p.Dir, p.Args))
	}
	for _, r := range q.Recent {
		ctx.Recent = append(ctx.Recent, Exchange{Cwd: r.Dir, Command: r.Input, Output: r.Output})
	}
	return ctx
}

// lookup finds an answer in memory, then in the store.
func (c *Chain) lookup(ctx context.Context, key string) (store.LLMAnswer, bool) {
	c.mu.Lock()
	if el, ok := c.mem[key]; ok {
		c.lru.MoveToFront(el)
		a := el.Value.(*memEntry).a
		c.mu.Unlock()
		return a, true
	}
	c.mu.Unlock()
	if c.cfg.Cache == nil {
		return store.LLMAnswer{}, false
	}
	a, ok, err := c.cfg.Cache.Get(ctx, key)
	if err != nil {
		c.log.Warn("llm: cannot read the response cache; asking the model instead", "err", err)
		return store.LLMAnswer{}, false
	}
	if ok {
		c.remember(a)
	}
	return a, ok
}

// store keeps a in memory at once and writes it to the cache in the background: the
// answer is already in hand, and a disk write must not add to the attacker's wait. The
// memory layer serves it meanwhile.
func (c *Chain) store(a store.LLMAnswer) {
	c.remember(a)
	if c.cfg.Cache == nil {
		return
	}
	c.writes.Add(1)
	go func() {
		defer c.writes.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.cfg.Cache.Put(ctx, a); err != nil {
			c.log.Warn("llm: cannot save an answer in the response cache; it is kept in memory until restart", "input", a.Command, "err", err)
		}
	}()
}

// Wait returns when the answers given so far are in the cache. Call it before closing the
// store.
func (c *Chain) Wait() { c.writes.Wait() }

func (c *Chain) remember(a store.LLMAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.mem[a.Key]; ok {
		el.Value.(*memEntry).a = a
		c.lru.MoveToFront(el)
		return
	}
	c.mem[a.Key] = c.lru.PushFront(&memEntry{key: a.Key, a: a})
	for c.lru.Len() > c.cfg.MemEntries {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.mem, old.Value.(*memEntry).key)
	}
}

// Forget drops answers from the in-memory layer (after `lure llm cache rm`, a running
// sensor still serves what it holds until it restarts or forgets); nil keys forget all.
func (c *Chain) Forget(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if keys == nil {
		c.mem = map[string]*list.Element{}
		c.lru.Init()
		return
	}
	for _, k := range keys {
		if el, ok := c.mem[k]; ok {
			c.lru.Remove(el)
			delete(c.mem, k)
		}
	}
}

// fallback answers deterministically; limit names the limit that caused it ("" for none),
// which is reported as an event and counted.
func (c *Chain) fallback(p *commands.Proc, q shell.Query, limit string) int {
	if limit != "" {
		c.metrics.limit(limit)
		emit(p, EventLimited, "LLM limit reached ("+limit+"): "+q.Line, map[string]any{"input": NormalizeLine(q.Line), "limit": limit})
	}
	c.metrics.answer(StageFallback)
	out, st := Fallback(c.cfg.Persona, p.Args, q.Construct)
	return write(p, out, st)
}

// write prints an answer: to stderr when it failed (so 2>/dev/null hides it as it would
// hide the real program's error), else to stdout.
func write(p *commands.Proc, answer string, status int) int {
	w := p.Stdout
	if status != 0 && p.Stderr != nil {
		w = p.Stderr
	}
	if answer != "" && w != nil {
		io.WriteString(w, answer)
	}
	return status
}

func emit(p *commands.Proc, id, msg string, fields map[string]any) {
	if p.Session != nil && p.Session.Sink != nil {
		p.Session.Sink.Event(id, msg, fields)
	}
}

func estimatePrompt(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += EstimateTokens(m.Content) + 4
	}
	return n
}
