package nflog

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// packet builds an NFULNL_MSG_PACKET body as the kernel sends it.
func packet(t *testing.T, family byte, payload []byte, ts time.Time) []byte {
	t.Helper()
	attrs := []netlink.Attribute{{Type: 1, Data: []byte{0x08, 0x00, 1, 0}}}
	if !ts.IsZero() {
		b := binary.BigEndian.AppendUint64(nil, uint64(ts.Unix()))
		b = binary.BigEndian.AppendUint64(b, uint64(ts.Nanosecond()/1000))
		attrs = append(attrs, netlink.Attribute{Type: attrTimestamp, Data: b})
	}
	attrs = append(attrs, netlink.Attribute{Type: attrPayload, Data: payload})
	data, err := netlink.MarshalAttributes(attrs)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{family, 0, 0x1d, 0xf3}, data...)
}

func ipv4SYN(src, dst [4]byte, sport, dport uint16, ihl int) []byte {
	p := make([]byte, ihl+20)
	p[0] = 0x40 | byte(ihl/4)
	p[9] = unix.IPPROTO_TCP
	copy(p[12:], src[:])
	copy(p[16:], dst[:])
	binary.BigEndian.PutUint16(p[ihl:], sport)
	binary.BigEndian.PutUint16(p[ihl+2:], dport)
	p[ihl+13] = 0x02
	return p
}

func TestParsePacket(t *testing.T) {
	ts := time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.UTC)
	s, ok := parsePacket(packet(t, unix.AF_INET, ipv4SYN([4]byte{198, 18, 7, 3}, [4]byte{198, 18, 7, 2}, 40000, 8080, 20), ts))
	if !ok || s.src.String() != "198.18.7.3" || s.dst.String() != "198.18.7.2" || s.sport != 40000 || s.dport != 8080 || !s.at.Equal(ts) {
		t.Errorf("IPv4 SYN parsed as %+v, %v", s, ok)
	}
	// IP options move the TCP header.
	s, ok = parsePacket(packet(t, unix.AF_INET, ipv4SYN([4]byte{203, 0, 113, 1}, [4]byte{10, 0, 0, 1}, 1, 22, 24), time.Time{}))
	if !ok || s.dport != 22 || !s.at.IsZero() {
		t.Errorf("IPv4 SYN with options parsed as %+v, %v", s, ok)
	}
	v6 := make([]byte, 60)
	v6[0], v6[6] = 0x60, unix.IPPROTO_TCP
	src, dst := netip.MustParseAddr("fd00:6c75:7265::3").As16(), netip.MustParseAddr("fd00:6c75:7265::2").As16()
	copy(v6[8:], src[:])
	copy(v6[24:], dst[:])
	binary.BigEndian.PutUint16(v6[40:], 5555)
	binary.BigEndian.PutUint16(v6[42:], 443)
	s, ok = parsePacket(packet(t, unix.AF_INET6, v6, ts))
	if !ok || s.src.String() != "fd00:6c75:7265::3" || s.dst.String() != "fd00:6c75:7265::2" || s.sport != 5555 || s.dport != 443 {
		t.Errorf("IPv6 SYN parsed as %+v, %v", s, ok)
	}
	udp := ipv4SYN([4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 1, 2, 20)
	udp[9] = unix.IPPROTO_UDP
	for name, b := range map[string][]byte{
		"udp":       packet(t, unix.AF_INET, udp, ts),
		"short":     packet(t, unix.AF_INET, udp[:12], ts),
		"bad ihl":   packet(t, unix.AF_INET, append([]byte{0x41}, udp[1:]...), ts),
		"family":    packet(t, unix.AF_PACKET, udp, ts),
		"truncated": {2, 0, 0},
		"garbage":   {2, 0, 0, 0, 0xff, 0xff, 0xff},
	} {
		if s, ok := parsePacket(b); ok {
			t.Errorf("%s: parsed as %+v", name, s)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(10*time.Second, 3)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	a, b := netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.2")
	var got []bool
	for i, port := range []uint16{22, 22, 80, 443, 8080, 22} {
		got = append(got, l.allow(a, port, t0.Add(time.Duration(i)*time.Second)))
	}
	want := []bool{true, false, true, true, false, false} // a repeat, then the cap of 3 ports
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("allow #%d = %v, want %v (all %v)", i, got[i], want[i], got)
		}
	}
	if !l.allow(b, 8080, t0) {
		t.Error("another source has its own bound")
	}
	if !l.allow(a, 8080, t0.Add(11*time.Second)) || !l.allow(a, 22, t0.Add(12*time.Second)) {
		t.Error("a new window starts afresh")
	}
}

// TestStartWithoutNetAdmin runs Start as an unprivileged user: it must fail with
// ErrNoNetAdmin (the message the operator reads), not with some other error. It re-runs this
// test binary as nobody; as a non-root user it checks its own process directly.
func TestStartWithoutNetAdmin(t *testing.T) {
	if os.Getenv("LURE_NFLOG_CHILD") == "1" || os.Geteuid() != 0 {
		_, err := Start(Options{Group: 7667, Logger: slog.New(slog.DiscardHandler)})
		if !errors.Is(err, ErrNoNetAdmin) {
			t.Fatalf("Start without CAP_NET_ADMIN: %v; want ErrNoNetAdmin", err)
		}
		if !strings.Contains(err.Error(), "CAP_NET_ADMIN") {
			t.Errorf("error does not tell the operator what is missing: %v", err)
		}
		return
	}
	// t.TempDir's parent is private to root; nobody needs to reach the binary.
	dir, err := os.MkdirTemp("", "lure-nflog")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "nflog.test")
	in, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(out, in)
	in.Close()
	out.Close()
	cmd := exec.Command(bin, "-test.run=^TestStartWithoutNetAdmin$", "-test.v")
	cmd.Env = append(os.Environ(), "LURE_NFLOG_CHILD=1")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	o, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(o), "--- PASS: TestStartWithoutNetAdmin") {
		t.Fatalf("the unprivileged run failed: %v\n%s", err, o)
	}
}
