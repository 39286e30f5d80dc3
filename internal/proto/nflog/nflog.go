// Package nflog owns lure's view of SYN-only scans (nmap -sS): an nftables table of its own,
// inet lure_scan, whose one rule logs inbound TCP SYNs to an NFLOG group, and the netlink
// reader that turns each logged SYN into a lure.tcp.syn event. A SYN completes no handshake and
// its source can be forged, so these events are evidence for a short decision only (the port
// scan detector marks them so). It needs CAP_NET_ADMIN; without it Start says so and the
// sensor runs on.
//
// The kernel side: the rule's log statement sets queue-threshold 1 and the group's instance
// is configured with a queue threshold of 1 and a flush timeout of 10 ms, so each SYN is sent
// to lure as it arrives instead of being batched (nfnetlink_log's defaults batch up to 100
// packets or 1 s).
package nflog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/session"
)

// TableName is the nftables table lure installs (family inet) and removes on Close.
const TableName = "lure_scan"

// ErrNoNetAdmin tells that lure lacks CAP_NET_ADMIN (or runs where netlink is refused).
var ErrNoNetAdmin = errors.New("lure has no CAP_NET_ADMIN, so SYN-only scans (nmap -sS) are not seen; run lure as root or give it the capability (setcap cap_net_admin+ep, or AmbientCapabilities=CAP_NET_ADMIN in its systemd unit)")

// nfnetlink_log's protocol (linux/netfilter/nfnetlink_log.h); x/sys/unix lacks it.
const (
	msgPacket = 0
	msgConfig = 1

	cfgCmd     = 1
	cfgMode    = 2
	cfgTimeout = 4
	cfgQThresh = 5

	cmdBind   = 1
	cmdUnbind = 2

	copyPacket = 2

	attrTimestamp = 3
	attrPayload   = 9
)

// snaplen is how much of each packet the kernel copies: the largest IPv4 header (60) or the
// IPv6 header (40), plus the TCP ports.
const snaplen = 64

// Options configure the reader.
type Options struct {
	Group  uint16 // NFLOG group, not used by another program
	Sensor string
	Events event.Emitter
	Logger *slog.Logger
	// Window and MaxPorts bound the events: within Window, one event per source and port,
	// and at most MaxPorts ports per source (a full scan is evident long before). Window
	// should be the port-scan detector's window, so every port it counts has an event.
	Window   time.Duration // 10s
	MaxPorts int           // 64
	// Rate caps the SYNs the kernel logs per second, whatever the sources (2000).
	Rate int
	// Priority is the input chain's priority: after table inet lure's drop rule (filter - 10),
	// so banned sources are not logged again.
	Priority int // filter - 5
	// NetNSFd, when set, works in that network namespace instead of the process's (tests).
	NetNSFd int
}

// Reader receives logged SYNs and emits them as events.
type Reader struct {
	opt      Options
	conn     *netlink.Conn
	nft      *nftables.Conn
	table    *nftables.Table
	lim      *limiter
	once     sync.Once
	isClosed atomic.Bool
	stats    Stats
	mu       sync.Mutex
}

// Stats are the reader's counters.
type Stats struct {
	Received   int64 // SYNs the kernel sent
	Emitted    int64 // events emitted
	Suppressed int64 // SYNs left out by the per-source bounds
	Lost       int64 // times the socket buffer overflowed (the kernel dropped log messages)
}

// Start binds the NFLOG group and installs table inet lure_scan. Its error wraps ErrNoNetAdmin
// when the capability is missing; nothing is left installed on error.
func Start(o Options) (*Reader, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Window <= 0 {
		o.Window = 10 * time.Second
	}
	if o.MaxPorts <= 0 {
		o.MaxPorts = 64
	}
	if o.Rate <= 0 {
		o.Rate = 2000
	}
	if o.Priority == 0 {
		o.Priority = int(*nftables.ChainPriorityFilter) - 5
	}
	if o.Group == 0 {
		return nil, fmt.Errorf("nflog: group 0 is not usable; pick 1-65535")
	}
	var cfg *netlink.Config
	if o.NetNSFd != 0 {
		cfg = &netlink.Config{NetNS: o.NetNSFd}
	}
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, cfg)
	if err != nil {
		return nil, permErr("opening a netfilter netlink socket", err)
	}
	r := &Reader{opt: o, conn: conn, lim: newLimiter(o.Window, o.MaxPorts)}
	// A large buffer rides out bursts (a fast scan) without losing messages.
	_ = conn.SetReadBuffer(4 << 20)
	if err := r.configure(); err != nil {
		conn.Close()
		return nil, err
	}
	if err := r.install(); err != nil {
		r.unbind()
		conn.Close()
		return nil, err
	}
	return r, nil
}

// hasNetAdmin tells whether the process has CAP_NET_ADMIN in its effective set.
func hasNetAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_NET_ADMIN/32].Effective&(1<<(unix.CAP_NET_ADMIN%32)) != 0
}

func permErr(what string, err error) error {
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("nflog: %s: %w", what, ErrNoNetAdmin)
	}
	return fmt.Errorf("nflog: %s: %w", what, err)
}

// config sends one NFULNL_MSG_CONFIG for the group and waits for the kernel's ack.
func (r *Reader) config(attrs []netlink.Attribute) error {
	data, err := netlink.MarshalAttributes(attrs)
	if err != nil {
		return err
	}
	hdr := []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0}
	binary.BigEndian.PutUint16(hdr[2:], r.opt.Group)
	_, err = r.conn.Execute(netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(unix.NFNL_SUBSYS_ULOG<<8 | msgConfig), Flags: netlink.Request | netlink.Acknowledge},
		Data:   append(hdr, data...),
	})
	return err
}

func (r *Reader) configure() error {
	if err := r.config([]netlink.Attribute{{Type: cfgCmd, Data: []byte{cmdBind}}}); err != nil {
		// The kernel answers EPERM both without the capability and when another socket owns
		// the group; EBUSY when this one already does.
		if errors.Is(err, syscall.EBUSY) || (errors.Is(err, syscall.EPERM) && hasNetAdmin()) {
			return fmt.Errorf("nflog: NFLOG group %d is bound by another program (another lure, ulogd?); set ips.detect.scan.nflog.group to a free one: %w", r.opt.Group, err)
		}
		return permErr(fmt.Sprintf("binding NFLOG group %d", r.opt.Group), err)
	}
	mode := make([]byte, 6) // struct nfulnl_msg_config_mode, packed
	binary.BigEndian.PutUint32(mode, snaplen)
	mode[4] = copyPacket
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	err := r.config([]netlink.Attribute{
		{Type: cfgMode, Data: mode},
		{Type: cfgQThresh, Data: be32(1)},
		{Type: cfgTimeout, Data: be32(1)}, // 1/100 s
	})
	if err != nil {
		r.unbind()
		return permErr("configuring the NFLOG group", err)
	}
	return nil
}

func (r *Reader) unbind() {
	_ = r.config([]netlink.Attribute{{Type: cfgCmd, Data: []byte{cmdUnbind}}})
}

// install creates table inet lure_scan with one rule: inbound TCP SYNs (no ACK, RST or FIN)
// not on loopback, rate-limited, logged to the group.
func (r *Reader) install() error {
	var opts []nftables.ConnOption
	if r.opt.NetNSFd != 0 {
		opts = append(opts, nftables.WithNetNSFd(r.opt.NetNSFd))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return permErr("opening nftables", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: TableName}
	// Adding then deleting in one batch removes a table left by a crash without failing when
	// there is none.
	c.AddTable(t)
	c.DelTable(t)
	if err := c.Flush(); err != nil {
		return permErr("removing a leftover table inet "+TableName, err)
	}
	c.AddTable(t)
	policy := nftables.ChainPolicyAccept
	ch := c.AddChain(&nftables.Chain{Name: "input", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityRef(nftables.ChainPriority(r.opt.Priority)), Policy: &policy})
	lo := make([]byte, 16)
	copy(lo, "lo")
	c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: lo},
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
		// tcp flags & (fin|syn|rst|ack) == syn
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 13, Len: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 1, Mask: []byte{0x17}, Xor: []byte{0}},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{0x02}},
		&expr.Limit{Type: expr.LimitTypePkts, Rate: uint64(r.opt.Rate), Unit: expr.LimitTimeSecond, Burst: uint32(r.opt.Rate)},
		&expr.Log{Key: 1<<unix.NFTA_LOG_GROUP | 1<<unix.NFTA_LOG_QTHRESHOLD | 1<<unix.NFTA_LOG_SNAPLEN, Group: r.opt.Group, QThreshold: 1, Snaplen: snaplen},
	}})
	if err := c.Flush(); err != nil {
		return permErr("creating table inet "+TableName, err)
	}
	r.nft, r.table = c, t
	return nil
}

// Run receives logged SYNs until ctx ends, then removes the table and closes the socket.
func (r *Reader) Run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { r.Close() })
	defer stop()
	for {
		msgs, err := r.conn.Receive()
		if err != nil {
			if ctx.Err() != nil || r.isClosed.Load() {
				return
			}
			if errors.Is(err, syscall.ENOBUFS) {
				r.mu.Lock()
				r.stats.Lost++
				n := r.stats.Lost
				r.mu.Unlock()
				if n&(n-1) == 0 {
					r.opt.Logger.Warn("nflog: the kernel dropped logged SYNs (socket buffer full); some scan evidence is missing", "overflows", n)
				}
				continue
			}
			r.opt.Logger.Error("nflog: receiving logged SYNs failed; SYN-only scans are no longer seen", "err", err)
			return
		}
		for _, m := range msgs {
			if m.Header.Type != netlink.HeaderType(unix.NFNL_SUBSYS_ULOG<<8|msgPacket) {
				continue
			}
			s, ok := parsePacket(m.Data)
			if !ok {
				continue
			}
			r.handle(s)
		}
	}
}

func (r *Reader) handle(s syn) {
	if s.at.IsZero() {
		s.at = time.Now()
	}
	r.mu.Lock()
	r.stats.Received++
	ok := r.lim.allow(s.src, s.dport, s.at)
	if ok {
		r.stats.Emitted++
	} else {
		r.stats.Suppressed++
	}
	r.mu.Unlock()
	if !ok {
		return
	}
	src, dst := s.src.String(), s.dst.String()
	r.opt.Events.Emit(event.Event{
		EventID: event.TCPSyn, Time: s.at, Session: session.NewID(),
		SrcIP: src, SrcPort: int(s.sport), DstIP: dst, DstPort: int(s.dport), Sensor: r.opt.Sensor, Protocol: "tcp",
		Message: fmt.Sprintf("SYN %s:%d -> %s:%d (logged by nftables; no handshake, the source may be forged)", src, s.sport, dst, s.dport),
	})
}

// Stats returns the counters.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Close removes table inet lure_scan, unbinds the group and closes the socket. It is safe to
// call more than once.
func (r *Reader) Close() error {
	var err error
	r.once.Do(func() {
		r.isClosed.Store(true)
		err = r.cleanup()
	})
	return err
}

func (r *Reader) cleanup() error {
	var err error
	if r.nft != nil {
		r.nft.DelTable(r.table)
		if e := r.nft.Flush(); e != nil {
			err = fmt.Errorf("nflog: removing table inet %s: %w", TableName, e)
		}
	}
	// Closing the socket releases the group: the kernel drops the instances a socket owned
	// when it goes. An explicit unbind here would wait on Run's blocked Receive (the
	// connection serialises requests with reads).
	r.conn.Close()
	return err
}

// syn is one logged SYN.
type syn struct {
	at           time.Time
	src, dst     netip.Addr
	sport, dport uint16
}

// parsePacket reads an NFULNL_MSG_PACKET: the nfgenmsg header, then attributes, of which the
// timestamp and the payload (the IP header and the TCP ports) matter.
func parsePacket(b []byte) (syn, bool) {
	var s syn
	if len(b) < 4 {
		return s, false
	}
	family := b[0]
	ad, err := netlink.NewAttributeDecoder(b[4:])
	if err != nil {
		return s, false
	}
	var payload []byte
	for ad.Next() {
		switch ad.Type() {
		case attrPayload:
			payload = ad.Bytes()
		case attrTimestamp:
			if ts := ad.Bytes(); len(ts) == 16 {
				sec, usec := binary.BigEndian.Uint64(ts), binary.BigEndian.Uint64(ts[8:])
				s.at = time.Unix(int64(sec), int64(usec)*1000)
			}
		}
	}
	if ad.Err() != nil || payload == nil {
		return s, false
	}
	var tcp []byte
	switch family {
	case unix.AF_INET:
		if len(payload) < 20 || payload[0]>>4 != 4 || payload[9] != unix.IPPROTO_TCP {
			return s, false
		}
		ihl := int(payload[0]&0x0f) * 4
		if ihl < 20 || len(payload) < ihl+4 {
			return s, false
		}
		s.src = netip.AddrFrom4([4]byte(payload[12:16]))
		s.dst = netip.AddrFrom4([4]byte(payload[16:20]))
		tcp = payload[ihl:]
	case unix.AF_INET6:
		// Extension headers are not followed: a SYN with them is rare and not worth the parser.
		if len(payload) < 44 || payload[0]>>4 != 6 || payload[6] != unix.IPPROTO_TCP {
			return s, false
		}
		s.src = netip.AddrFrom16([16]byte(payload[8:24])).Unmap()
		s.dst = netip.AddrFrom16([16]byte(payload[24:40])).Unmap()
		tcp = payload[40:]
	default:
		return s, false
	}
	s.sport, s.dport = binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:])
	return s, true
}

// limiter keeps one event per source and port within a window, and at most maxPorts ports
// per source; the sources it tracks are bounded too.
type limiter struct {
	window   time.Duration
	maxPorts int
	m        map[netip.Addr]*srcWindow
}

type srcWindow struct {
	start time.Time
	ports map[uint16]struct{}
}

// maxSources bounds the sources the limiter tracks.
const maxSources = 65536

func newLimiter(window time.Duration, maxPorts int) *limiter {
	return &limiter{window: window, maxPorts: maxPorts, m: map[netip.Addr]*srcWindow{}}
}

func (l *limiter) allow(src netip.Addr, port uint16, t time.Time) bool {
	w := l.m[src]
	if w == nil {
		if len(l.m) >= maxSources {
			for a, x := range l.m {
				if t.Sub(x.start) >= l.window {
					delete(l.m, a)
				}
			}
			if len(l.m) >= maxSources {
				return false
			}
		}
		w = &srcWindow{start: t, ports: map[uint16]struct{}{}}
		l.m[src] = w
	}
	if t.Sub(w.start) >= l.window {
		w.start = t
		clear(w.ports)
	}
	if _, seen := w.ports[port]; seen || len(w.ports) >= l.maxPorts {
		return false
	}
	w.ports[port] = struct{}{}
	return true
}
