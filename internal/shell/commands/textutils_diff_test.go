package commands

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/vfs"
)

func TestDiffTextutils(t *testing.T) {
	runDiffCases(t, []diffCase{
		{line: "grep alpha a.txt"},
		{line: "grep -i APPLE words.txt"},
		{line: "grep -v a a.txt"},
		{line: "grep -c a a.txt"},
		{line: "grep -n beta a.txt"},
		{line: "grep -l alpha a.txt b.txt"},
		{line: "grep -L alpha a.txt b.txt"},
		{line: "grep -o 'al[a-z]*' a.txt"},
		{line: "grep -w apple words.txt"},
		{line: "grep -x apple words.txt"},
		{line: "grep -E 'alpha|delta' a.txt"},
		{line: "grep 'alpha\\|delta' a.txt"},
		{line: "grep -F 'a.t' a.txt"},
		{line: "grep -q alpha a.txt"},
		{line: "grep -h line sub/c.txt sub/deep/d.log"},
		{line: "grep -H alpha a.txt"},
		{line: "grep -A1 gamma a.txt"},
		{line: "grep -B1 gamma a.txt"},
		{line: "grep -C1 delta a.txt"},
		{line: "grep -r ERROR sub"},
		{line: "grep -rn line sub | sort"},
		{line: "grep nope a.txt"},
		{line: "grep alpha /nope"},
		{line: "grep alpha sub"},
		{line: "grep"},
		{line: "grep -Q x a.txt"},
		{line: "grep '^[0-9]*$' nums.txt"},
		{line: "grep -c '' tabs.txt"},
		{line: "grep root csv.txt | cut -d: -f1,6"},
		{line: "egrep 'alpha|beta' a.txt"},
		{line: "fgrep beta a.txt"},
		{line: "grep ctrl tabs.txt"},
		{line: "grep -e alpha -e gamma a.txt"},
		{line: "cut -d: -f1 csv.txt"},
		{line: "cut -d: -f1,3-4 csv.txt"},
		{line: "cut -d: -f6- csv.txt"},
		{line: "cut -c1-3 a.txt"},
		{line: "cut -c2,4 a.txt"},
		{line: "cut -f2 tabs.txt"},
		{line: "cut -d: -s -f2 a.txt"},
		{line: "cut a.txt"},
		{line: "cut -f0 a.txt"},
		{line: "cut -d: --output-delimiter=, -f1,3 csv.txt"},
		{line: "tr a-z A-Z < a.txt"},
		{line: "tr -d aeiou < a.txt"},
		{line: "tr -s '\\n' < tabs.txt"},
		{line: "tr -cd 'a-z\\n' < words.txt"},
		{line: "tr '[:lower:]' '[:upper:]' < b.txt"},
		{line: "tr ' ' '\\n' < b.txt"},
		{line: "tr"},
		{line: "sort words.txt"},
		{line: "sort -r words.txt"},
		{line: "sort -n nums.txt"},
		{line: "sort -rn nums.txt"},
		{line: "sort -u nums.txt"},
		{line: "sort -t: -k3 -n csv.txt"},
		{line: "sort -k2 words.txt"},
		{line: "sort -f words.txt"},
		{line: "sort nums.txt | uniq"},
		{line: "sort nums.txt | uniq -c"},
		{line: "sort nums.txt | uniq -d"},
		{line: "sort nums.txt | uniq -u"},
		{line: "sort -h", stdin: "1K\n2M\n512\n3G\n"},
		{line: "sort /nope"},
		{line: "uniq a.txt"},
		{line: "sed 's/alpha/ALPHA/' a.txt"},
		{line: "sed 's/a/A/g' a.txt"},
		{line: "sed -n '2p' a.txt"},
		{line: "sed -n '2,4p' a.txt"},
		{line: "sed '1d' a.txt"},
		{line: "sed '$d' a.txt"},
		{line: "sed -n '/beta/p' a.txt"},
		{line: "sed '/beta/d' a.txt"},
		{line: "sed -e 's/a/1/' -e 's/e/2/' a.txt"},
		{line: "sed 's/\\(al\\)pha/\\1X/' a.txt"},
		{line: "sed -E 's/(a|e)+/<&>/g' a.txt"},
		{line: "sed 'y/abc/xyz/' a.txt"},
		{line: "sed '2q' a.txt"},
		{line: "sed -n '$=' a.txt"},
		{line: "sed 's/a/b/2' a.txt"},
		{line: "sed '2i\\inserted' a.txt"},
		{line: "sed '2a appended' a.txt"},
		{line: "sed 's/x/y' a.txt"},
		{line: "sed 'k' a.txt"},
		{line: "sed -i 's/alpha/omega/' a.txt && cat a.txt"},
		{line: "sed = b.txt"},
		{line: "sed -n '/beta/,/delta/p' a.txt"},
		{line: "sed 's/[aeiou]//g' b.txt"},
		{line: "sed 's#/#_#g' csv.txt"},
		{line: "sed '/^$/d' b.txt"},
		{line: "awk '{print $1}' a.txt"},
		{line: "awk -F: '{print $1}' csv.txt"},
		{line: "awk -F: '{print $1,$3}' csv.txt"},
		{line: "awk '{print $NF}' b.txt"},
		{line: "awk 'NR==2' a.txt"},
		{line: "awk 'NR>3' a.txt"},
		{line: "awk '/beta/ {print $2}' a.txt"},
		{line: "awk 'END {print NR}' a.txt"},
		{line: "awk '{print NF}' b.txt"},
		{line: "awk '{print}' b.txt"},
		{line: "awk -F: '$3 >= 1000 {print $1}' csv.txt"},
		{line: "awk -F: '$1 == \"root\"' csv.txt"},
		{line: "awk 'BEGIN {print \"start\"}'"},
		{line: "awk '{print $1 \"-\" $2}' b.txt"},
		{line: "awk -v x=5 'BEGIN {print x}'"},
		{line: "md5sum a.txt b.txt"},
		{line: "sha1sum a.txt"},
		{line: "sha256sum a.txt big.bin"},
		{line: "sha512sum empty"},
		{line: "md5sum /nope"},
		{line: "md5sum", stdin: "abc"},
		{line: "md5sum a.txt > sums && md5sum -c sums"},
		{line: "base64 a.txt"},
		{line: "base64 big.bin | head -2"},
		{line: "base64 -w 0 b.txt"},
		{line: "base64 a.txt | base64 -d"},
		{line: "base64 -d", stdin: "aGVsbG8K\n"},
		{line: "base64 -d", stdin: "aGVs!bG8K\n"},
		{line: "rev a.txt"},
		{line: "tac a.txt"},
		{line: "nl b.txt"},
		{line: "nl -ba b.txt"},
		{line: "paste a.txt b.txt"},
		{line: "paste -s -d, b.txt"},
		{line: "fold -w 5 a.txt"},
		{line: "strings big.bin | head -1"},
		{line: "echo a.txt b.txt | xargs cat"},
		{line: "echo a.txt b.txt | xargs -n1 wc -l"},
		{line: "echo x | xargs -I{} echo pre-{}-post"},
	})
}

// TestNoHostFiles shows that commands read only the vfs: a file that exists on the host at
// the same path with other content is never seen.
func TestNoHostFiles(t *testing.T) {
	img := vfs.NewMemImage()
	img.AddFile("/etc/hostname", "vfs-host\n", 0o644)
	img.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644)
	img.AddFile("/etc/group", "root:x:0:\n", 0o644)
	s := &miniShell{reg: Default(), fs: vfs.NewMemFS(img), dir: "/", env: map[string]string{}}
	for _, tc := range []struct{ line, want string }{
		{"cat /etc/hostname", "vfs-host\n"},
		{"head -1 /etc/hostname", "vfs-host\n"},
		{"grep -r host /etc", "/etc/hostname:vfs-host\n"},
		{"ls /etc", "group\nhostname\npasswd\n"},
		{"cat /etc/os-release", ""},
		{"wc -c /etc/hostname", "9 /etc/hostname\n"},
		{"find /etc -name hostname", "/etc/hostname\n"},
		{"sed -n 1p /etc/hostname", "vfs-host\n"},
		{"awk '{print $1}' /etc/hostname", "vfs-host\n"},
		{"md5sum /etc/hostname", "0e2b81f0d0a0fd1a4a0f1e30e2ba1bf2  /etc/hostname\n"},
	} {
		var so, se bytes.Buffer
		s.run(context.Background(), tc.line, strings.NewReader(""), &so, &se)
		got := so.String()
		if tc.line == "md5sum /etc/hostname" {
			if !strings.HasSuffix(got, "  /etc/hostname\n") || len(got) != 32+2+len("/etc/hostname\n") {
				t.Errorf("%s: got %q", tc.line, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %q (stderr %q), want %q", tc.line, got, se.String(), tc.want)
		}
	}
}

// TestYesStopsOnClosedPipe checks that an endless producer ends when its reader goes away.
func TestYesStopsOnClosedPipe(t *testing.T) {
	img := vfs.NewMemImage()
	s := &miniShell{reg: Default(), fs: vfs.NewMemFS(img), dir: "/", env: map[string]string{}}
	var so, se bytes.Buffer
	st := s.run(context.Background(), "yes | head -2", strings.NewReader(""), &so, &se)
	if so.String() != "y\ny\n" || st != 0 {
		t.Fatalf("got %q status %d", so.String(), st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	so.Reset()
	if st := s.run(ctx, "yes", strings.NewReader(""), &so, &se); st == 0 {
		t.Fatalf("cancelled yes returned 0")
	}
}

func benchRun(b *testing.B, line string) {
	env := buildDiffEnv(b)
	s := &miniShell{reg: Default(), fs: vfs.NewMemFS(env.img), dir: env.root, env: map[string]string{"LANG": "C"}}
	var so, se bytes.Buffer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		so.Reset()
		s.run(context.Background(), line, nil, &so, &se)
	}
}

func BenchmarkLsLa(b *testing.B) { benchRun(b, "ls -la") }
func BenchmarkGrep(b *testing.B) { benchRun(b, "grep -n alpha a.txt b.txt words.txt") }
func BenchmarkAwk(b *testing.B)  { benchRun(b, "awk -F: '{print $1,$3}' csv.txt") }
func BenchmarkSedS(b *testing.B) { benchRun(b, "sed 's/a/A/g' a.txt") }
