package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func kindOf(t *testing.T, err error) Kind {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *download.Error", err)
	}
	return e.Kind
}

func TestFetchSavesBodyAndMetadata(t *testing.T) {
	body := []byte("#!/bin/sh\necho pwned\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != "Wget/1.21.3" {
			t.Errorf("User-Agent = %q", got)
		}
		w.Header().Set("Content-Type", "text/x-sh")
		w.Write(body)
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true})
	r, err := c.Get(context.Background(), srv.URL+"/x.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Body, body) || r.Status != 200 || r.StatusText != "OK" || r.ContentType != "text/x-sh" {
		t.Fatalf("response = %+v", r)
	}
	if r.RemoteAddr != strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("RemoteAddr = %q, want %q", r.RemoteAddr, srv.URL)
	}
	b, err := c.Fetch(context.Background(), srv.URL+"/x.sh")
	if err != nil || !bytes.Equal(b, body) {
		t.Fatalf("Fetch = %q, %v", b, err)
	}
}

func TestLoopbackRefusedWithoutAllowPrivate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := New(Options{})
	for _, u := range []string{srv.URL + "/", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/"} {
		_, err := c.Get(context.Background(), u)
		if err == nil {
			t.Fatalf("%s: fetched a loopback address", u)
		}
		if k := kindOf(t, err); k != KindForbidden {
			t.Fatalf("%s: kind = %v (%v), want KindForbidden", u, k, err)
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("%s: error does not wrap ErrForbiddenAddress: %v", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests", n)
	}
}

func TestForbiddenRanges(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true}, {"127.8.9.1", true}, {"10.1.2.3", true}, {"172.16.0.1", true},
		{"172.31.255.255", true}, {"192.168.1.1", true}, {"169.254.169.254", true}, {"0.0.0.0", true},
		{"0.1.2.3", true}, {"100.64.0.1", true}, {"224.0.0.1", true}, {"255.255.255.255", true},
		{"::1", true}, {"::", true}, {"fe80::1", true}, {"fc00::1", true}, {"ff02::1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true},
		{"8.8.8.8", false}, {"93.184.216.34", false}, {"172.32.0.1", false}, {"100.128.0.1", false},
		{"2606:4700::1111", false},
	} {
		if got := forbidden(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("forbidden(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	const max = 1000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := max
		if r.URL.Path == "/big" {
			n = max + 1
		}
		w.Write(bytes.Repeat([]byte("a"), n))
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true, MaxBytes: max})
	b, err := c.Fetch(context.Background(), srv.URL+"/exact")
	if err != nil || len(b) != max {
		t.Fatalf("exact-size body: %d bytes, %v", len(b), err)
	}
	_, err = c.Fetch(context.Background(), srv.URL+"/big")
	if k := kindOf(t, err); k != KindTooLarge || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized body: kind %v, %v", k, err)
	}
}

func TestRateLimit(t *testing.T) {
	const size = 24 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("b"), size))
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true, RateLimit: 16 << 10})
	start := time.Now()
	b, err := c.Fetch(context.Background(), srv.URL)
	if err != nil || len(b) != size {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
	// 24 KiB at 16 KiB/s cannot finish in less than 1.5 s; a lower bound holds however
	// slow the machine is.
	if el := time.Since(start); el < 1400*time.Millisecond {
		t.Fatalf("24 KiB at 16 KiB/s took only %v", el)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	_, err := c.Fetch(context.Background(), srv.URL)
	if k := kindOf(t, err); k != KindTimeout {
		t.Fatalf("kind %v, %v", k, err)
	}
}

func TestRedirectLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/r/%d", &n)
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
			return
		}
		w.Write([]byte("end"))
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true})
	r, err := c.Get(context.Background(), srv.URL+"/r/5")
	if err != nil || string(r.Body) != "end" || !strings.HasSuffix(r.URL, "/r/0") {
		t.Fatalf("5 redirects: %+v, %v", r, err)
	}
	_, err = c.Get(context.Background(), srv.URL+"/r/6")
	if k := kindOf(t, err); k != KindRedirects {
		t.Fatalf("6 redirects: kind %v, %v", k, err)
	}
}

func TestSchemeAndStatus(t *testing.T) {
	c := New(Options{AllowPrivate: true})
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "gopher://x/", "not a url", "http://"} {
		if _, err := c.Get(context.Background(), u); kindOf(t, err) != KindScheme {
			t.Errorf("%s: %v", u, err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusNotFound)
	}))
	defer srv.Close()
	_, err := c.Get(context.Background(), srv.URL+"/missing")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindStatus || e.Response == nil || e.Response.Status != 404 ||
		e.Response.StatusText != "Not Found" || string(e.Response.Body) != "nope\n" {
		t.Fatalf("404: %#v", err)
	}
}

func TestConnectFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	_, err := New(Options{AllowPrivate: true}).Get(context.Background(), u)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnect || e.Addr != strings.TrimPrefix(u, "http://") {
		t.Fatalf("closed port: %#v", err)
	}
}
