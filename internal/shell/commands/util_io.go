package commands

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
)

// maxBuffered caps what a program that must hold its whole input (sort, tac, a huge line)
// keeps in memory; past it the program fails as the real one does when malloc gives up.
const maxBuffered = 16 << 20

// errMemory is reported as "memory exhausted".
var errMemory = errors.New("memory exhausted")

// readCapped reads r to the end, failing with errMemory past maxBuffered.
func readCapped(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, maxBuffered+1))
	if err != nil {
		return buf.Bytes(), err
	}
	if n > maxBuffered {
		return nil, errMemory
	}
	return buf.Bytes(), nil
}

// lineReader yields input lines one at a time without holding the whole input, so that
// `yes | grep y | head` streams.
type lineReader struct {
	ctx  context.Context
	r    *bufio.Reader
	err  error
	data []byte // whole content when reading an in-memory file
	pos  int
	mem  bool
}

// newLineReader streams lines from r.
func newLineReader(ctx context.Context, r io.Reader) *lineReader {
	if r == nil {
		r = bytes.NewReader(nil)
	}
	return &lineReader{ctx: ctx, r: bufio.NewReaderSize(r, 64*1024)}
}

// newBytesLineReader yields lines of an in-memory file without copying.
func newBytesLineReader(ctx context.Context, b []byte) *lineReader {
	return &lineReader{ctx: ctx, data: b, mem: true}
}

// next returns the next line without its newline; nl says whether a newline ended it.
// ok is false at the end of input (or on error/cancel; see err).
func (l *lineReader) next() (line []byte, nl bool, ok bool) {
	if l.ctx != nil && l.ctx.Err() != nil {
		l.err = l.ctx.Err()
		return nil, false, false
	}
	if l.mem {
		if l.pos >= len(l.data) {
			return nil, false, false
		}
		i := bytes.IndexByte(l.data[l.pos:], '\n')
		if i < 0 {
			line = l.data[l.pos:]
			l.pos = len(l.data)
			return line, false, true
		}
		line = l.data[l.pos : l.pos+i]
		l.pos += i + 1
		return line, true, true
	}
	var acc []byte
	for {
		frag, err := l.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			acc = append(acc, frag...)
			if len(acc) > maxBuffered {
				l.err = errMemory
				return nil, false, false
			}
			continue
		}
		if acc != nil {
			acc = append(acc, frag...)
			frag = acc
		}
		if err != nil {
			if err != io.EOF {
				l.err = err
			}
			if len(frag) == 0 {
				return nil, false, false
			}
			return frag, false, true
		}
		return frag[:len(frag)-1], true, true
	}
}

// openLines returns a line reader for a file operand ("-" is stdin).
func (c *cmd) openLines(name string) (*lineReader, error) {
	if name == "-" {
		return newLineReader(c.Ctx, c.Stdin), nil
	}
	b, err := c.FS.ReadFile(c.abs(name))
	if err != nil {
		return nil, err
	}
	return newBytesLineReader(c.Ctx, b), nil
}

// openReader returns a stream for a file operand ("-" is stdin).
func (c *cmd) openReader(name string) (io.Reader, error) {
	if name == "-" {
		if c.Stdin == nil {
			return bytes.NewReader(nil), nil
		}
		return c.Stdin, nil
	}
	b, err := c.FS.ReadFile(c.abs(name))
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}
