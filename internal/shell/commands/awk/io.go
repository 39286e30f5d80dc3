package awk

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// Input and output: records are cut by RS from the main input (the ARGV operands or stdin),
// from files and from command output; print writes to stdout, files and commands. mawk
// keeps its open streams in one list, most recently used first, and closes them in that
// order at exit; commands that were written to run then (or at close()) with what was
// written as their input, and their output goes straight to stdout, ahead of what awk still
// holds in its own buffer, as with the real program.

var errTooBig = errors.New("out of memory")

// recReader cuts records from a stream or an in-memory file.
type recReader struct {
	r     io.Reader
	buf   []byte
	pos   int
	eof   bool
	start bool // nothing read yet (paragraph mode skips leading newlines)
	moved bool // data has been consumed before buf[0]
	sbuf  string
	sok   bool // sbuf holds buf as a string (for regex separators)
}

func newMemReader(b []byte) *recReader {
	return &recReader{buf: b, eof: true, start: true}
}

func newStreamReader(r io.Reader) *recReader {
	if r == nil {
		return &recReader{eof: true, start: true}
	}
	return &recReader{r: r, start: true}
}

// fill reads more input; it reports whether anything was added.
func (rr *recReader) fill(in *interp) bool {
	if rr.eof {
		return false
	}
	rr.sok = false
	if rr.pos > 0 && rr.pos >= len(rr.buf)/2 {
		rr.buf = append(rr.buf[:0], rr.buf[rr.pos:]...)
		rr.pos = 0
		rr.moved = true
	}
	if len(rr.buf)-rr.pos > memCap {
		in.outOfMemory()
	}
	for {
		if cap(rr.buf)-len(rr.buf) < 4096 {
			nb := make([]byte, len(rr.buf), 2*cap(rr.buf)+8192)
			copy(nb, rr.buf)
			rr.buf = nb
		}
		n, err := rr.r.Read(rr.buf[len(rr.buf):cap(rr.buf)])
		rr.buf = rr.buf[:len(rr.buf)+n]
		if err != nil {
			rr.eof = true
			return n > 0
		}
		if n > 0 {
			return true
		}
		if in.env.Ctx != nil && in.env.Ctx.Err() != nil {
			rr.eof = true
			return false
		}
	}
}

// next returns the next record under the current RS.
func (rr *recReader) next(in *interp) (string, bool) {
	for rr.pos >= len(rr.buf) {
		if !rr.fill(in) {
			return "", false
		}
	}
	if rr.start {
		rr.start = false
		if in.rsKind == rsPara {
			for {
				for rr.pos < len(rr.buf) && rr.buf[rr.pos] == '\n' {
					rr.pos++
				}
				if rr.pos < len(rr.buf) || !rr.fill(in) {
					break
				}
			}
			if rr.pos >= len(rr.buf) {
				return "", false
			}
		}
	}
	for {
		data := rr.buf[rr.pos:]
		q, mlen := -1, 0
		switch in.rsKind {
		case rsChar:
			q, mlen = bytes.IndexByte(data, in.rsChar), 1
		case rsStr:
			q, mlen = bytes.Index(data, []byte(in.rsStr)), len(in.rsStr)
		default:
			if !rr.sok {
				rr.sbuf, rr.sok = string(rr.buf), true
			}
			s := rr.sbuf[rr.pos:]
			if m, l, ok := posMatch(s, in.rsRe, rr.pos != 0 || rr.moved, in); ok {
				q, mlen = m, l
				if q+mlen == len(data) && !rr.eof {
					q = -1 // the separator may go on in the next read
				}
			}
		}
		if q >= 0 {
			rec := string(data[:q])
			rr.pos += q + mlen
			return rec, true
		}
		if rr.eof {
			rec := data
			rr.pos = len(rr.buf)
			if in.rsKind == rsPara && len(rec) > 0 && rec[len(rec)-1] == '\n' {
				rec = rec[:len(rec)-1]
			}
			return string(rec), true
		}
		rr.fill(in)
	}
}

func (in *interp) stdinReader() *recReader {
	if in.stdinRec == nil {
		in.stdinRec = newStreamReader(in.env.Stdin)
	}
	return in.stdinRec
}

// nextMainRecord reads from the main input, moving through the ARGV operands.
func (in *interp) nextMainRecord() (string, bool) {
	if in.mainDone {
		return "", false
	}
	for {
		if in.mainIn == nil {
			if !in.openNextMain() {
				in.mainDone = true
				return "", false
			}
		}
		if rec, ok := in.mainIn.next(in); ok {
			return rec, true
		}
		in.mainIn = nil
		if in.mainStdin {
			in.mainDone = true
			return "", false
		}
	}
}

// openNextMain opens the next operand (mawk's next_main): command-line assignments are
// done on the way, and no operand at all means stdin.
func (in *interp) openNextMain() bool {
	if !in.mainOpen {
		in.mainOpen = true
		if toNum(in.globals[spARGC]) == 1 {
			in.mainToStdin()
			return true
		}
	}
	if in.mainStdin {
		return false
	}
	argv := in.garrs[1]
	for in.argi < toNum(in.globals[spARGC]) {
		ai := in.argi
		in.argi++
		cp := in.find(argv, in.keyOf(num(ai)), false)
		if cp == nil {
			continue
		}
		name := in.toStr(*cp)
		if name == "" {
			continue
		}
		if isCmdlineAssign(name) {
			in.cmdlineAssign(name)
			continue
		}
		var rr *recReader
		if name == "-" || name == "/dev/stdin" {
			rr = in.stdinReader()
		} else {
			data, err := in.readFile(name)
			in.readErrorIfDir(err)
			if err != nil {
				in.flushStdout()
				in.errmsg("cannot open " + name + " (" + in.errText(err) + ")")
				in.closeAll()
				panic(exitNow{status: 2})
			}
			rr = newMemReader(data)
		}
		in.mainIn = rr
		in.globals[spFILENAME] = *cp
		in.globals[spFNR] = num(0)
		in.rtFNR = 0
		in.anyFile = true
		return true
	}
	if !in.anyFile {
		in.anyFile = true
		in.mainToStdin()
		return true
	}
	return false
}

func (in *interp) mainToStdin() {
	in.globals[spFILENAME] = str("-")
	in.globals[spFNR] = num(0)
	in.rtFNR = 0
	in.mainIn = in.stdinReader()
	in.mainStdin = true
}

// skipFile abandons the current main input file (nextfile).
func (in *interp) skipFile() {
	if in.mainIn != nil && !in.mainStdin {
		in.mainIn = nil
	} else if in.mainStdin {
		in.mainIn = nil
		in.mainDone = true
	}
}

func (in *interp) readFile(name string) ([]byte, error) {
	if name == "/dev/null" {
		return nil, nil
	}
	if in.env.ReadFile == nil {
		return nil, errors.New("No such file or directory")
	}
	data, err := in.env.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if len(data) > memCap {
		return nil, errTooBig
	}
	return data, nil
}

// readErrorIfDir: open(2) succeeds on a directory and read(2) fails, which mawk reports
// as a fatal read error.
func (in *interp) readErrorIfDir(err error) {
	if err != nil && in.errText(err) == "Is a directory" {
		in.flushStdout()
		in.errmsg("read error (Is a directory)")
		in.closeAll()
		panic(exitNow{status: 2})
	}
}

func (in *interp) errText(err error) string {
	if err == errTooBig {
		return "Cannot allocate memory"
	}
	if in.env.ErrText != nil {
		return in.env.ErrText(err)
	}
	return err.Error()
}

// getline implements the three getline forms; it returns 1, 0 at the end, -1 on error.
func (in *interp) getline(g *getlineExpr) cell {
	var rec string
	var ok bool
	switch g.kind {
	case glPlain:
		if in.inEnd && in.mainDone {
			return num(0)
		}
		rec, ok = in.nextMainRecord()
		if !ok {
			return num(0)
		}
		in.incNR(true)
	case glFile:
		name := in.toStr(in.eval(g.src))
		rr := in.inputs[name]
		if rr == nil {
			if name == "-" || name == "/dev/stdin" {
				rr = in.stdinReader()
			} else {
				data, err := in.readFile(name)
				in.readErrorIfDir(err)
				if err != nil {
					return num(-1)
				}
				rr = newMemReader(data)
			}
			in.inputs[name] = rr
		}
		rec, ok = rr.next(in)
		if !ok {
			return num(0)
		}
	case glCmd:
		name := in.toStr(in.eval(g.src))
		rr := in.inputs["|"+name]
		if rr == nil {
			in.flushStdout()
			var out limitedBuffer
			st := in.runCmd(name, strings.NewReader(""), &out, in.env.Stderr)
			if out.over {
				in.outOfMemory()
			}
			in.cmdStatus[name] = st
			rr = newMemReader(out.Bytes())
			in.inputs["|"+name] = rr
		}
		rec, ok = rr.next(in)
		if !ok {
			return num(0)
		}
	}
	v := str("")
	if rec != "" {
		v = maybe(rec)
	}
	if g.lv == nil {
		in.setField(0, v)
	} else {
		in.ref(g.lv).set(v)
	}
	return num(1)
}

// limitedBuffer collects command output up to the memory cap.
type limitedBuffer struct {
	bytes.Buffer
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > memCap {
		b.over = true
		return 0, errTooBig
	}
	return b.Buffer.Write(p)
}

func (in *interp) runCmd(cmdline string, stdin io.Reader, stdout, stderr io.Writer) int {
	if in.env.Run == nil {
		return 127
	}
	return in.env.Run(in.env.Ctx, cmdline, stdin, stdout, stderr)
}

// Output streams.

const (
	outStdout = iota
	outStderr
	outFile
	outAppend
	outPipe
)

type outStream struct {
	in     *interp
	name   string
	kind   int
	buf    bytes.Buffer
	failed bool
}

// write queues s; stdout is flushed when its buffer fills (or per line on a terminal).
func (o *outStream) write(s string) {
	in := o.in
	in.spend(len(s))
	switch o.kind {
	case outStdout:
		if in.stdoutFailed {
			panic(exitNow{status: 141})
		}
		o.buf.WriteString(s)
		if o.buf.Len() >= 4096 || (in.env.StdoutTTY && strings.IndexByte(s, '\n') >= 0) {
			in.flushStdout()
		}
	case outStderr:
		in.errWrite(s)
	default:
		if o.buf.Len()+len(s) > memCap {
			in.outOfMemory()
		}
		o.buf.WriteString(s)
	}
}

func (in *interp) outWrite(s string) { in.stdout.write(s) }

func (in *interp) flushStdout() {
	o := in.stdout
	if o.buf.Len() == 0 || in.stdoutFailed {
		o.buf.Reset()
		return
	}
	if in.env.Stdout != nil {
		if _, err := in.env.Stdout.Write(o.buf.Bytes()); err != nil {
			in.stdoutFailed = true
		}
	}
	o.buf.Reset()
}

func (in *interp) errWrite(s string) {
	if in.env.Stderr != nil {
		io.WriteString(in.env.Stderr, s)
	}
}

func (in *interp) errmsg(s string) { in.errWrite(in.name() + ": " + s + "\n") }

// name is mawk's progname: the base name it was invoked by.
func (in *interp) name() string {
	n := in.argv0
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	if n == "" {
		return "mawk"
	}
	return n
}

// getOutput finds or opens the stream for print > name, >> name or | name.
func (in *interp) getOutput(name, redir string) *outStream {
	kind := outFile
	switch redir {
	case ">>":
		kind = outAppend
	case "|":
		kind = outPipe
	}
	for i, o := range in.streams {
		if o.name != name {
			continue
		}
		same := o.kind == kind || (kind != outPipe && (o.kind == outFile || o.kind == outAppend || o.kind == outStdout || o.kind == outStderr))
		if !same {
			continue
		}
		copy(in.streams[1:i+1], in.streams[:i])
		in.streams[0] = o
		return o
	}
	o := &outStream{in: in, name: name, kind: kind}
	switch kind {
	case outFile, outAppend:
		if name == "/dev/null" {
			break
		}
		if in.env.WriteFile == nil {
			in.outputFailed(name, errors.New("Permission denied"))
		}
		if err := in.env.WriteFile(name, nil, kind == outAppend); err != nil {
			in.outputFailed(name, err)
		}
	case outPipe:
		in.flushStdout()
	}
	in.streams = append([]*outStream{o}, in.streams...)
	return o
}

func (in *interp) outputFailed(name string, err error) {
	in.flushStdout()
	in.errmsg("cannot open \"" + name + "\" for output (" + in.errText(err) + ")")
	in.closeAll()
	panic(exitNow{status: 2})
}

// flush sends a file's buffered data to the filesystem.
func (o *outStream) flush() {
	in := o.in
	switch o.kind {
	case outStdout:
		in.flushStdout()
	case outFile, outAppend:
		if o.buf.Len() > 0 && o.name != "/dev/null" && in.env.WriteFile != nil {
			in.env.WriteFile(o.name, o.buf.Bytes(), true)
		}
		o.buf.Reset()
	}
}

// finish closes a stream: files are written, commands run on what they were given.
func (o *outStream) finish() int {
	in := o.in
	switch o.kind {
	case outPipe:
		data := o.buf.Bytes()
		o.buf = bytes.Buffer{}
		return in.runCmd(o.name, bytes.NewReader(data), in.env.Stdout, in.env.Stderr)
	default:
		o.flush()
	}
	return 0
}

// closeStream is close(name): output streams and input files or commands of that name.
func (in *interp) closeStream(name string) int {
	ret := -1
	for i := 0; i < len(in.streams); i++ {
		o := in.streams[i]
		if o.name != name {
			continue
		}
		in.streams = append(in.streams[:i:i], in.streams[i+1:]...)
		i--
		ret = o.finish()
	}
	if _, ok := in.inputs[name]; ok {
		delete(in.inputs, name)
		ret = 0
	}
	if _, ok := in.inputs["|"+name]; ok {
		delete(in.inputs, "|"+name)
		ret = in.cmdStatus[name]
	}
	return ret
}

// flushAll is fflush("") and what system() does first.
func (in *interp) flushAll() {
	for _, o := range in.streams {
		o.flush()
	}
}

// closeAll ends the program's output in mawk's order.
func (in *interp) closeAll() {
	streams := in.streams
	in.streams = nil
	for _, o := range streams {
		o.finish()
	}
	in.flushStdout()
}

func readAllCapped(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	var b limitedBuffer
	_, err := io.Copy(&b, r)
	if b.over {
		return nil, errTooBig
	}
	return b.Bytes(), err
}
