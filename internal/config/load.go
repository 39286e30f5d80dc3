package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Default returns the embedded defaults: what `lure serve` runs with no config file.
func Default() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "sensor-1"
	}
	return Config{
		DataDir: "./lure-data",
		Sensor:  host,
		Persona: "default",
		SSH: SSH{
			Listen:        StringList{"0.0.0.0:2222"},
			MaxConnsPerIP: 8,
			MaxConns:      256,
			MaxAuthTries:  6,
			AuthTimeout:   Duration(120 * time.Second),
			AuthFailDelay: Duration(2 * time.Second),
			IdleTimeout:   Duration(30 * time.Minute),
		},
		Shell: Shell{
			Timeout:   Duration(10 * time.Second),
			MaxSteps:  100000,
			MaxOutput: 1 << 20,
			MaxVar:    4 << 20,
		},
		Overlay: Overlay{PerIP: 16 << 20, PerFile: 4 << 20, Total: 1 << 30},
		Downloads: Downloads{
			Enabled: false,
			MaxSize: 10 << 20,
			Rate:    1 << 20,
			Timeout: Duration(30 * time.Second),
		},
		Log:     Log{Level: "info"},
		Analyst: defaultAnalyst(),
		IPS: IPS{
			Enabled:          true,
			Allowlist:        StringList{"127.0.0.0/8", "::1/128"},
			BanDuration:      Duration(4 * time.Hour), // CrowdSec's default ban
			EscalationFactor: 2,
			EscalationWindow: Duration(7 * 24 * time.Hour),
			MaxBanDuration:   Duration(7 * 24 * time.Hour),
			SynOnlyDuration:  Duration(2 * time.Minute),
			MaxDecisions:     100000,
			LAPI:             LAPI{Listen: "127.0.0.1:8081"},
			Webhook:          Webhook{Queue: 1024, Retries: 3, Timeout: Duration(5 * time.Second)},
			Detect:           DefaultIPSDetect(),
		},
		LLM: LLM{
			Model:         "llama3.1:8b",
			APIKeyEnv:     "OPENAI_API_KEY",
			Timeout:       Duration(4 * time.Second),
			MaxTokens:     800,
			Temperature:   0.2,
			Stream:        true,
			PromptTokens:  3000,
			MaxConcurrent: 4,
			RatePerIP:     20,
			TokensPerIP:   100000,
			TokensPerDay:  2000000,
		},
	}
}

// Error is a configuration problem tied to a place in the file.
type Error struct {
	File string
	Line int
	Key  string // dotted path, e.g. "ssh.listen"
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// Load reads the YAML file at path over the defaults and validates the result.
// Errors name the file, the line and the key.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load for bytes already read; name is used in error messages.
func Parse(name string, data []byte) (Config, error) {
	cfg := Default()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // an empty file: all defaults
			return cfg, cfg.validate(name, nil)
		}
		return Config{}, &Error{File: name, Line: yamlErrLine(err), Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	lines := map[string]int{}
	if len(doc.Content) > 0 {
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			return cfg, cfg.validate(name, lines)
		}
		if err := decodeInto(name, "", root, reflect.ValueOf(&cfg).Elem(), lines); err != nil {
			return Config{}, err
		}
	}
	return cfg, cfg.validate(name, lines)
}

func yamlErrLine(err error) int {
	// yaml.v3 syntax errors read "yaml: line N: ...".
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		rest := s[i+5:]
		if j := strings.IndexByte(rest, ':'); j > 0 {
			if n, e := strconv.Atoi(rest[:j]); e == nil {
				return n
			}
		}
	}
	return 0
}

// decodeInto walks the YAML node against the struct so that every unknown key and bad value is
// reported with its line and dotted key (yaml.v3's own errors lack the key path).
func decodeInto(file, key string, n *yaml.Node, v reflect.Value, lines map[string]int) error {
	lines[key] = n.Line
	bad := func(msg string, a ...any) error {
		return &Error{File: file, Line: n.Line, Key: key, Msg: fmt.Sprintf(msg, a...)}
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch v.Addr().Interface().(type) {
	case *Duration:
		if n.Kind != yaml.ScalarNode {
			return bad("want a duration such as 120s, 4s or 30m")
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil || d < 0 {
			return bad("%q is not a duration (use forms like 120s, 4s, 30m)", n.Value)
		}
		v.SetInt(int64(d))
		return nil
	case *Size:
		if n.Kind != yaml.ScalarNode {
			return bad("want a size such as 4194304, 4MiB or 1GiB")
		}
		s, err := ParseSize(n.Value)
		if err != nil {
			return bad("%v", err)
		}
		v.SetInt(s)
		return nil
	case *StringList:
		switch n.Kind {
		case yaml.ScalarNode:
			v.Set(reflect.ValueOf(StringList{n.Value}))
			return nil
		case yaml.SequenceNode:
			out := StringList{}
			for i, c := range n.Content {
				lines[fmt.Sprintf("%s[%d]", key, i)] = c.Line
				if c.Kind != yaml.ScalarNode {
					return &Error{File: file, Line: c.Line, Key: key, Msg: "want a string"}
				}
				out = append(out, c.Value)
			}
			v.Set(reflect.ValueOf(out))
			return nil
		default:
			return bad("want a string or a list of strings")
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return bad("want a mapping of keys")
		}
		fields := map[string]int{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" {
				fields[tag] = i
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			sub := k.Value
			if key != "" {
				sub = key + "." + k.Value
			}
			idx, ok := fields[k.Value]
			if !ok {
				known := make([]string, 0, len(fields))
				for f := range fields {
					known = append(known, f)
				}
				sort.Strings(known)
				return &Error{File: file, Line: k.Line, Key: sub, Msg: "unknown key (known keys here: " + strings.Join(known, ", ") + ")"}
			}
			if err := decodeInto(file, sub, val, v.Field(idx), lines); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return bad("want a list")
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := decodeInto(file, fmt.Sprintf("%s[%d]", key, i), c, s.Index(i), lines); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return bad("want a string")
		}
		v.SetString(n.Value)
		return nil
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			return bad("%q is not true or false", n.Value)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return bad("%q is not a whole number", n.Value)
		}
		v.SetInt(i)
		return nil
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return bad("%q is not a number", n.Value)
		}
		v.SetFloat(f)
		return nil
	}
	return bad("unsupported value")
}

// ParseSize reads byte counts: 1024, "64KiB", "4MiB", "16M", "1GiB", "1G".
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (use forms like 4194304, 64KiB, 4MiB, 1GiB)", s)
	}
	return n * mult, nil
}

// validate checks values that parse but make no sense; lines maps dotted keys to lines.
func (c *Config) validate(file string, lines map[string]int) error {
	bad := func(key, msg string, a ...any) error {
		return &Error{File: file, Line: lines[key], Key: key, Msg: fmt.Sprintf(msg, a...)}
	}
	if c.DataDir == "" {
		return bad("data_dir", "must not be empty")
	}
	if c.Sensor == "" {
		return bad("sensor", "must not be empty")
	}
	if c.Persona == "" {
		return bad("persona", `must be "default" or the path of a persona file`)
	}
	if c.Persona != "default" {
		if _, err := os.Stat(c.Persona); err != nil {
			return bad("persona", "cannot read persona file: %v", err)
		}
	}
	if len(c.SSH.Listen) == 0 {
		return bad("ssh.listen", "needs at least one address such as 0.0.0.0:2222")
	}
	for i, a := range c.SSH.Listen {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			k := "ssh.listen"
			if _, ok := lines[fmt.Sprintf("ssh.listen[%d]", i)]; ok {
				k = fmt.Sprintf("ssh.listen[%d]", i)
			}
			return bad(k, "%q is not HOST:PORT", a)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return bad("ssh.listen", "%q has no valid port", a)
		}
	}
	for i, cr := range c.SSH.Credentials {
		if cr.User == "" {
			return bad(fmt.Sprintf("ssh.credentials[%d]", i), "user must not be empty")
		}
	}
	for _, p := range []struct {
		key string
		v   int
	}{{"ssh.max_conns_per_ip", c.SSH.MaxConnsPerIP}, {"ssh.max_conns", c.SSH.MaxConns}, {"ssh.max_auth_tries", c.SSH.MaxAuthTries}, {"shell.max_steps", c.Shell.MaxSteps}} {
		if p.v <= 0 {
			return bad(p.key, "must be at least 1")
		}
	}
	if c.SSH.MaxConnsPerIP > c.SSH.MaxConns {
		return bad("ssh.max_conns_per_ip", "is larger than ssh.max_conns (%d)", c.SSH.MaxConns)
	}
	for _, p := range []struct {
		key string
		v   Duration
	}{{"ssh.auth_timeout", c.SSH.AuthTimeout}, {"ssh.idle_timeout", c.SSH.IdleTimeout}, {"shell.timeout", c.Shell.Timeout}, {"downloads.timeout", c.Downloads.Timeout}} {
		if p.v <= 0 {
			return bad(p.key, "must be a positive duration")
		}
	}
	for _, p := range []struct {
		key string
		v   Size
	}{{"shell.max_output", c.Shell.MaxOutput}, {"shell.max_var", c.Shell.MaxVar}, {"overlay.per_ip", c.Overlay.PerIP}, {"overlay.per_file", c.Overlay.PerFile}, {"overlay.total", c.Overlay.Total}, {"downloads.max_size", c.Downloads.MaxSize}, {"downloads.rate", c.Downloads.Rate}} {
		if p.v <= 0 {
			return bad(p.key, "must be a positive size")
		}
	}
	if c.Overlay.PerFile > c.Overlay.PerIP {
		return bad("overlay.per_file", "is larger than overlay.per_ip")
	}
	if c.Overlay.PerIP > c.Overlay.Total {
		return bad("overlay.per_ip", "is larger than overlay.total")
	}
	if err := c.LLM.validate(bad); err != nil {
		return err
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			return bad("metrics.listen", "%q is not HOST:PORT (such as 127.0.0.1:9464)", c.Metrics.Listen)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if err := c.Analyst.validate(bad); err != nil {
		return err
	}
	return c.IPS.validate(bad)
}

// validate checks the ips section; bad builds an error for a dotted key.
func (c *IPS) validate(bad func(key, msg string, a ...any) error) error {
	for i, a := range c.Allowlist {
		if _, err := ParsePrefix(a); err != nil {
			return bad(fmt.Sprintf("ips.allowlist[%d]", i), "%v", err)
		}
	}
	for _, p := range []struct {
		key string
		v   Duration
	}{{"ips.ban_duration", c.BanDuration}, {"ips.escalation_window", c.EscalationWindow}, {"ips.max_ban_duration", c.MaxBanDuration}, {"ips.syn_only_duration", c.SynOnlyDuration}, {"ips.webhook.timeout", c.Webhook.Timeout}} {
		if p.v <= 0 {
			return bad(p.key, "must be a positive duration")
		}
	}
	if c.MaxBanDuration < c.BanDuration {
		return bad("ips.max_ban_duration", "is shorter than ips.ban_duration (%s)", time.Duration(c.BanDuration))
	}
	if c.SynOnlyDuration > c.BanDuration {
		return bad("ips.syn_only_duration", "is longer than ips.ban_duration (%s); evidence without a handshake can be forged and must get less", time.Duration(c.BanDuration))
	}
	if c.EscalationFactor < 1 {
		return bad("ips.escalation_factor", "must be at least 1 (1: no escalation)")
	}
	if c.MaxDecisions < 1 {
		return bad("ips.max_decisions", "must be at least 1")
	}
	if c.LAPI.Listen != "" {
		if _, port, err := net.SplitHostPort(c.LAPI.Listen); err != nil || port == "" {
			return bad("ips.lapi.listen", "%q is not HOST:PORT (or \"\" to turn the bouncer API off)", c.LAPI.Listen)
		}
	}
	for _, ks := range []struct {
		key  string
		keys StringList
	}{{"ips.lapi.bouncer_keys", c.LAPI.BouncerKeys}, {"ips.feed.keys", c.Feed.Keys}} {
		for i, k := range ks.keys {
			key := fmt.Sprintf("%s[%d]", ks.key, i)
			if k == "change-me" {
				return bad(key, "replace the example key with a secret (for example: openssl rand -hex 24)")
			}
			if len(k) < 16 {
				return bad(key, "is shorter than 16 characters; use a random secret (for example: openssl rand -hex 24)")
			}
		}
	}
	for i, p := range c.NFTables.ExemptPorts {
		if p < 1 || p > 65535 {
			return bad(fmt.Sprintf("ips.nftables.exempt_ports[%d]", i), "%d is not a TCP port (1-65535)", p)
		}
	}
	if c.Webhook.URL != "" {
		if u, err := url.Parse(c.Webhook.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("ips.webhook.url", "%q is not an http:// or https:// URL", c.Webhook.URL)
		}
	}
	if c.Webhook.Queue < 1 {
		return bad("ips.webhook.queue", "must be at least 1")
	}
	if c.Webhook.Retries < 0 {
		return bad("ips.webhook.retries", "must not be negative")
	}
	return c.Detect.validate(bad)
}

// ParsePrefix reads an allowlist entry: a CIDR ("192.0.2.0/24") or one address ("192.0.2.7").
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR range (such as 192.0.2.0/24 or 2001:db8::/32)", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// validate checks the llm section; bad builds the file:line:key error.
func (l *LLM) validate(bad func(key, msg string, a ...any) error) error {
	if l.BaseURL != "" {
		u, err := url.Parse(l.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("llm.base_url", "%q is not an http(s) URL such as http://127.0.0.1:11434/v1", l.BaseURL)
		}
		if l.Model == "" {
			return bad("llm.model", "must name the model when llm.base_url is set")
		}
	}
	if l.Timeout <= 0 {
		return bad("llm.timeout", "must be a positive duration")
	}
	if l.MaxTokens < 1 || l.MaxTokens > 65536 {
		return bad("llm.max_tokens", "must be between 1 and 65536")
	}
	if l.Temperature < 0 || l.Temperature > 2 {
		return bad("llm.temperature", "must be between 0 and 2")
	}
	for _, p := range []struct {
		key string
		v   int
	}{{"llm.prompt_tokens", l.PromptTokens}, {"llm.max_concurrent", l.MaxConcurrent}, {"llm.rate_per_ip", l.RatePerIP}, {"llm.tokens_per_ip", l.TokensPerIP}, {"llm.tokens_per_day", l.TokensPerDay}} {
		if p.v <= 0 {
			return bad(p.key, "must be at least 1")
		}
	}
	if l.TokensPerIP > l.TokensPerDay {
		return bad("llm.tokens_per_ip", "is larger than llm.tokens_per_day (%d)", l.TokensPerDay)
	}
	return nil
}
