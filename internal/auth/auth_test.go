package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lure-sensor/lure/internal/config"
)

func newDefault(t *testing.T, dir string) *Policy {
	t.Helper()
	p, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfiguredCredentialsExactly(t *testing.T) {
	p, err := New(Options{Credentials: []config.Credential{{User: "root", Password: "Winter2024!"}, {User: "admin", Password: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user, pw string
		ok       bool
	}{
		{"root", "Winter2024!", true},
		{"admin", "x", true},
		{"root", "x", false},
		{"root", "root", false},
		{"root", "123456", false},
		{"admin", "Winter2024!", false},
		{"guest", "guest", false},
	}
	for i := 0; i < 3; i++ { // repeated tries change nothing
		for _, c := range cases {
			if got := p.Check("198.51.100.1", c.user, c.pw); got != c.ok {
				t.Errorf("Check(%s/%s) = %v, want %v", c.user, c.pw, got, c.ok)
			}
		}
	}
}

// A bot's one-try tests: a random password, and root/root as the very first attempt.
func TestDefaultPolicyDefeatsOneTryTests(t *testing.T) {
	p := newDefault(t, t.TempDir())
	for i := 0; i < 200; i++ {
		ip := fmt.Sprintf("198.51.100.%d", i)
		if p.Check(ip, "root", "root") {
			t.Fatalf("%s: first attempt root/root was accepted", ip)
		}
	}
	for i := 0; i < 50; i++ {
		ip := fmt.Sprintf("203.0.113.%d", i)
		for j := 0; j < 10; j++ {
			if p.Check(ip, "root", fmt.Sprintf("xK9#q%dz%d", i, j)) {
				t.Fatalf("%s: random password accepted", ip)
			}
		}
	}
}

func TestDefaultPolicyThresholdAndMemory(t *testing.T) {
	dir := t.TempDir()
	p := newDefault(t, dir)
	seen := map[int]bool{}
	for i := 0; i < 100; i++ {
		ip := fmt.Sprintf("192.0.2.%d", i)
		k := p.Threshold(ip)
		if k < 1 || k > 4 {
			t.Fatalf("threshold %d out of range", k)
		}
		seen[k] = true
		tries := 0
		for !p.Check(ip, "root", "123456") {
			tries++
			if tries > 10 {
				t.Fatalf("%s never got in", ip)
			}
		}
		if tries != k {
			t.Fatalf("%s got in after %d failures, threshold %d", ip, tries, k)
		}
		// The pair sticks, another weak password for the same user now fails.
		if !p.Check(ip, "root", "123456") {
			t.Fatalf("%s: remembered pair refused", ip)
		}
		if p.Check(ip, "root", "password") || p.Check(ip, "root", "root") {
			t.Fatalf("%s: other password accepted after a remembered login", ip)
		}
	}
	if len(seen) != 4 {
		t.Fatalf("thresholds seen %v, want all of 1..4 across 100 IPs", seen)
	}
}

func TestDefaultPolicyRefusesOddNamesAndUserEqualsPassword(t *testing.T) {
	p := newDefault(t, t.TempDir())
	ip := "192.0.2.200"
	for i := 0; i < 5; i++ {
		if p.Check(ip, "bad user", "123456") || p.Check(ip, "", "123456") {
			t.Fatal("odd user name accepted")
		}
	}
	if !p.Check(ip, "oracle1x", "oracle1x") {
		t.Fatal("user name as password refused after enough failures")
	}
}

func TestDefaultPolicyPersists(t *testing.T) {
	dir := t.TempDir()
	p := newDefault(t, dir)
	ip := "192.0.2.77"
	k := p.Threshold(ip)
	for !p.Check(ip, "admin", "admin") {
	}
	other := "192.0.2.78"
	p.Check(other, "root", "nope-not-weak")
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "secret"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret: %v %v", st, err)
	}

	q := newDefault(t, dir)
	if q.Threshold(ip) != k {
		t.Fatal("threshold changed across restart: secret not kept")
	}
	if !q.Check(ip, "admin", "admin") {
		t.Fatal("remembered pair forgotten across restart")
	}
	if q.Check(ip, "admin", "123456") {
		t.Fatal("other password accepted after restart")
	}
	// The failure made before the restart counts.
	if got := q.ips[other].Failures; got != 1 {
		t.Fatalf("failures of %s after restart = %d, want 1", other, got)
	}
}

func TestDefaultPolicyBounded(t *testing.T) {
	p, err := New(Options{Dir: t.TempDir(), MaxIPs: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		p.Check(fmt.Sprintf("10.0.%d.%d", i/256, i%256), "root", "x")
	}
	if n := len(p.ips); n > 100 {
		t.Fatalf("%d IPs kept, bound 100", n)
	}
}

func TestWeakListSize(t *testing.T) {
	p := newDefault(t, t.TempDir())
	if n := len(p.weak); n < 250 {
		t.Fatalf("weak list has %d entries, want a few hundred", n)
	}
	for _, pw := range []string{"123456", "password", "admin", "root"} {
		if !p.Weak("x", pw) {
			t.Errorf("%q not weak", pw)
		}
	}
}
