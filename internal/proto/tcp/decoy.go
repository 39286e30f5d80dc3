// Package tcp owns lure's decoy TCP ports: listeners that complete the handshake, close the
// connection at once, and emit a lure.tcp.connect event. No one has a reason to connect to
// them, and a completed handshake cannot come from a forged address, so they are the port-scan
// detector's unforgeable evidence (nmap -sT and any connect scan). They read nothing from the
// connection.
package tcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/session"
)

// Options configure the decoys.
type Options struct {
	Listen []string // HOST:PORT addresses
	Sensor string
	Events event.Emitter
	Logger *slog.Logger
	// PerSourceRate bounds the events one source produces per second (20): a source
	// hammering a decoy adds nothing to the evidence after its first connections, and must
	// not flood the event log. Connections beyond it are still accepted and closed.
	PerSourceRate int
}

// Decoys is a set of decoy listeners.
type Decoys struct {
	opt Options
	lns []net.Listener
	mu  sync.Mutex
	win map[string]*rate // per-source event counts in the current second
	// suppressed counts connections whose event was left out by the per-source bound.
	suppressed int64
}

type rate struct {
	second int64
	n      int
}

// maxRateSources bounds the per-source counters.
const maxRateSources = 65536

// Listen binds every address. One that cannot be bound (a port in use, a privileged port
// without the capability) is logged and skipped; the error is set only when none could be.
func Listen(ctx context.Context, o Options) (*Decoys, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PerSourceRate <= 0 {
		o.PerSourceRate = 20
	}
	d := &Decoys{opt: o, win: map[string]*rate{}}
	var lc net.ListenConfig
	var errs []error
	for _, a := range o.Listen {
		ln, err := lc.Listen(ctx, "tcp", a)
		if err != nil {
			o.Logger.Warn("decoy TCP port not listening; the others run (pick a free port, or give lure CAP_NET_BIND_SERVICE for ports below 1024)", "listen", a, "err", err)
			errs = append(errs, err)
			continue
		}
		d.lns = append(d.lns, ln)
	}
	if len(d.lns) == 0 && len(o.Listen) > 0 {
		return nil, fmt.Errorf("no decoy TCP port could listen: %w", errors.Join(errs...))
	}
	return d, nil
}

// Addrs are the bound addresses (useful with port 0).
func (d *Decoys) Addrs() []net.Addr {
	out := make([]net.Addr, len(d.lns))
	for i, ln := range d.lns {
		out[i] = ln.Addr()
	}
	return out
}

// Serve accepts on every listener until ctx ends, then closes them.
func (d *Decoys) Serve(ctx context.Context) {
	var wg sync.WaitGroup
	for _, ln := range d.lns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.accept(ctx, ln)
		}()
	}
	<-ctx.Done()
	for _, ln := range d.lns {
		ln.Close()
	}
	wg.Wait()
}

func (d *Decoys) accept(ctx context.Context, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: wait a little rather than spin.
			d.opt.Logger.Warn("decoy TCP port: accept failed", "listen", ln.Addr().String(), "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		now := time.Now()
		src, sport := hostPort(c.RemoteAddr())
		dst, dport := hostPort(c.LocalAddr())
		c.Close()
		if !d.allow(src, now) {
			continue
		}
		d.opt.Events.Emit(event.Event{
			EventID: event.TCPConnect, Time: now, Session: session.NewID(),
			SrcIP: src, SrcPort: sport, DstIP: dst, DstPort: dport, Sensor: d.opt.Sensor, Protocol: "tcp",
			Message: fmt.Sprintf("Decoy TCP connection: %s:%d -> %s:%d (closed at once)", src, sport, dst, dport),
		})
	}
}

// allow applies the per-source bound on events.
func (d *Decoys) allow(src string, now time.Time) bool {
	sec := now.Unix()
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.win[src]
	if r == nil {
		if len(d.win) >= maxRateSources {
			for k, x := range d.win {
				if x.second != sec {
					delete(d.win, k)
				}
			}
		}
		if len(d.win) >= maxRateSources {
			d.suppressed++
			return false
		}
		r = &rate{}
		d.win[src] = r
	}
	if r.second != sec {
		r.second, r.n = sec, 0
	}
	r.n++
	if r.n > d.opt.PerSourceRate {
		d.suppressed++
		if n := d.suppressed; n&(n-1) == 0 {
			d.opt.Logger.Info("decoy TCP ports: events from a fast source left out (its first ones are logged)", "src_ip", src, "suppressed_total", n)
		}
		return false
	}
	return true
}

func hostPort(a net.Addr) (string, int) {
	if t, ok := a.(*net.TCPAddr); ok {
		ip := t.IP
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return ip.String(), t.Port
	}
	h, p, _ := net.SplitHostPort(a.String())
	n, _ := strconv.Atoi(p)
	return h, n
}
