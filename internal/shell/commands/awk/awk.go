// Package awk is the honeypot's awk: an interpreter that behaves like Debian 12's default
// awk, mawk 1.3.4 20200120, down to its error texts, number formatting, regular expression
// dialect and the order "for (k in a)" visits keys.
//
// It is written by hand: github.com/benhoyt/goawk is not available to this module, and
// mawk's own behaviour (32-bit integer printing, its hash table order, its scanner quirks)
// would need patching into any other implementation anyway. The package owns the awk
// language only: files, commands and the environment come from the caller through Env, so
// nothing here touches the host.
package awk

import (
	"context"
	"io"
	"time"
)

// Env is everything the interpreter may reach outside itself.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdoutTTY makes stdout line buffered, as stdio does for a terminal.
	StdoutTTY bool
	// Environ is ENVIRON.
	Environ map[string]string
	// ReadFile reads a file for getline < file, -f progfile and input operands; relative
	// names are resolved by the caller.
	ReadFile func(name string) ([]byte, error)
	// WriteFile writes (or, with appendData, appends to) a file for print > file.
	WriteFile func(name string, data []byte, appendData bool) error
	// Run runs a shell command line for system(), print | cmd and cmd | getline, and
	// returns its exit status.
	Run func(ctx context.Context, cmdline string, stdin io.Reader, stdout, stderr io.Writer) int
	// ErrText renders an error as strerror() would ("No such file or directory").
	ErrText func(error) string
	// Now is the clock for srand() and systime(); nil means time.Now.
	Now func() time.Time
	// Location is the local time zone for strftime() and mktime(); nil means UTC.
	Location *time.Location
	// Strftime formats a time as C's strftime; nil uses a built-in C-locale version.
	Strftime func(format string, t time.Time) string
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Limits that keep an attacker's program from taking the sensor down with it.
const (
	// memCap bounds what arrays, strings, fields and buffered output may hold; past it the
	// program fails with mawk's "out of memory".
	memCap = 16 << 20
	// maxCallDepth bounds recursion (mawk would grow its stack until memory runs out).
	maxCallDepth = 2000
	// stepsPerCheck is how many loop iterations or calls run between context checks.
	stepsPerCheck = 1024
)
