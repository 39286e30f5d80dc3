package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestLLMCacheSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lure.db")
	db, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.LLMCache(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Get(ctx, "abc"); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	for _, a := range []LLMAnswer{
		{Key: "aaaaaa01", Persona: "p", User: "root", Cwd: "/root", Command: "docker ps", Answer: "CONTAINER ID\n", Status: 0, Source: "llm", Model: "m"},
		{Key: "bbbbbb02", Persona: "p", User: "root", Cwd: "/root", Command: "nvidia-smi 50%_x", Answer: "x\n", Status: 9, Source: "fallback"},
	} {
		if err := c.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db, err = OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err = db.LLMCache(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok, err := c.Get(ctx, "aaaaaa01")
	if err != nil || !ok || a.Answer != "CONTAINER ID\n" || a.Command != "docker ps" || a.Model != "m" || a.Created.IsZero() {
		t.Fatalf("after reopen: %+v ok=%v err=%v", a, ok, err)
	}
	got, err := c.List(ctx, LLMFilter{Contains: "50%_"})
	if err != nil || len(got) != 1 || got[0].Status != 9 || got[0].Source != "fallback" {
		t.Fatalf("list by a substring with LIKE metacharacters: %+v %v", got, err)
	}
	if got, _ := c.List(ctx, LLMFilter{Contains: "0%x"}); len(got) != 0 {
		t.Fatalf("%% must match literally: %+v", got)
	}
	if all, _ := c.List(ctx, LLMFilter{}); len(all) != 2 {
		t.Fatalf("list all: %d", len(all))
	}
	n, err := c.Delete(ctx, LLMFilter{Keys: []string{"BBBBBB"}})
	if err != nil || n != 1 {
		t.Fatalf("delete by key prefix: %d %v", n, err)
	}
	if n, _ := c.Delete(ctx, LLMFilter{}); n != 1 {
		t.Fatalf("purge: %d", n)
	}
}
