package analyst

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Bounds of one transcript: a session that types more is analysed on what was kept, and the
// transcript says it was cut.
const (
	MaxCommands     = 1000      // command lines kept per session
	MaxInputBytes   = 256 << 10 // bytes of command lines kept per session
	maxListed       = 100       // downloads, uploads, forwards, keys kept per session
	maxCommandBytes = 16 << 10  // one command line, as kept
)

// Command is one command line the attacker ran.
type Command struct {
	Time  time.Time `json:"time"`
	Input string    `json:"input"`
	// NotFound is set when the shell answered "command not found" for a program in it.
	NotFound bool `json:"not_found,omitempty"`
	// Responder is the stage that answered ("emulated", "cache", "llm", "fallback"), when
	// the event says.
	Responder string `json:"responder,omitempty"`
}

// Transfer is a file the attacker fetched or sent.
type Transfer struct {
	URL    string `json:"url,omitempty"`    // downloads
	Name   string `json:"name,omitempty"`   // uploads: the path inside the fake host
	SHA256 string `json:"sha256,omitempty"` // empty when nothing was fetched
	Failed bool   `json:"failed,omitempty"`
}

// Transcript is what the analyst knows about one session, built from its events.
type Transcript struct {
	Session  string    `json:"session"`
	SrcIP    string    `json:"src_ip"`
	DstIP    string    `json:"dst_ip,omitempty"`
	Sensor   string    `json:"sensor,omitempty"`
	Protocol string    `json:"protocol,omitempty"`
	Client   string    `json:"client,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`

	LoginFailures int    `json:"login_failures"`
	LoggedIn      bool   `json:"logged_in"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`

	Commands  []Command  `json:"commands,omitempty"`
	Downloads []Transfer `json:"downloads,omitempty"`
	Uploads   []Transfer `json:"uploads,omitempty"`
	// CredentialChanges are the accounts whose password the attacker changed, as the fake
	// box recorded it (lure.credential.change).
	CredentialChanges []string `json:"credential_changes,omitempty"`
	// Forwards are the HOST:PORT targets of refused port-forward requests.
	Forwards []string `json:"forwards,omitempty"`
	// ClientKeys are the public keys the client offered to log in ("TYPE BASE64").
	ClientKeys []string `json:"client_keys,omitempty"`
	// Truncated is set when the session did more than the transcript keeps.
	Truncated bool `json:"truncated,omitempty"`

	inputBytes int
}

// FromEvents builds the transcript of one session from its events, in order.
func FromEvents(evs []event.Event) *Transcript {
	t := &Transcript{}
	for _, e := range evs {
		t.Add(e)
	}
	return t
}

func field(e event.Event, k string) string {
	v, _ := e.Fields[k].(string)
	return v
}

// Add folds one event into the transcript, within its bounds.
func (t *Transcript) Add(e event.Event) {
	if t.Session == "" {
		t.Session, t.SrcIP, t.DstIP, t.Sensor, t.Protocol = e.Session, e.SrcIP, e.DstIP, e.Sensor, e.Protocol
	}
	if t.Start.IsZero() || (!e.Time.IsZero() && e.Time.Before(t.Start)) {
		t.Start = e.Time
	}
	if e.Time.After(t.End) {
		t.End = e.Time
	}
	switch e.EventID {
	case event.ClientVersion:
		t.Client = clip(field(e, "version"), 200)
	case event.LoginFailed:
		t.LoginFailures++
	case event.LoginSuccess:
		t.LoggedIn = true
		t.Username, t.Password = clip(field(e, "username"), 200), clip(field(e, "password"), 200)
	case event.CommandInput:
		in := field(e, "input")
		if len(t.Commands) >= MaxCommands || t.inputBytes+len(in) > MaxInputBytes {
			t.Truncated = true
			return
		}
		in = clip(in, maxCommandBytes)
		t.inputBytes += len(in)
		t.Commands = append(t.Commands, Command{Time: e.Time, Input: in, Responder: field(e, "responder")})
	case event.CommandFailed:
		// The failed program belongs to the latest command line that contains it.
		in := field(e, "input")
		for i := len(t.Commands) - 1; i >= 0 && i >= len(t.Commands)-3; i-- {
			if first := strings.Fields(in); len(first) > 0 && strings.Contains(t.Commands[i].Input, first[0]) {
				t.Commands[i].NotFound = true
				break
			}
		}
	case event.FileDownload, event.FileDownloadFailed:
		t.Downloads = appendBounded(t, t.Downloads, Transfer{URL: clip(field(e, "url"), 2048), SHA256: field(e, "shasum"), Failed: e.EventID == event.FileDownloadFailed})
	case event.FileUpload:
		t.Uploads = appendBounded(t, t.Uploads, Transfer{Name: clip(field(e, "filename"), 1024), SHA256: field(e, "shasum")})
	case "lure.credential.change":
		t.CredentialChanges = appendBounded(t, t.CredentialChanges, clip(field(e, "username"), 200))
	case event.DirectTCPIPRequest:
		host := field(e, "dst_ip")
		port := fmt.Sprint(e.Fields["dst_port"])
		t.Forwards = appendBounded(t, t.Forwards, clip(host, 255)+":"+clip(port, 8))
	case event.ClientFingerprint:
		if k := field(e, "key"); k != "" {
			if typ := field(e, "type"); typ != "" && !strings.HasPrefix(k, typ) {
				k = typ + " " + k
			}
			t.ClientKeys = appendBounded(t, t.ClientKeys, clip(k, 16<<10))
		}
	}
}

func appendBounded[T any](t *Transcript, s []T, v T) []T {
	if len(s) >= maxListed {
		t.Truncated = true
		return s
	}
	return append(s, v)
}

// clip keeps at most n bytes of s, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// Text renders the transcript for a human or a model: the facts, then every command line
// numbered, then transfers and other requests. Every value in it comes from the attacker.
func (t *Transcript) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "session %s from %s", t.Session, t.SrcIP)
	if t.Client != "" {
		fmt.Fprintf(&b, " (client %q)", t.Client)
	}
	b.WriteString("\n")
	if !t.Start.IsZero() {
		fmt.Fprintf(&b, "duration: %s\n", t.End.Sub(t.Start).Round(time.Second))
	}
	fmt.Fprintf(&b, "failed logins: %d\n", t.LoginFailures)
	if t.LoggedIn {
		fmt.Fprintf(&b, "logged in as %q with password %q\n", t.Username, t.Password)
	} else {
		b.WriteString("never logged in\n")
	}
	if len(t.Commands) > 0 {
		b.WriteString("commands:\n")
		for i, c := range t.Commands {
			note := ""
			if c.NotFound {
				note = "   [command not found]"
			}
			fmt.Fprintf(&b, "%3d: %s%s\n", i+1, c.Input, note)
		}
	}
	for _, d := range t.Downloads {
		switch {
		case d.SHA256 != "":
			fmt.Fprintf(&b, "downloaded %s (sha256 %s)\n", d.URL, d.SHA256)
		default:
			fmt.Fprintf(&b, "tried to download %s (nothing fetched)\n", d.URL)
		}
	}
	for _, u := range t.Uploads {
		fmt.Fprintf(&b, "uploaded %s (sha256 %s)\n", u.Name, u.SHA256)
	}
	for _, c := range t.CredentialChanges {
		fmt.Fprintf(&b, "changed the password of %q\n", c)
	}
	for _, f := range t.Forwards {
		fmt.Fprintf(&b, "asked to forward a connection to %s (refused)\n", f)
	}
	for _, k := range t.ClientKeys {
		fmt.Fprintf(&b, "offered the public key %s\n", k)
	}
	if t.Truncated {
		b.WriteString("(the session did more than the transcript keeps)\n")
	}
	return b.String()
}

// privateTarget reports whether a forward target is an address inside a private network,
// which makes a port-forward request look like an attempt to reach further in.
func privateTarget(hostport string) bool {
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i > 0 {
		host = hostport[:i]
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && (a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast())
}
