package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// ClientConfig selects an OpenAI-compatible endpoint (Ollama, llama.cpp server, vLLM,
// LM Studio, OpenAI) and how to call it.
type ClientConfig struct {
	BaseURL     string  // e.g. http://127.0.0.1:11434/v1
	Model       string  // e.g. llama3.1:8b
	APIKey      string  // "" sends no Authorization header (local servers)
	MaxTokens   int     // answer tokens per call (default 800)
	Temperature float64 // 0.2 keeps answers close to deterministic
	Stream      bool    // use server-sent events
	// MaxBytes bounds what one answer may stream before the call is abandoned as runaway
	// (default 64 KiB): an endless stream costs the timeout at most, never memory.
	MaxBytes int
	// HTTPClient carries the calls; nil uses a client of its own (no proxy from the
	// environment, so an attacker-facing answer never depends on the host's proxy settings).
	HTTPClient *http.Client
}

// Completion is one answer of the model.
type Completion struct {
	Text             string
	PromptTokens     int // as the endpoint reported them, else estimated
	CompletionTokens int
	// FirstToken is the time to the first content byte (streaming), or to the whole answer.
	FirstToken time.Duration
	Total      time.Duration
}

// Tokens is what the call cost, prompt and answer together.
func (c Completion) Tokens() int { return c.PromptTokens + c.CompletionTokens }

// Errors of Complete that the responder chain tells apart.
var (
	// ErrRunaway reports an answer longer than ClientConfig.MaxBytes.
	ErrRunaway = errors.New("llm: the answer exceeded its size limit")
	// ErrEmpty reports a response without any choice (a malformed answer).
	ErrEmpty = errors.New("llm: the endpoint returned no answer")
	// ErrRefused reports a refusal the endpoint flagged as such.
	ErrRefused = errors.New("llm: the model refused")
)

// Client calls one OpenAI-compatible chat completions endpoint through openai-go. It is
// safe for concurrent use.
type Client struct {
	cfg ClientConfig
	api openai.Client
}

// NewClient checks cfg and builds a client. It makes no request.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, errors.New("llm: the endpoint needs a base URL and a model")
	}
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("llm: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 800
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 10
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	key := cfg.APIKey
	api := openai.NewClient(
		option.WithBaseURL(cfg.BaseURL),
		option.WithAPIKey(key),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0), // the per-command timeout is short: a retry would only hide a slow endpoint
		// The library reads OPENAI_* variables from the environment; only the key the operator
		// named goes out, and no organisation or project header.
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			r.Header.Del("OpenAI-Organization")
			r.Header.Del("OpenAI-Project")
			if key == "" {
				r.Header.Del("Authorization")
			} else {
				r.Header.Set("Authorization", "Bearer "+key)
			}
			return next(r)
		}),
	)
	return &Client{cfg: cfg, api: api}, nil
}

// Model returns the model the client asks.
func (c *Client) Model() string { return c.cfg.Model }

func (c *Client) params(msgs []Message) openai.ChatCompletionNewParams {
	ms := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch m.Role {
		case "system":
			ms = append(ms, openai.SystemMessage(m.Content))
		case "assistant":
			ms = append(ms, openai.AssistantMessage(m.Content))
		default:
			ms = append(ms, openai.UserMessage(m.Content))
		}
	}
	p := openai.ChatCompletionNewParams{
		Model:       openai.ChatModel(c.cfg.Model),
		Messages:    ms,
		MaxTokens:   openai.Int(int64(c.cfg.MaxTokens)),
		Temperature: openai.Float(c.cfg.Temperature),
	}
	return p
}

// Complete asks the model for the answer to msgs. It returns when the answer is complete,
// ctx ends, or the answer grows past MaxBytes.
func (c *Client) Complete(ctx context.Context, msgs []Message) (Completion, error) {
	start := time.Now()
	if c.cfg.Stream {
		return c.stream(ctx, msgs, start)
	}
	res, err := c.api.Chat.Completions.New(ctx, c.params(msgs))
	if err != nil {
		return Completion{}, describe(err)
	}
	if len(res.Choices) == 0 {
		return Completion{}, ErrEmpty
	}
	msg := res.Choices[0].Message
	if msg.Refusal != "" && msg.Content == "" {
		return Completion{}, ErrRefused
	}
	if len(msg.Content) > c.cfg.MaxBytes {
		return Completion{}, ErrRunaway
	}
	el := time.Since(start)
	out := Completion{Text: msg.Content, FirstToken: el, Total: el,
		PromptTokens: int(res.Usage.PromptTokens), CompletionTokens: int(res.Usage.CompletionTokens)}
	out.estimate(msgs)
	return out, nil
}

func (c *Client) stream(ctx context.Context, msgs []Message, start time.Time) (Completion, error) {
	p := c.params(msgs)
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	// The stream's body is closed when ctx ends, so a stuck endpoint releases Next.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := c.api.Chat.Completions.NewStreaming(sctx, p)
	defer s.Close()
	var b strings.Builder
	var out Completion
	chunks, refused := 0, false
	for s.Next() {
		ch := s.Current()
		chunks++
		if ch.Usage.TotalTokens > 0 {
			out.PromptTokens, out.CompletionTokens = int(ch.Usage.PromptTokens), int(ch.Usage.CompletionTokens)
		}
		for _, choice := range ch.Choices {
			if choice.Index != 0 {
				continue
			}
			if choice.Delta.Refusal != "" {
				refused = true
			}
			if choice.Delta.Content == "" {
				continue
			}
			if b.Len() == 0 {
				out.FirstToken = time.Since(start)
			}
			b.WriteString(choice.Delta.Content)
			if b.Len() > c.cfg.MaxBytes {
				return Completion{}, ErrRunaway
			}
		}
	}
	if err := s.Err(); err != nil {
		if ctx.Err() != nil {
			return Completion{}, ctx.Err()
		}
		return Completion{}, describe(err)
	}
	if ctx.Err() != nil {
		return Completion{}, ctx.Err()
	}
	if chunks == 0 {
		return Completion{}, ErrEmpty
	}
	if refused && b.Len() == 0 {
		return Completion{}, ErrRefused
	}
	out.Text = b.String()
	out.Total = time.Since(start)
	if out.FirstToken == 0 {
		out.FirstToken = out.Total
	}
	out.estimate(msgs)
	return out, nil
}

// estimate fills token counts the endpoint did not report.
func (c *Completion) estimate(msgs []Message) {
	if c.PromptTokens == 0 {
		for _, m := range msgs {
			c.PromptTokens += EstimateTokens(m.Content) + 4
		}
	}
	if c.CompletionTokens == 0 {
		c.CompletionTokens = EstimateTokens(c.Text)
	}
}

// describe words an endpoint error for the operator: the HTTP status and what the server
// said, without the request dump the library includes.
func describe(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		msg := strings.TrimSpace(apiErr.Message)
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		return &EndpointError{Status: apiErr.StatusCode, Msg: msg}
	}
	return fmt.Errorf("llm: calling the endpoint: %w", err)
}

// EndpointError is an HTTP error answer of the endpoint (429 rate limited, 500, ...).
type EndpointError struct {
	Status int
	Msg    string
}

// Error implements error.
func (e *EndpointError) Error() string {
	return fmt.Sprintf("llm: the endpoint answered HTTP %d: %s", e.Status, e.Msg)
}
