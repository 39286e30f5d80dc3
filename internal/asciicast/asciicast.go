// Package asciicast owns lure's session recordings in the asciicast v2 format
// (https://docs.asciinema.org/manual/asciicast/v2/): a bounded writer the session uses to
// record what the attacker saw and typed, and a player for `lure replay`. Recordings play
// unchanged in `asciinema play` and `asciinema cat`.
package asciicast

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Event types written and read.
const (
	Output = "o" // bytes sent to the terminal
	Input  = "i" // bytes typed by the client
	Marker = "m" // a note; lure writes one when a recording is cut at its size limit
	Resize = "r" // a terminal size change, "COLSxROWS"
)

// DefaultMaxSize bounds one recording on disk.
const DefaultMaxSize = 16 << 20

// TruncatedNote is the marker written when a recording reached its size limit.
const TruncatedNote = "lure: recording size limit reached, rest of session not recorded"

// Header is the first line of a recording.
type Header struct {
	Version   int               `json:"version"`
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Timestamp int64             `json:"timestamp,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	Title     string            `json:"title,omitempty"`
}

// Writer appends events to a recording. It is safe for concurrent use, since a session's
// output and input are recorded from different goroutines. Writes never fail towards the
// caller: a recording problem must not break the attacker's session, so errors are kept
// and reported by Close.
type Writer struct {
	mu        sync.Mutex
	w         *bufio.Writer
	start     time.Time
	now       func() time.Time
	size      int64
	max       int64
	truncated bool
	closed    bool
	err       error
	// pending holds an incomplete UTF-8 sequence per stream, so a multi-byte character split
	// across two writes is recorded whole (asciicast data is a JSON string, so it must be UTF-8).
	pending map[string][]byte
}

// NewWriter writes the header to w and returns a Writer. maxSize <= 0 means DefaultMaxSize.
// The header's Timestamp is set from start when zero.
func NewWriter(w io.Writer, h Header, start time.Time, maxSize int64) (*Writer, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	h.Version = 2
	if h.Timestamp == 0 {
		h.Timestamp = start.Unix()
	}
	line, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("asciicast: encode header: %w", err)
	}
	bw := bufio.NewWriterSize(w, 8192)
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return nil, fmt.Errorf("asciicast: write header: %w", err)
	}
	return &Writer{w: bw, start: start, now: time.Now, size: int64(len(line)), max: maxSize, pending: map[string][]byte{}}, nil
}

// SetClock replaces the clock (tests).
func (c *Writer) SetClock(now func() time.Time) {
	c.mu.Lock()
	c.now = now
	c.mu.Unlock()
}

// WriteOutput records bytes sent to the terminal.
func (c *Writer) WriteOutput(p []byte) { c.event(Output, p) }

// WriteInput records bytes typed by the client.
func (c *Writer) WriteInput(p []byte) { c.event(Input, p) }

// WriteResize records a terminal size change.
func (c *Writer) WriteResize(width, height int) {
	c.event(Resize, []byte(strconv.Itoa(width)+"x"+strconv.Itoa(height)))
}

// Truncated reports whether the recording was cut at its size limit.
func (c *Writer) Truncated() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.truncated
}

// Size is the number of bytes written so far, header included.
func (c *Writer) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *Writer) event(kind string, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.truncated || c.err != nil || len(p) == 0 {
		return
	}
	data := p
	if pend := c.pending[kind]; len(pend) > 0 {
		data = append(append([]byte(nil), pend...), p...)
		c.pending[kind] = nil
	}
	data, rest := splitIncomplete(data)
	if len(rest) > 0 {
		c.pending[kind] = append([]byte(nil), rest...)
	}
	if len(data) == 0 {
		return
	}
	c.writeEvent(kind, data)
}

// writeEvent encodes one event line; c.mu is held.
func (c *Writer) writeEvent(kind string, data []byte) {
	t := c.now().Sub(c.start).Seconds()
	if t < 0 {
		t = 0
	}
	str, err := json.Marshal(string(data))
	if err != nil {
		c.err = err
		return
	}
	line := make([]byte, 0, len(str)+32)
	line = append(line, '[')
	line = strconv.AppendFloat(line, t, 'f', 6, 64)
	line = append(line, `, "`...)
	line = append(line, kind...)
	line = append(line, `", `...)
	line = append(line, str...)
	line = append(line, "]\n"...)
	if kind != Marker && c.size+int64(len(line)) > c.max-512 {
		// Keep room for the marker, so the cut is visible when the recording is played.
		c.truncated = true
		c.writeEvent(Marker, []byte(TruncatedNote))
		return
	}
	if _, err := c.w.Write(line); err != nil {
		c.err = err
		return
	}
	c.size += int64(len(line))
}

// splitIncomplete splits off a trailing incomplete UTF-8 sequence (at most 3 bytes).
// Invalid bytes elsewhere are left in place; JSON encoding turns them into U+FFFD.
func splitIncomplete(p []byte) (whole, rest []byte) {
	for i := 1; i <= 3 && i <= len(p); i++ {
		b := p[len(p)-i]
		if b < 0x80 {
			return p, nil // ASCII: nothing pending
		}
		if utf8.RuneStart(b) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i], p[len(p)-i:]
			}
			return p, nil
		}
	}
	return p, nil
}

// Flush writes buffered events to the underlying writer.
func (c *Writer) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.w.Flush(); err != nil && c.err == nil {
		c.err = err
	}
	return c.err
}

// Close flushes pending bytes and stops recording. It does not close the underlying writer.
func (c *Writer) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.err
	}
	for _, kind := range []string{Output, Input} {
		if pend := c.pending[kind]; len(pend) > 0 && !c.truncated && c.err == nil {
			c.pending[kind] = nil
			c.writeEvent(kind, pend)
		}
	}
	c.closed = true
	if err := c.w.Flush(); err != nil && c.err == nil {
		c.err = err
	}
	return c.err
}

// Event is one recorded event.
type Event struct {
	Time float64 // seconds since the start of the recording
	Type string
	Data string
}

// Reader reads a recording.
type Reader struct {
	Header Header
	sc     *bufio.Scanner
	line   int
}

// ErrNotV2 is returned for files that are not asciicast v2.
var ErrNotV2 = errors.New("asciicast: not an asciicast v2 recording")

// NewReader reads and checks the header.
func NewReader(r io.Reader) (*Reader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), DefaultMaxSize)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("asciicast: read header: %w", err)
		}
		return nil, fmt.Errorf("asciicast: empty file: %w", ErrNotV2)
	}
	var h Header
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		return nil, fmt.Errorf("asciicast: line 1: bad header: %v: %w", err, ErrNotV2)
	}
	if h.Version != 2 {
		return nil, fmt.Errorf("asciicast: line 1: version %d: %w", h.Version, ErrNotV2)
	}
	return &Reader{Header: h, sc: sc, line: 1}, nil
}

// Next returns the next event, or io.EOF at the end.
func (r *Reader) Next() (Event, error) {
	for r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 3 {
			return Event{}, fmt.Errorf("asciicast: line %d: not an event [time, type, data]", r.line)
		}
		var ev Event
		if err := json.Unmarshal(raw[0], &ev.Time); err != nil {
			return Event{}, fmt.Errorf("asciicast: line %d: bad time: %v", r.line, err)
		}
		if err := json.Unmarshal(raw[1], &ev.Type); err != nil {
			return Event{}, fmt.Errorf("asciicast: line %d: bad type: %v", r.line, err)
		}
		if err := json.Unmarshal(raw[2], &ev.Data); err != nil {
			return Event{}, fmt.Errorf("asciicast: line %d: bad data: %v", r.line, err)
		}
		return ev, nil
	}
	if err := r.sc.Err(); err != nil {
		return Event{}, fmt.Errorf("asciicast: line %d: %w", r.line+1, err)
	}
	return Event{}, io.EOF
}
