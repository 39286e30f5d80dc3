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
	Log       Log       `yaml:"log"`
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

// Log configures the operator's log (not the event log).
type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
}

// StringList is a YAML string or list of strings.
type StringList []string

// Duration is a time.Duration written as "120s", "4s", "30m".
type Duration time.Duration

// Size is a byte count written as 4194304, "4MiB", "16M", "1GiB".
type Size int64
