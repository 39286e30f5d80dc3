// Package config owns lure's YAML configuration: the embedded defaults, loading, and
// validation with errors that name the file, line and key.
package config

import (
	"time"
)

// Config is the whole configuration. Every key has a default (see Default).
type Config struct {
	DataDir   string    `yaml:"data_dir"`
	Sensor    string    `yaml:"sensor"`  // name written into every event; defaults to the host name
	Persona   string    `yaml:"persona"` // "default" or the path of a persona file
	SSH       SSH       `yaml:"ssh"`
	Shell     Shell     `yaml:"shell"`
	Overlay   Overlay   `yaml:"overlay"`
	Downloads Downloads `yaml:"downloads"`
	LLM       LLM       `yaml:"llm"`
	Log       Log       `yaml:"log"`
	IPS       IPS       `yaml:"ips"`
	Analyst   Analyst   `yaml:"analyst"`
	Metrics   Metrics   `yaml:"metrics"`
}

// Metrics configures the Prometheus text endpoint (GET /metrics). Off by default.
type Metrics struct {
	Listen string `yaml:"listen"` // HOST:PORT, e.g. 127.0.0.1:9464; empty: off
}

// SSH configures the SSH frontend.
type SSH struct {
	Listen      StringList   `yaml:"listen"`      // "0.0.0.0:2222", a string or a list
	Credentials []Credential `yaml:"credentials"` // when present, exactly these pairs log in
	// MaxConnsPerIP and MaxConns bound concurrent connections (a flood degrades the flood).
	MaxConnsPerIP int `yaml:"max_conns_per_ip"`
	MaxConns      int `yaml:"max_conns"`
	// MaxAuthTries failures end the connection, as OpenSSH's MaxAuthTries 6 does.
	MaxAuthTries int `yaml:"max_auth_tries"`
	// AuthTimeout closes unauthenticated connections (OpenSSH LoginGraceTime 120s).
	AuthTimeout Duration `yaml:"auth_timeout"`
	// AuthFailDelay is the pause after a failed password, as pam_unix's delay.
	AuthFailDelay Duration `yaml:"auth_fail_delay"`
	// IdleTimeout closes a logged-in session with no input for this long.
	IdleTimeout Duration `yaml:"idle_timeout"`
}

// Credential is one user/password pair that logs in.
type Credential struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
}

// Shell bounds one command line of the emulated shell.
type Shell struct {
	Timeout   Duration `yaml:"timeout"`
	MaxSteps  int      `yaml:"max_steps"`
	MaxOutput Size     `yaml:"max_output"`
	MaxVar    Size     `yaml:"max_var"`
}

// Overlay bounds what attackers store in their copy-on-write filesystems.
type Overlay struct {
	PerIP   Size `yaml:"per_ip"`
	PerFile Size `yaml:"per_file"`
	Total   Size `yaml:"total"`
}

// Downloads lets wget/curl in the shell really fetch URLs. Off by default: the fake box then
// fails as a box without DNS does.
type Downloads struct {
	Enabled bool     `yaml:"enabled"`
	MaxSize Size     `yaml:"max_size"`
	Rate    Size     `yaml:"rate"` // bytes per second
	Timeout Duration `yaml:"timeout"`
}

// LLM configures the language model that answers what the shell does not emulate, through
// any OpenAI-compatible /v1/chat/completions endpoint. Off by default (empty base_url): such
// commands then get the deterministic fallback.
type LLM struct {
	BaseURL string `yaml:"base_url"` // e.g. http://127.0.0.1:11434/v1; empty: off
	Model   string `yaml:"model"`
	// APIKeyEnv names the environment variable that holds the API key (the key itself never
	// goes in the file). An unset variable sends no key, as local servers expect.
	APIKeyEnv   string   `yaml:"api_key_env"`
	Timeout     Duration `yaml:"timeout"` // per command; then the fallback answers
	MaxTokens   int      `yaml:"max_tokens"`
	Temperature float64  `yaml:"temperature"`
	Stream      bool     `yaml:"stream"` // stream the answer (time to first token, early cut of runaway output)
	// PromptTokens bounds the prompt: persona facts, listing and recent commands.
	PromptTokens int `yaml:"prompt_tokens"`
	// MaxConcurrent bounds the calls in flight; beyond it the fallback answers at once.
	MaxConcurrent int `yaml:"max_concurrent"`
	// RatePerIP bounds the calls one source IP causes per minute (cache hits are free).
	RatePerIP int `yaml:"rate_per_ip"`
	// TokensPerIP and TokensPerDay are daily token budgets (prompt + answer), per source IP
	// and in total; the day starts at 00:00 UTC.
	TokensPerIP  int `yaml:"tokens_per_ip"`
	TokensPerDay int `yaml:"tokens_per_day"`
}

// Log configures the operator's log (not the event log).
type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
}

// IPS configures the intrusion prevention room: how alerts become decisions and which
// enforcers apply them.
type IPS struct {
	Enabled bool `yaml:"enabled"`
	// Allowlist holds addresses and CIDRs that are never banned (loopback always is).
	Allowlist StringList `yaml:"allowlist"`
	// DryRun records decisions without enforcing any.
	DryRun bool `yaml:"dry_run"`
	// BanDuration is a first offence's ban; each earlier ban of the address within
	// EscalationWindow multiplies it by EscalationFactor, up to MaxBanDuration.
	BanDuration      Duration `yaml:"ban_duration"`
	EscalationFactor int      `yaml:"escalation_factor"`
	EscalationWindow Duration `yaml:"escalation_window"`
	MaxBanDuration   Duration `yaml:"max_ban_duration"`
	// SynOnlyDuration is the most that evidence without a completed TCP handshake gets (it
	// can be forged).
	SynOnlyDuration Duration `yaml:"syn_only_duration"`
	// MaxDecisions caps the decisions in force.
	MaxDecisions int       `yaml:"max_decisions"`
	LAPI         LAPI      `yaml:"lapi"`
	NFTables     NFTables  `yaml:"nftables"`
	Feed         Feed      `yaml:"feed"`
	Webhook      Webhook   `yaml:"webhook"`
	Detect       IPSDetect `yaml:"detect"`
}

// LAPI is the CrowdSec-compatible bouncer API.
type LAPI struct {
	// Listen is HOST:PORT; empty turns the API off.
	Listen string `yaml:"listen"`
	// BouncerKeys are the X-Api-Key values bouncers send. When empty, lure generates one
	// into DATA_DIR/ips/bouncer.key.
	BouncerKeys StringList `yaml:"bouncer_keys"`
}

// NFTables is the local enforcer: table inet lure on the sensor itself.
type NFTables struct {
	Enabled bool `yaml:"enabled"`
	// ExemptPorts stay open to banned addresses so the sensor keeps collecting; the SSH
	// listen ports are always exempt.
	ExemptPorts []int `yaml:"exempt_ports"`
}

// Feed is the blocklist for firewalls that import URL lists, served on the LAPI listener at
// /v1/feed/blocklist.txt and /v1/feed/blocklist.json. It is off while Keys is empty.
type Feed struct {
	Keys StringList `yaml:"keys"`
}

// Webhook POSTs each decision as JSON to URL (off while URL is empty).
type Webhook struct {
	URL     string   `yaml:"url"`
	Queue   int      `yaml:"queue"`   // decisions waiting; more are dropped and counted
	Retries int      `yaml:"retries"` // after the first attempt
	Timeout Duration `yaml:"timeout"` // per attempt
}

// StringList is a YAML string or list of strings.
type StringList []string

// Duration is a time.Duration written as "120s", "4s", "30m".
type Duration time.Duration

// Size is a byte count written as 4194304, "4MiB", "16M", "1GiB".
type Size int64
