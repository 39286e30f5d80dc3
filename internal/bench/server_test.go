package bench

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testServer is a minimal x/crypto/ssh server on 127.0.0.1: password auth, and exec requests
// answered after execDelay with "ok\n" and exitStatus.
type testServer struct {
	addr       string
	exitStatus uint32
	execDelay  time.Duration // how long each exec "runs"
	execs      atomic.Int64  // exec requests answered
	auths      atomic.Int64  // successful password logins
}

func startTestServer(t *testing.T, user, password string, exitStatus uint32, execDelay time.Duration) *testServer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	srv := &testServer{exitStatus: exitStatus, execDelay: execDelay}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == user && string(pw) == password {
				srv.auths.Add(1)
				return nil, nil
			}
			return nil, errors.New("wrong password")
		},
		ServerVersion: "SSH-2.0-benchtest_1.0",
	}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	closed := false
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		closed = true
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				nc.Close()
				return
			}
			conns[nc] = true
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer func() {
					mu.Lock()
					delete(conns, nc)
					mu.Unlock()
					nc.Close()
				}()
				srv.serve(nc, cfg)
			}()
		}
	}()
	return srv
}

func (s *testServer) serve(nc net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return // handshake-only bench connections end here
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for req := range creqs {
				if req.Type != "exec" {
					req.Reply(false, nil)
					continue
				}
				req.Reply(true, nil)
				time.Sleep(s.execDelay)
				ch.Write([]byte("ok\n"))
				status := ssh.Marshal(struct{ Status uint32 }{s.exitStatus})
				ch.SendRequest("exit-status", false, status)
				s.execs.Add(1)
				return
			}
		}()
	}
}
