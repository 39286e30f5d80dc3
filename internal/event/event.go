// Package event owns what every room tells the others: the event type (Cowrie's event ids and
// field names, so existing ELK/Splunk/T-Pot pipelines read lure's log unchanged), the bounded
// fan-out bus, and the JSON-lines sink.
package event

import (
	"encoding/json"
	"time"
)

// Cowrie-compatible event ids. Field names follow Cowrie's output too.
const (
	SessionConnect       = "cowrie.session.connect"
	ClientVersion        = "cowrie.client.version"
	ClientKex            = "cowrie.client.kex"
	LoginSuccess         = "cowrie.login.success"
	LoginFailed          = "cowrie.login.failed"
	ClientFingerprint    = "cowrie.client.fingerprint"
	ClientSize           = "cowrie.client.size"
	ClientVar            = "cowrie.client.var"
	CommandInput         = "cowrie.command.input"
	CommandFailed        = "cowrie.command.failed"
	FileDownload         = "cowrie.session.file_download"
	FileDownloadFailed   = "cowrie.session.file_download.failed"
	FileUpload           = "cowrie.session.file_upload"
	DirectTCPIPRequest   = "cowrie.direct-tcpip.request"
	LogClosed            = "cowrie.log.closed"
	SessionClosed        = "cowrie.session.closed"
	SessionParams        = "cowrie.session.params"
	SessionLimitRejected = "lure.session.rejected" // connection refused by a per-IP or total limit
	// TCPConnect is a completed handshake on a decoy TCP port (accepted, then closed at once).
	TCPConnect = "lure.tcp.connect"
	// TCPSyn is an inbound SYN the kernel logged (NFLOG). No handshake: its source may be forged.
	TCPSyn = "lure.tcp.syn"
)

// Event is one thing that happened. The common fields are those every Cowrie event carries;
// Fields holds the event-specific ones (username, password, input, hassh, url, shasum, ...)
// and is flattened into the same JSON object.
type Event struct {
	// ID identifies this one event (the bus assigns it when empty), so that alerts and
	// decisions can cite their evidence. Written as "uuid" in JSON.
	ID       string
	EventID  string
	Time     time.Time
	Session  string
	SrcIP    string
	SrcPort  int
	DstIP    string
	DstPort  int
	Sensor   string
	Protocol string
	Message  string
	Fields   map[string]any
}

// MarshalJSON writes the flat Cowrie shape. A key in Fields overrides a common field of the same
// name, as Cowrie's direct-tcpip.request does with dst_ip/dst_port/src_ip/src_port (the requested
// endpoints). Consumers that need the connection's own addresses use the struct fields.
// The timestamp is RFC 3339 in UTC with microseconds, as Cowrie writes it.
func (e Event) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(e.Fields)+10)
	m["eventid"] = e.EventID
	if e.ID != "" {
		m["uuid"] = e.ID
	}
	m["timestamp"] = FormatTime(e.Time)
	m["session"] = e.Session
	m["src_ip"] = e.SrcIP
	m["src_port"] = e.SrcPort
	m["dst_ip"] = e.DstIP
	m["dst_port"] = e.DstPort
	m["sensor"] = e.Sensor
	m["protocol"] = e.Protocol
	m["message"] = e.Message
	for k, v := range e.Fields {
		m[k] = v
	}
	return json.Marshal(m)
}

// FormatTime renders t as Cowrie does: RFC 3339, UTC, microseconds, "Z".
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// Emitter is what a frontend holds to publish events. The bus implements it.
type Emitter interface {
	Emit(e Event)
}

// EmitterFunc adapts a function to Emitter.
type EmitterFunc func(Event)

// Emit calls f(e).
func (f EmitterFunc) Emit(e Event) { f(e) }
