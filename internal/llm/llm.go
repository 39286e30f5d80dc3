// Package llm owns what lure asks a large language model: the responder chain behind the
// emulated shell (response cache, then an OpenAI-compatible endpoint, then a deterministic
// fallback) for programs of the persona that have no emulation and constructs the
// interpreter does not support; the prompt that holds the model to the persona and resists
// prompt injection; the cleaning and in-character guard of its answers; the cache key that
// makes the same question in the same state always get the same answer; and the cost and
// abuse limits (per-IP rate, daily token budgets, concurrent calls, timeout).
//
// The model's output is only ever text written to the attacker's terminal: nothing it says
// is run, parsed into actions or used to open files or connections.
//
// Prompt building (Prompt, Context, Facts, NamedPaths, Listing, Words) is a stable API that
// the fine-tuning dataset export shares, so training data carries the prompt the sensor sends.
// The analyst and dataset sub-packages live beside this one.
package llm

import "github.com/lure-sensor/lure/internal/shell"

// Stages of the responder chain, as written in the "responder" field of
// cowrie.command.input events and in the metrics (the shell's names).
const (
	StageEmulated = shell.ResponderEmulated // an emulated command (or builtin) answered
	StageCache    = shell.ResponderCache    // a cached answer
	StageLLM      = shell.ResponderLLM      // the LLM answered now
	StageFallback = shell.ResponderFallback // the deterministic fallback (LLM off, limited, failed or out of character)
)

// Event ids the chain emits (with the session's common fields).
const (
	// EventLimited: a limit sent a command to the fallback. Fields: input, limit (see the
	// Limit* names).
	EventLimited = "lure.llm.limited"
	// EventFailed: the endpoint failed (HTTP error, malformed or runaway answer). Fields:
	// input, error.
	EventFailed = "lure.llm.failed"
	// EventRejected: the model answered out of character and the fallback replaced it.
	// Fields: input, reason, answer (the rejected text, at most 1 KiB).
	EventRejected = "lure.llm.rejected"
)
