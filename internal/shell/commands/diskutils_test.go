package commands

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/vfs"
)

// ddRate masks the volatile part of dd's transfer line (the duration and the rate).
var ddRate = regexp.MustCompile(`copied, [0-9.e-]+ s, [0-9.]+ [kMGTPEZY]?B/s`)

// TestDDMatchesHost runs dd operand lists on the host's coreutils 9.1 and on the emulation
// over the same files, comparing stdout, stderr (duration and rate masked), the status and
// the output file.
func TestDDMatchesHost(t *testing.T) {
	ddPath := hostTool(t, "dd")
	files := map[string][]byte{
		"f":   []byte("hello world\n"),
		"big": bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz\n"), 300),
		"old": []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
	}
	cases := [][]string{
		{"if=.s"}, {"if=f"}, {"if=f", "bs=5"}, {"if=f", "ibs=3", "obs=5"}, {"if=f", "bs=4", "count=1", "status=none"},
		{"if=f", "status=noxfer"}, {"if=f", "bs=4", "skip=10"}, {"if=f", "bs=1", "skip=1", "count=2"},
		{"if=big"}, {"if=big", "bs=1k"}, {"if=big", "bs=1000", "count=2", "skip=1"}, {"if=big", "bs=1kB", "count=1"},
		{"if=big", "bs=2x3", "count=1"}, {"if=big", "count=5B"}, {"if=big", "bs=1", "count=2B", "skip=3B"},
		{"if=f", "of=out"}, {"if=f", "of=out", "bs=2", "seek=3", "count=1"}, {"if=f", "of=old", "conv=notrunc", "bs=1", "count=3"},
		{"if=f", "of=old", "bs=4", "seek=2"}, {"if=f", "of=old", "conv=excl"}, {"if=f", "of=nope", "conv=nocreat"},
		{"if=f", "of=/nonexistent/x"}, {"if=f", "of=/tmp"}, {"if=/tmp"}, {"foo"}, {"bs=abc"}, {"bs=0"}, {"count=-1"},
		{"conv=foo"}, {"status=foo"}, {"iflag=foo"}, {"oflag=fullblock,foo"}, {"if=f", "count=1x"}, {"if=f", "bs=1k2"},
		{"if=f", "conv=ucase"}, {"if=f", "conv=lcase,ucase"}, {"if=f", "conv=swab"}, {"if=f", "bs=8", "conv=sync"},
		{"if=f", "bs=99999999999999999999"}, {"if=f", "--foo"}, {"-v"}, {"if=/dev/zero", "of=/dev/null", "count=3", "bs=1M"},
		{"if=/dev/zero", "of=out", "bs=1k", "count=4"}, {"if=/dev/zero", "bs=100", "count=3", "ibs=7"},
		{"if=/dev/zero", "of=/dev/full", "count=1"}, {"if=/dev/zero", "bs=1", "count=0"}, {"if=/dev/zero", "count=0x5"},
		{"--version"}, {"--help"}, {"if=big", "of=out", "bs=64k", "count=1"}, {"if=f", "of=out", "oflag=append", "conv=notrunc"},
	}
	for _, args := range cases {
		dir := t.TempDir()
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(ddPath, args...)
		cmd.Args[0] = "dd"
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		st := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			st = ee.ExitCode()
		}
		e := newTestEnv(t).withDevices()
		e.env["LANG"] = "C"
		e.dir = "/tmp"
		for name, b := range files {
			if err := e.vfs().WriteFile("/tmp/"+name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gotOut, gotErr, gotSt := e.run(append([]string{"dd"}, args...)...)
		wantErr := ddRate.ReplaceAllString(errb.String(), "copied, T s, R/s")
		gotErr = ddRate.ReplaceAllString(gotErr, "copied, T s, R/s")
		if gotOut != out.String() || gotErr != wantErr || gotSt != st {
			t.Errorf("dd %q:\n got  %q %q %d\n want %q %q %d", args, short(gotOut), gotErr, gotSt, short(out.String()), wantErr, st)
		}
		for _, name := range []string{"out", "old", "nope"} {
			want, werr := os.ReadFile(filepath.Join(dir, name))
			got, gerr := e.vfs().ReadFile("/tmp/" + name)
			if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
				t.Errorf("dd %q: %s holds %q (%v), want %q (%v)", args, name, short(string(got)), gerr, short(string(want)), werr)
			}
		}
	}
}

// short keeps long outputs readable in failure messages.
func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// withDevices adds the character devices of a Debian /dev to the test image.
func (e *tenv) withDevices() *tenv {
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		e.img.Add("/dev/"+d, vfs.Meta{Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666}, nil)
	}
	return e
}

func TestDDStdinAndStreams(t *testing.T) {
	e := newTestEnv(t).withDevices()
	out, errs, st := e.runIn("hi\n", "dd")
	if out != "hi\n" || st != 0 || !strings.HasPrefix(errs, "0+1 records in\n0+1 records out\n3 bytes copied, ") {
		t.Errorf("echo hi | dd: %q %q %d", out, errs, st)
	}
	_, errs, st = e.runIn("hi\n", "dd", "skip=5", "bs=1")
	if st != 0 || !strings.HasPrefix(errs, "dd: 'standard input': cannot skip to specified offset\n0+0 records in\n") {
		t.Errorf("dd skip past stdin: %q %d", errs, st)
	}
	// the line the mirai loaders use
	e.expect([]string{"dd", "bs=52", "count=1", "if=.s"}, "", "dd: failed to open '.s': No such file or directory\n", 1)
	// /dev/urandom into a file: random bytes of the asked size
	_, _, st = e.run("dd", "if=/dev/urandom", "of=/tmp/r", "bs=16", "count=4", "status=none")
	b, err := e.vfs().ReadFile("/tmp/r")
	if st != 0 || err != nil || len(b) != 64 || bytes.Equal(b, make([]byte, 64)) {
		t.Errorf("dd from /dev/urandom: %d %v %d bytes", st, err, len(b))
	}
	// a disk benchmark reports the real figures and keeps a bounded file
	_, errs, st = e.run("dd", "if=/dev/zero", "of=/tmp/test", "bs=64k", "count=16k", "conv=fdatasync")
	if st != 0 || !strings.HasPrefix(errs, "16384+0 records in\n16384+0 records out\n1073741824 bytes (1.1 GB, 1.0 GiB) copied, ") {
		t.Errorf("dd benchmark: %q %d", errs, st)
	}
	if m, err := e.vfs().Stat("/tmp/test"); err != nil || m.Size != ddMaxFile {
		t.Errorf("dd benchmark file: %v %v", m.Size, err)
	}
	// an endless copy into a file fills the disk
	_, errs, st = e.run("dd", "if=/dev/zero", "of=/tmp/fill", "bs=1M")
	if st != 1 || !strings.HasPrefix(errs, "dd: error writing '/tmp/fill': No space left on device\n4+0 records in\n4+0 records out\n4194304 bytes (4.2 MB, 4.0 MiB) copied, ") {
		t.Errorf("dd filling the disk: %q %d", errs, st)
	}
}

func TestDDHumanAndFormat(t *testing.T) {
	for _, tc := range []struct {
		n          uint64
		si, iec    string
		rateNs     int64
		rate, gstr string
	}{
		{0, "0 B", "0 B", 334123, "0.0 kB", ""},
		{52, "52 B", "52 B", 203215, "256 kB", ""},
		{1000, "1.0 kB", "1000 B", 196402, "5.1 MB", ""},
		{1023, "1.0 kB", "1023 B", 137881, "7.4 MB", ""},
		{4096, "4.1 kB", "4.0 KiB", 228163, "18.0 MB", ""},
		{10000, "10 kB", "9.8 KiB", 235977, "42.4 MB", ""},
		{65536, "66 kB", "64 KiB", 575480, "114 MB", ""},
		{1000000, "1.0 MB", "977 KiB", 6593780, "152 MB", ""},
		{123456789, "123 MB", "118 MiB", 781000000, "158 MB", ""},
	} {
		if got := ddHuman(tc.n, 1000); got != tc.si {
			t.Errorf("SI %d: %q want %q", tc.n, got, tc.si)
		}
		if got := ddHuman(tc.n, 1024); got != tc.iec {
			t.Errorf("IEC %d: %q want %q", tc.n, got, tc.iec)
		}
		if got := humanRate(int64(tc.n), tc.rateNs); got != tc.rate {
			t.Errorf("rate %d/%d: %q want %q", tc.n, tc.rateNs, got, tc.rate)
		}
	}
	for v, want := range map[float64]string{0.000334123: "0.000334123", 6.7779e-05: "6.7779e-05", 0.781: "0.781",
		0.00015844: "0.00015844", 3.2: "3.2", 1234567: "1.23457e+06", 0.0999999999: "0.1"} {
		if got := cFormatG(v); got != want {
			t.Errorf("%%g of %v: %q want %q", v, got, want)
		}
	}
}
