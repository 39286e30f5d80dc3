package analyst

import (
	"context"

	"github.com/lure-sensor/lure/internal/llm"
)

// FromClient adapts the llm package's OpenAI-compatible client to the analyst's Completer.
// The analyst's calls go one at a time (one worker) and are bounded by its own timeout; they
// are not charged to the responder's per-IP budgets, which protect live sessions.
func FromClient(c *llm.Client) Completer {
	return CompleterFunc(func(ctx context.Context, system, user string) (string, error) {
		out, err := c.Complete(ctx, []llm.Message{{Role: "system", Content: system}, {Role: "user", Content: user}})
		if err != nil {
			return "", err
		}
		return out.Text, nil
	})
}
