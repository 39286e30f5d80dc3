// Package download owns the sensor's only outbound connections: the fetcher that wget and
// curl use when an operator enables downloads. It speaks http and https only, bounds every
// fetch in time, size and rate, follows at most a few redirects, and refuses destinations
// on loopback, private, link-local, multicast or unspecified addresses. The address check
// runs on the socket about to connect (net.Dialer.Control), after DNS resolution, so a name
// that resolves to a public address for the check and a private one for the connection
// (DNS rebinding) cannot reach the operator's network.
package download

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options bound what a Client may fetch. Zero fields take the defaults.
type Options struct {
	// Timeout bounds one whole fetch, redirects and body included (default 30s).
	Timeout time.Duration
	// MaxBytes is the largest body accepted (default 4 MiB, the vfs per-file quota).
	MaxBytes int64
	// RateLimit caps the body's transfer rate in bytes per second (default 1 MiB/s;
	// negative means unlimited).
	RateLimit int64
	// MaxRedirects is how many redirects are followed (default 5; negative means none).
	MaxRedirects int
	// AllowPrivate lets fetches reach loopback, private and link-local addresses. Only tests
	// and deliberate lab setups should set it.
	AllowPrivate bool
	// UserAgent is sent with every request (default that of Debian 12's wget).
	UserAgent string
}

// Kind classifies a failed fetch the way the emulated programs report it.
type Kind int

// Failure kinds.
const (
	KindOther     Kind = iota
	KindScheme         // not http or https
	KindResolve        // the host name did not resolve
	KindForbidden      // the destination is on a refused address range
	KindConnect        // the TCP or TLS connection failed
	KindTimeout        // the fetch ran out of time
	KindTooLarge       // the body exceeded MaxBytes
	KindRedirects      // too many redirects
	KindStatus         // the server answered with an HTTP error status (the body is kept)
)

// Error is a failed fetch. Addr is the address a connection was attempted to, when known.
type Error struct {
	Kind Kind
	URL  string
	Addr string
	// Response is set for KindStatus: the server's answer, whose body may still be saved.
	Response *Response
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("download %s: %v", e.URL, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrForbiddenAddress is wrapped by fetches refused for their destination address.
var ErrForbiddenAddress = errors.New("destination address is not allowed")

// ErrTooLarge is wrapped by fetches whose body exceeded MaxBytes.
var ErrTooLarge = errors.New("response body exceeds the size limit")

// Response is a completed fetch.
type Response struct {
	URL         string // the final URL, after redirects
	Status      int    // 200
	StatusText  string // "OK"
	ContentType string // as the server sent it, "" when absent
	// ContentLength is what the server announced (-1 when it did not, as with chunked
	// transfers); wget and curl print it before the body arrives.
	ContentLength int64
	RemoteAddr    string // "93.184.216.34:80"
	Body          []byte
	Elapsed       time.Duration
}

// Client fetches URLs within its Options. It is safe for concurrent use.
type Client struct {
	opt Options
}

// New returns a Client with the given options, defaults filled in.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 4 << 20
	}
	if o.RateLimit == 0 {
		o.RateLimit = 1 << 20
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = 5
	}
	if o.MaxRedirects < 0 {
		o.MaxRedirects = 0
	}
	if o.UserAgent == "" {
		o.UserAgent = "Wget/1.21.3"
	}
	return &Client{opt: o}
}

// Fetch returns the body at rawURL (commands.Net). Non-2xx answers are errors of
// KindStatus.
func (c *Client) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	r, err := c.Get(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return r.Body, nil
}

// forbidden reports whether a destination address is refused when private addresses are
// not allowed.
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	if ip.Is4() {
		b := ip.As4()
		switch {
		case b[0] == 0: // "this network"
			return true
		case b[0] == 100 && b[1]&0xc0 == 64: // carrier-grade NAT, 100.64.0.0/10
			return true
		case b == [4]byte{255, 255, 255, 255}:
			return true
		}
	}
	return false
}

// control vets the socket's destination just before connect.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	if c.opt.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if forbidden(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// Get fetches rawURL and returns the response with its body.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	start := time.Now()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Kind: KindScheme, URL: rawURL, Err: fmt.Errorf("only http and https URLs are fetched")}
	}
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()

	dialer := &net.Dialer{Timeout: c.opt.Timeout, Control: c.control}
	var addrMu sync.Mutex
	var lastAddrV string
	setAddr := func(a string) {
		addrMu.Lock()
		lastAddrV = a
		addrMu.Unlock()
	}
	lastAddr := func() string {
		addrMu.Lock()
		defer addrMu.Unlock()
		return lastAddrV
	}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				var op *net.OpError
				if errors.As(err, &op) && op.Addr != nil {
					setAddr(op.Addr.String())
				}
				return nil, err
			}
			setAddr(conn.RemoteAddr().String())
			return conn, nil
		},
		// The payloads an attacker fetches are captured, never trusted: a self-signed
		// server must not stop the capture.
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: true}, //nolint:gosec
		TLSHandshakeTimeout:    c.opt.Timeout,
		ResponseHeaderTimeout:  c.opt.Timeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > c.opt.MaxRedirects {
				return &Error{Kind: KindRedirects, URL: rawURL, Err: fmt.Errorf("stopped after %d redirects", c.opt.MaxRedirects)}
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return &Error{Kind: KindScheme, URL: req.URL.String(), Err: fmt.Errorf("redirect to a non-http URL")}
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindScheme, URL: rawURL, Err: err}
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Accept-Encoding", "identity")
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		setAddr(info.Conn.RemoteAddr().String())
	}}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := client.Do(req)
	if err != nil {
		return nil, c.classify(ctx, rawURL, lastAddr(), err)
	}
	defer resp.Body.Close()
	body, err := c.readBody(ctx, resp.Body)
	out := &Response{
		URL:           resp.Request.URL.String(),
		Status:        resp.StatusCode,
		StatusText:    strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))),
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
		RemoteAddr:    lastAddr(),
		Body:          body,
		Elapsed:       time.Since(start),
	}
	if err != nil {
		e := c.classify(ctx, rawURL, lastAddr(), err)
		e.Response = out
		return nil, e
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Kind: KindStatus, URL: rawURL, Addr: lastAddr(), Response: out,
			Err: fmt.Errorf("server answered %s", resp.Status)}
	}
	return out, nil
}

// readBody reads at most MaxBytes+1 bytes at the configured rate.
func (c *Client) readBody(ctx context.Context, r io.Reader) ([]byte, error) {
	limit := c.opt.MaxBytes
	var buf []byte
	chunk := make([]byte, 16<<10)
	started := time.Now()
	var total int64
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			buf = append(buf, chunk[:n]...)
			total += int64(n)
			if total > limit {
				return buf[:limit], ErrTooLarge
			}
			if c.opt.RateLimit > 0 {
				// Sleep until the bytes so far fit the rate; checking ctx keeps a
				// slow-drip server from outliving the timeout.
				due := started.Add(time.Duration(float64(total) / float64(c.opt.RateLimit) * float64(time.Second)))
				if d := time.Until(due); d > 0 {
					t := time.NewTimer(d)
					select {
					case <-t.C:
					case <-ctx.Done():
						t.Stop()
						return buf, ctx.Err()
					}
				}
			}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// classify turns a transport error into an *Error of the right kind.
func (c *Client) classify(ctx context.Context, rawURL, addr string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ErrTooLarge):
		return &Error{Kind: KindTooLarge, URL: rawURL, Addr: addr, Err: err}
	case errors.Is(err, ErrForbiddenAddress):
		return &Error{Kind: KindForbidden, URL: rawURL, Addr: addr, Err: err}
	case errors.As(err, &dnsErr):
		return &Error{Kind: KindResolve, URL: rawURL, Err: err}
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return &Error{Kind: KindTimeout, URL: rawURL, Addr: addr, Err: err}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return &Error{Kind: KindConnect, URL: rawURL, Addr: addr, Err: err}
	}
	return &Error{Kind: KindOther, URL: rawURL, Addr: addr, Err: err}
}
