package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/lure-sensor/lure/internal/llm"
)

// Formats are the dataset formats Export writes, as LLaMA-Factory's data/README names them.
const (
	// FormatLLaMAFactory is LLaMA-Factory's "OpenAI format": a messages list with role and
	// content, the system prompt first (registered as sharegpt with role/content tags).
	FormatLLaMAFactory = "llamafactory"
	// FormatShareGPT is the ShareGPT format: conversations of from/value with human and gpt
	// turns, the system prompt in its own column.
	FormatShareGPT = "sharegpt"
	// FormatAlpaca is the Alpaca format: instruction, input, output, system and history
	// (earlier [instruction, response] pairs).
	FormatAlpaca = "alpaca"
)

// Formats lists the formats.
func Formats() []string { return []string{FormatLLaMAFactory, FormatShareGPT, FormatAlpaca} }

// DatasetInfo is the dataset_info.json entry LLaMA-Factory reads to load one file.
type DatasetInfo struct {
	FileName   string            `json:"file_name"`
	Formatting string            `json:"formatting,omitempty"` // "" is alpaca
	Columns    map[string]string `json:"columns"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// Info returns the dataset_info.json entry for a file in format.
func Info(format, file string) (DatasetInfo, error) {
	switch format {
	case FormatLLaMAFactory:
		return DatasetInfo{FileName: file, Formatting: "sharegpt",
			Columns: map[string]string{"messages": "messages"},
			Tags: map[string]string{"role_tag": "role", "content_tag": "content", "user_tag": "user",
				"assistant_tag": "assistant", "system_tag": "system"}}, nil
	case FormatShareGPT:
		return DatasetInfo{FileName: file, Formatting: "sharegpt",
			Columns: map[string]string{"messages": "conversations", "system": "system"}}, nil
	case FormatAlpaca:
		return DatasetInfo{FileName: file,
			Columns: map[string]string{"prompt": "instruction", "query": "input", "response": "output", "system": "system", "history": "history"}}, nil
	}
	return DatasetInfo{}, fmt.Errorf("unknown dataset format %q (one of llamafactory, sharegpt, alpaca)", format)
}

// The row shapes, one per format.
type (
	openAIRow struct {
		Messages []llm.Message `json:"messages"`
	}
	shareGPTTurn struct {
		From  string `json:"from"`
		Value string `json:"value"`
	}
	shareGPTRow struct {
		Conversations []shareGPTTurn `json:"conversations"`
		System        string         `json:"system"`
	}
	alpacaRow struct {
		Instruction string      `json:"instruction"`
		Input       string      `json:"input"`
		Output      string      `json:"output"`
		System      string      `json:"system"`
		History     [][2]string `json:"history"`
	}
)

// Row renders a record in a format.
func Row(format string, r Record) (any, error) {
	var system string
	var turns []llm.Message
	for _, m := range r.Messages {
		if m.Role == "system" {
			system = m.Content
			continue
		}
		turns = append(turns, m)
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return nil, fmt.Errorf("a record must end with the user's command")
	}
	switch format {
	case FormatLLaMAFactory:
		msgs := append(append([]llm.Message{}, r.Messages...), llm.Message{Role: "assistant", Content: r.Output})
		return openAIRow{Messages: msgs}, nil
	case FormatShareGPT:
		row := shareGPTRow{System: system}
		for _, m := range turns {
			from := "human"
			if m.Role == "assistant" {
				from = "gpt"
			}
			row.Conversations = append(row.Conversations, shareGPTTurn{From: from, Value: m.Content})
		}
		row.Conversations = append(row.Conversations, shareGPTTurn{From: "gpt", Value: r.Output})
		return row, nil
	case FormatAlpaca:
		row := alpacaRow{System: system, Output: r.Output, History: [][2]string{}}
		for i := 0; i+1 < len(turns)-1; i += 2 {
			row.History = append(row.History, [2]string{turns[i].Content, turns[i+1].Content})
		}
		row.Instruction = turns[len(turns)-1].Content
		return row, nil
	}
	return nil, fmt.Errorf("unknown dataset format %q (one of llamafactory, sharegpt, alpaca)", format)
}

// Writer writes records of one format as JSON lines (LLaMA-Factory loads .jsonl files).
type Writer struct {
	format string
	f      *os.File
	w      *bufio.Writer
	n      int
}

// Create opens path for records of format.
func Create(path, format string) (*Writer, error) {
	if _, err := Info(format, ""); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating dataset file: %w", err)
	}
	return &Writer{format: format, f: f, w: bufio.NewWriter(f)}, nil
}

// Write appends one record.
func (w *Writer) Write(r Record) error {
	row, err := Row(w.format, r)
	if err != nil {
		return err
	}
	line, err := json.Marshal(row)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	if _, err := w.w.Write(line); err != nil {
		return fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	w.n++
	return nil
}

// Count is the number of records written.
func (w *Writer) Count() int { return w.n }

// Close flushes and closes the file.
func (w *Writer) Close() error {
	if err := w.w.Flush(); err != nil {
		w.f.Close()
		return fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	return w.f.Close()
}

// WriteInfo writes dir/dataset_info.json registering each dataset name to its file in format.
func WriteInfo(dir, format string, files map[string]string) error {
	info := map[string]DatasetInfo{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		di, err := Info(format, files[n])
		if err != nil {
			return err
		}
		info[n] = di
	}
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "dataset_info.json"), append(data, '\n'), 0o644)
}

var _ io.Closer = (*Writer)(nil)
