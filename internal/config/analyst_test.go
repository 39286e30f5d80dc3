package config

import (
	"strings"
	"testing"
	"time"
)

func TestAnalystSection(t *testing.T) {
	d := Default()
	if !d.Analyst.Enabled || d.Analyst.Queue != 256 || !d.Analyst.UseLLM || time.Duration(d.Analyst.Timeout) != time.Minute || d.Analyst.LLMPerDay != 1000 || d.Analyst.LLMPerIPPerDay != 5 {
		t.Errorf("defaults: %+v", d.Analyst)
	}
	cfg, err := Parse("lure.yaml", []byte("analyst:\n  enabled: false\n  queue: 8\n  use_llm: false\n  timeout: 20s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Analyst.Enabled || cfg.Analyst.Queue != 8 || cfg.Analyst.UseLLM || time.Duration(cfg.Analyst.Timeout) != 20*time.Second {
		t.Errorf("read as %+v", cfg.Analyst)
	}
	for _, c := range []struct{ src, want string }{
		{"analyst:\n  queue: 0\n", "lure.yaml:2: analyst.queue: must be between 1 and 1048576"},
		{"analyst:\n  timeout: 2h\n", "lure.yaml:2: analyst.timeout: must be a positive duration of at most 1h"},
		{"analyst:\n  qeue: 5\n", "analyst.qeue"},
		{"analyst:\n  llm_per_day: 0\n", "lure.yaml:2: analyst.llm_per_day: must be at least 1"},
		{"analyst:\n  llm_per_ip_per_day: -1\n", "lure.yaml:2: analyst.llm_per_ip_per_day: must be at least 1"},
	} {
		_, err := Parse("lure.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}
