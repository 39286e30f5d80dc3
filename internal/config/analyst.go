package config

import "time"

// Analyst configures the session analyst: after every session it writes a summary, intents,
// ATT&CK techniques, indicators and a risk score (rules always; the LLM too when llm is set).
type Analyst struct {
	Enabled bool `yaml:"enabled"`
	// Queue bounds the closed sessions waiting for analysis; more are counted and skipped.
	Queue int `yaml:"queue"`
	// UseLLM asks the configured LLM to deepen each analysis (no effect while llm is off).
	UseLLM bool `yaml:"use_llm"`
	// Timeout bounds one LLM analysis; after it the rules' analysis is kept.
	Timeout Duration `yaml:"timeout"`
	// LLMPerDay and LLMPerIPPerDay bound the sessions the LLM analyses per UTC day, in total
	// and per source address; beyond them sessions get the rules' analysis.
	LLMPerDay      int `yaml:"llm_per_day"`
	LLMPerIPPerDay int `yaml:"llm_per_ip_per_day"`
}

func defaultAnalyst() Analyst {
	return Analyst{Enabled: true, Queue: 256, UseLLM: true, Timeout: Duration(60 * time.Second), LLMPerDay: 1000, LLMPerIPPerDay: 5}
}

// validate checks the analyst section; bad builds an error for a dotted key.
func (a *Analyst) validate(bad func(key, msg string, args ...any) error) error {
	if a.Queue < 1 || a.Queue > 1<<20 {
		return bad("analyst.queue", "must be between 1 and 1048576")
	}
	if a.Timeout <= 0 || time.Duration(a.Timeout) > time.Hour {
		return bad("analyst.timeout", "must be a positive duration of at most 1h")
	}
	if a.LLMPerDay < 1 {
		return bad("analyst.llm_per_day", "must be at least 1 (use_llm: false turns the LLM off)")
	}
	if a.LLMPerIPPerDay < 1 {
		return bad("analyst.llm_per_ip_per_day", "must be at least 1")
	}
	return nil
}
