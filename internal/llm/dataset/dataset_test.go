package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/llm"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

func defaultPersona(t testing.TB) *persona.Persona {
	t.Helper()
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// unemulated finds a program of the persona that has no emulation, so its answer would come
// from the LLM.
func unemulated(t *testing.T, p *persona.Persona) string {
	t.Helper()
	reg := commands.Default()
	fsys := vfs.NewMemFS(p.Image)
	ents, err := fsys.ReadDir("/usr/bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Mode&fs.ModeType == 0 && e.Mode&0o111 != 0 && !strings.ContainsAny(e.Name, ".[+") {
			if _, ok := reg.Lookup(e.Name); !ok {
				return e.Name
			}
		}
	}
	t.Skip("every program of the persona is emulated")
	return ""
}

func collect(t *testing.T, b *Builder, s Script) ([]Record, Stats) {
	t.Helper()
	var recs []Record
	st, err := b.Run(context.Background(), s, func(r Record) error { recs = append(recs, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return recs, st
}

func TestBuilderGroundTruthAndContext(t *testing.T) {
	p := defaultPersona(t)
	prog := unemulated(t, p)
	fixed := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	b := New(Options{Persona: p, KeepEmpty: true, Clock: func() time.Time { return fixed }})
	recs, st := collect(t, b, Script{Name: "t", Lines: []string{
		"mkdir /tmp/x && cd /tmp/x",
		"echo hello > f.txt; ls",
		prog + " --version",
		"cat f.txt; hostname",
		"nosuchprogram",
	}})
	if st.Lines != 5 || st.Records != 4 || st.NoTruth != 1 {
		t.Fatalf("stats %+v: the unemulated %q must be left out, the rest kept", st, prog)
	}
	if recs[0].Output != "" {
		t.Errorf("a silent success is an empty answer: %q", recs[0].Output)
	}
	if recs[1].Output != "f.txt\n" || recs[2].Output != "hello\n"+p.Hostname+"\n" {
		t.Errorf("state carried across lines: %q, %q", recs[1].Output, recs[2].Output)
	}
	if recs[3].Output != "-bash: nosuchprogram: command not found\n" {
		t.Errorf("missing program: %q", recs[3].Output)
	}
	// The record's prompt is the prompt builder's, with the earlier exchanges as turns, the
	// working directory the line ran in and the listing of the file it names.
	want := llm.Prompt{}.Messages(llm.Context{Persona: p, User: mustUser(t, p, "root"), Cwd: "/tmp/x", Command: "cat f.txt; hostname",
		Listing: []string{"-rw-r--r-- root root 6 /tmp/x/f.txt"},
		Recent:  []llm.Exchange{{Command: "mkdir /tmp/x && cd /tmp/x"}, {Command: "echo hello > f.txt; ls", Output: "f.txt\n"}}})
	got := recs[2].Messages
	if len(got) != len(want) {
		t.Fatalf("messages: %d, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d:\n got %q\nwant %q", i, got[i].Content, want[i].Content)
		}
	}
	if got[0].Role != "system" || !strings.Contains(got[0].Content, p.Hostname) || got[len(got)-1].Role != "user" {
		t.Errorf("shape: %+v", got)
	}
}

func mustUser(t *testing.T, p *persona.Persona, name string) persona.User {
	u, ok := p.LookupUser(name)
	if !ok {
		t.Fatalf("persona has no %s", name)
	}
	return u
}

func TestBuilderLogoutStartsNewSession(t *testing.T) {
	b := New(Options{Persona: defaultPersona(t), KeepEmpty: true})
	recs, _ := collect(t, b, Script{Lines: []string{"touch /tmp/kept", "exit", "ls /tmp/kept"}})
	if len(recs) != 3 || recs[2].Output != "/tmp/kept\n" {
		t.Fatalf("after exit the box keeps its files: %+v", recs)
	}
	if n := len(recs[2].Messages); n != 2 {
		t.Errorf("a new login carries no earlier exchanges: %d messages", n)
	}
}

func TestCorpusScripts(t *testing.T) {
	lines, err := eval.ParseCorpus(strings.NewReader("uname\n# @group a\nid\nw\n# @group b\nls\n"))
	if err != nil {
		t.Fatal(err)
	}
	sc := CorpusScripts(lines)
	if len(sc) != 3 || sc[0].Name != "corpus" || sc[1].Name != "corpus:a" || len(sc[1].Lines) != 2 || sc[2].Lines[0] != "ls" {
		t.Fatalf("%+v", sc)
	}
}

// TestFormats writes one multi-turn record in every format and reads it back the way
// LLaMA-Factory maps it through dataset_info.json.
func TestFormats(t *testing.T) {
	b := New(Options{Persona: defaultPersona(t), KeepEmpty: true})
	recs, _ := collect(t, b, Script{Lines: []string{"cd /etc", "cat hostname", "pwd"}})
	rec := recs[2]
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			w, err := Create(filepath.Join(dir, "d.jsonl"), format)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := WriteInfo(dir, format, map[string]string{"lure_test": "d.jsonl"}); err != nil {
				t.Fatal(err)
			}
			rows := readBack(t, dir, "lure_test")
			if len(rows) != 3 {
				t.Fatalf("%d rows", len(rows))
			}
			sys, turns := LoadTurns(t, rows[2])
			if sys != rec.Messages[0].Content {
				t.Errorf("system prompt lost")
			}
			if len(turns) != len(rec.Messages) || turns[len(turns)-1] != rec.Output || turns[len(turns)-2] != rec.Messages[len(rec.Messages)-1].Content {
				t.Errorf("turns %q", turns)
			}
			if turns[len(turns)-1] != "/etc\n" || !strings.Contains(turns[0], "cd /etc") {
				t.Errorf("content: %q", turns)
			}
		})
	}
	if _, err := Create(filepath.Join(t.TempDir(), "x"), "csv"); err == nil {
		t.Error("an unknown format must be refused")
	}
}

// readBack loads dataset_info.json and the rows of one dataset, keeping with each row the
// entry that says how to read it.
func readBack(t *testing.T, dir, name string) []row {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "dataset_info.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]DatasetInfo
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	di, ok := info[name]
	if !ok {
		t.Fatalf("dataset_info.json has no %s: %s", name, data)
	}
	f, err := os.Open(filepath.Join(dir, di.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("row %d is not JSON: %v", len(rows)+1, err)
		}
		rows = append(rows, row{info: di, m: m})
	}
	return rows
}

type row struct {
	info DatasetInfo
	m    map[string]any
}

// LoadTurns applies LLaMA-Factory's column and tag mapping to a row and returns the system
// prompt and the alternating user/assistant texts, checking the roles' positions as
// LLaMA-Factory's converters do.
func LoadTurns(t *testing.T, r row) (string, []string) {
	t.Helper()
	col := func(k, def string) string {
		if v, ok := r.info.Columns[k]; ok {
			return v
		}
		return def
	}
	tag := func(k, def string) string {
		if v, ok := r.info.Tags[k]; ok {
			return v
		}
		return def
	}
	str := func(v any) string {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("not a string: %#v", v)
		}
		return s
	}
	var sys string
	var turns []string
	switch r.info.Formatting {
	case "sharegpt":
		msgs, ok := r.m[col("messages", "conversations")].([]any)
		if !ok {
			t.Fatalf("no messages column %q in %v", col("messages", "conversations"), r.m)
		}
		if s, ok := r.info.Columns["system"]; ok {
			sys = str(r.m[s])
		}
		roleTag, contentTag := tag("role_tag", "from"), tag("content_tag", "value")
		user, assistant, system := tag("user_tag", "human"), tag("assistant_tag", "gpt"), tag("system_tag", "system")
		i := 0
		for _, x := range msgs {
			m := x.(map[string]any)
			role := str(m[roleTag])
			if role == system && i == 0 && len(turns) == 0 {
				sys = str(m[contentTag])
				continue
			}
			want := user
			if i%2 == 1 {
				want = assistant
			}
			if role != want {
				t.Fatalf("turn %d has role %q, want %q", i, role, want)
			}
			turns = append(turns, str(m[contentTag]))
			i++
		}
	case "", "alpaca":
		sys = str(r.m[col("system", "system")])
		if h, ok := r.m[col("history", "history")].([]any); ok {
			for _, p := range h {
				pair := p.([]any)
				if len(pair) != 2 {
					t.Fatalf("history pair %v", pair)
				}
				turns = append(turns, str(pair[0]), str(pair[1]))
			}
		}
		q := str(r.m[col("prompt", "instruction")])
		if in := str(r.m[col("query", "input")]); in != "" {
			q += "\n" + in
		}
		turns = append(turns, q, str(r.m[col("response", "output")]))
	default:
		t.Fatalf("formatting %q", r.info.Formatting)
	}
	if len(turns)%2 != 0 {
		t.Fatalf("odd number of turns: %d", len(turns))
	}
	return sys, turns
}
