package config

import (
	"strings"
	"testing"
	"time"
)

func TestLLMDefaultsOff(t *testing.T) {
	cfg := Default()
	if cfg.LLM.BaseURL != "" {
		t.Fatalf("the embedded default must leave the LLM off, got base_url %q", cfg.LLM.BaseURL)
	}
	if time.Duration(cfg.LLM.Timeout) != 4*time.Second || cfg.LLM.MaxTokens != 800 || cfg.LLM.Temperature != 0.2 {
		t.Errorf("llm defaults: %+v", cfg.LLM)
	}
}

func TestLLMContract(t *testing.T) {
	src := `llm:
  base_url: http://127.0.0.1:11434/v1
  model: llama3.1:8b
  api_key_env: OPENAI_API_KEY
  timeout: 4s
  max_tokens: 800
  temperature: 0.2
  rate_per_ip: 5
`
	cfg, err := Parse("lure.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.LLM
	if l.BaseURL != "http://127.0.0.1:11434/v1" || l.Model != "llama3.1:8b" || l.APIKeyEnv != "OPENAI_API_KEY" || l.RatePerIP != 5 || l.Temperature != 0.2 {
		t.Errorf("llm section: %+v", l)
	}
	for _, c := range []struct{ src, want string }{
		{"llm:\n  base_url: ftp://x\n", "lure.yaml:2: llm.base_url:"},
		{"llm:\n  base_url: http://127.0.0.1/v1\n  model: \"\"\n", "lure.yaml:3: llm.model:"},
		{"llm:\n  temperature: hot\n", "lure.yaml:2: llm.temperature: \"hot\" is not a number"},
		{"llm:\n  temperature: 3\n", "lure.yaml:2: llm.temperature: must be between 0 and 2"},
		{"llm:\n  timeout: 0s\n", "lure.yaml:2: llm.timeout:"},
		{"llm:\n  max_concurrent: 0\n", "lure.yaml:2: llm.max_concurrent: must be at least 1"},
		{"llm:\n  tokens_per_ip: 5000000\n", "lure.yaml:2: llm.tokens_per_ip: is larger than"},
		{"metrics:\n  listen: nope\n", "lure.yaml:2: metrics.listen: \"nope\" is not HOST:PORT"},
	} {
		_, err := Parse("lure.yaml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want prefix %q", c.src, err, c.want)
		}
	}
}
