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

// Stages of the responder chain, as written in the "responder" field of
// cowrie.command.input events and in the metrics.
const (
	StageEmulated = "emulated" // an emulated command (or builtin) answered
	StageCache    = "cache"    // a cached LLM answer
	StageLLM      = "llm"      // the LLM answered now
	StageFallback = "fallback" // the deterministic fallback (LLM off, limited, failed or out of character)
)
