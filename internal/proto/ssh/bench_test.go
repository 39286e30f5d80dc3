package ssh

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// holdClientsEnv makes the test binary act as the client side of BenchmarkIdleSessionHeap:
// "ADDR,N" opens N interactive sessions, prints "ready", and holds them until stdin closes.
// The clients run in their own process so that the benchmark measures the server's heap only.
const holdClientsEnv = "LURE_BENCH_HOLD_CLIENTS"

func holdClients() {
	spec := strings.Split(os.Getenv(holdClientsEnv), ",")
	n, _ := strconv.Atoi(spec[1])
	var clients []*gossh.Client
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := gossh.Dial("tcp", spec[0], clientConfig("root", testPassword))
			if err != nil {
				fmt.Println("error:", err)
				return
			}
			s, err := c.NewSession()
			if err != nil {
				fmt.Println("error:", err)
				return
			}
			out, _ := s.StdoutPipe()
			s.StdinPipe()
			_ = s.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
			if err := s.Shell(); err != nil {
				fmt.Println("error:", err)
				return
			}
			// Wait for the login banner so the session is fully set up.
			b := make([]byte, 1)
			io.ReadFull(out, b)
			go io.Copy(io.Discard, out)
			mu.Lock()
			clients = append(clients, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Printf("ready %d\n", len(clients))
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkIdleSessionHeap opens 1000 interactive sessions (pty + shell, banner sent, idle at
// the prompt) from a separate client process and reports the server's heap per session.
// Run with -benchtime=1x.
func BenchmarkIdleSessionHeap(b *testing.B) {
	const n = 1000
	ts := startServer(b, func(o *Options) {
		o.Config.MaxConns = n + 10
		o.Config.MaxConnsPerIP = n + 10
	})
	for i := 0; i < b.N; i++ {
		before := heapInUse()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), holdClientsEnv+"="+ts.addr+","+strconv.Itoa(n))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != fmt.Sprintf("ready %d\n", n) {
			b.Fatalf("client process: %q %v", line, err)
		}
		time.Sleep(500 * time.Millisecond) // let every session reach its prompt
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "heap-bytes/session")
		stdin.Close()
		cmd.Wait()
	}
}

// BenchmarkExecRoundTrip measures one exec request on an open connection: new channel,
// command, output, exit-status, close.
func BenchmarkExecRoundTrip(b *testing.B) {
	ts := startServer(b, nil)
	c, err := gossh.Dial("tcp", ts.addr, clientConfig("root", testPassword))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Output("tout x"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
