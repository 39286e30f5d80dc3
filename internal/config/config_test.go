package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEmptyFileGivesDefaults(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		cfg, err := Parse("lure.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if cfg.DataDir != "./lure-data" || cfg.Persona != "default" || len(cfg.SSH.Listen) != 1 || cfg.SSH.Listen[0] != "0.0.0.0:2222" {
			t.Fatalf("%q: defaults not applied: %+v", src, cfg)
		}
		if cfg.Sensor == "" {
			t.Fatal("sensor name must default to the host name")
		}
	}
}

func TestContractKeys(t *testing.T) {
	src := `data_dir: /var/lib/lure
sensor: edge-7
persona: default
ssh:
  listen: ["127.0.0.1:2200", "[::1]:2200"]
  credentials:
    - {user: root, password: "Winter2024!"}
  auth_timeout: 30s
shell:
  max_output: 2MiB
`
	cfg, err := Parse("lure.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/lure" || cfg.Sensor != "edge-7" {
		t.Errorf("top-level keys: %+v", cfg)
	}
	if len(cfg.SSH.Listen) != 2 || cfg.SSH.Listen[1] != "[::1]:2200" {
		t.Errorf("listen list: %v", cfg.SSH.Listen)
	}
	if len(cfg.SSH.Credentials) != 1 || cfg.SSH.Credentials[0].Password != "Winter2024!" {
		t.Errorf("credentials: %v", cfg.SSH.Credentials)
	}
	if time.Duration(cfg.SSH.AuthTimeout) != 30*time.Second {
		t.Errorf("auth_timeout: %v", cfg.SSH.AuthTimeout)
	}
	if cfg.Shell.MaxOutput != 2<<20 {
		t.Errorf("max_output: %d", cfg.Shell.MaxOutput)
	}
	// Untouched keys keep their defaults.
	if cfg.SSH.MaxAuthTries != 6 || cfg.Overlay.PerIP != 16<<20 {
		t.Errorf("defaults lost: %+v", cfg)
	}
	one, err := Parse("x", []byte("ssh:\n  listen: \"0.0.0.0:22\"\n"))
	if err != nil || len(one.SSH.Listen) != 1 || one.SSH.Listen[0] != "0.0.0.0:22" {
		t.Errorf("listen as a string: %v %v", one.SSH.Listen, err)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		src, want string
	}{
		{"ssh:\n  lisen: x\n", "lure.yaml:2: ssh.lisen: unknown key"},
		{"data_dir: x\nsh:\n  a: b\n", "lure.yaml:2: sh: unknown key"},
		{"ssh:\n  auth_timeout: soon\n", `lure.yaml:2: ssh.auth_timeout: "soon" is not a duration`},
		{"ssh:\n  max_conns: many\n", `lure.yaml:2: ssh.max_conns: "many" is not a whole number`},
		{"ssh:\n  listen: nonsense\n", `lure.yaml:2: ssh.listen: "nonsense" is not HOST:PORT`},
		{"ssh:\n  listen:\n    - 127.0.0.1:22\n    - bad\n", `lure.yaml:4: ssh.listen[1]: "bad" is not HOST:PORT`},
		{"ssh:\n  credentials:\n    - {password: x}\n", "lure.yaml:3: ssh.credentials[0]: user must not be empty"},
		{"overlay:\n  per_file: lots\n", `lure.yaml:2: overlay.per_file: "lots" is not a size`},
		{"ssh:\n  max_conns: 0\n", "lure.yaml:2: ssh.max_conns: must be at least 1"},
		{"persona: /nonexistent/p.persona\n", "lure.yaml:1: persona: cannot read persona file"},
		{"log:\n  level: loud\n", `lure.yaml:2: log.level: "loud" is not one of`},
		{"ssh: [1, 2\n", "lure.yaml:1: invalid YAML"},
		{"downloads:\n  enabled: perhaps\n", `lure.yaml:2: downloads.enabled: "perhaps" is not true or false`},
	}
	for _, c := range cases {
		_, err := Parse("lure.yaml", []byte(c.src))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: want a config.Error, got %v", c.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got %q\nwant prefix %q", c.src, err.Error(), c.want)
		}
	}
}

func TestLoadReadsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lure.yaml")
	if err := os.WriteFile(p, []byte("sensor: s9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p)
	if err != nil || cfg.Sensor != "s9" {
		t.Fatalf("Load: %+v %v", cfg, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file error must name it: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "4MiB": 4 << 20, "16M": 16 << 20, "1GiB": 1 << 30, "64KiB": 64 << 10, "7B": 7} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "4XB", "MiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) should fail", in)
		}
	}
}
