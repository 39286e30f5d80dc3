package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LLMAnswer is one cached answer of the LLM responder: what a command printed on this
// persona, for this user and cwd, in one observed filesystem state. Every session and
// attacker shares it, and it survives restarts.
type LLMAnswer struct {
	Key     string // the cache key (hex SHA-256 of persona, user, cwd, command and state digest)
	Persona string // persona id
	User    string
	Cwd     string
	Command string // the normalised command line
	Answer  string // the cleaned output, "\n" line endings
	Status  int    // the exit status the shell reports
	// Source is "llm" for a model's answer, "fallback" for the deterministic answer that
	// replaced an out-of-character reply, "operator" after `lure llm cache edit`.
	Source  string
	Model   string
	Created time.Time
}

// LLMFilter selects cached answers; the zero value selects all (newest first, at most 100).
type LLMFilter struct {
	Keys     []string // exact keys or unique key prefixes (at least 6 hex digits)
	Contains string   // a substring of the command line
	Limit    int      // 0: 100; negative: no limit
}

// LLMCache is the response cache table of the SQLite store. It is safe for concurrent use.
type LLMCache struct {
	db  *sql.DB
	get *sql.Stmt
}

const llmSchema = `
CREATE TABLE IF NOT EXISTS llm_cache (
	key     TEXT PRIMARY KEY,
	persona TEXT NOT NULL,
	user    TEXT NOT NULL,
	cwd     TEXT NOT NULL,
	command TEXT NOT NULL,
	answer  TEXT NOT NULL,
	status  INTEGER NOT NULL,
	source  TEXT NOT NULL,
	model   TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_cache_created ON llm_cache(created);
`

// LLMCache opens the response cache in the store, creating its table on first use.
func (s *SQLite) LLMCache(ctx context.Context) (*LLMCache, error) {
	if _, err := s.db.ExecContext(ctx, llmSchema); err != nil {
		return nil, fmt.Errorf("preparing the LLM response cache table: %w", err)
	}
	get, err := s.db.PrepareContext(ctx, `SELECT key, persona, user, cwd, command, answer, status, source, model, created FROM llm_cache WHERE key=?`)
	if err != nil {
		return nil, fmt.Errorf("preparing the LLM response cache lookup: %w", err)
	}
	return &LLMCache{db: s.db, get: get}, nil
}

// Get returns the answer cached under key; ok is false when there is none.
func (c *LLMCache) Get(ctx context.Context, key string) (a LLMAnswer, ok bool, err error) {
	a, err = scanAnswer(c.get.QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) {
		return LLMAnswer{}, false, nil
	}
	if err != nil {
		return LLMAnswer{}, false, fmt.Errorf("reading the LLM response cache: %w", err)
	}
	return a, true, nil
}

// Put stores a (replacing the answer under the same key). A zero Created is now.
func (c *LLMCache) Put(ctx context.Context, a LLMAnswer) error {
	if a.Created.IsZero() {
		a.Created = time.Now()
	}
	_, err := c.db.ExecContext(ctx, `INSERT OR REPLACE INTO llm_cache(key, persona, user, cwd, command, answer, status, source, model, created) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		a.Key, a.Persona, a.User, a.Cwd, a.Command, a.Answer, a.Status, a.Source, a.Model, a.Created.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("writing the LLM response cache: %w", err)
	}
	return nil
}

// List returns the cached answers f selects, newest first.
func (c *LLMCache) List(ctx context.Context, f LLMFilter) ([]LLMAnswer, error) {
	where, args := f.where()
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	rows, err := c.db.QueryContext(ctx, `SELECT key, persona, user, cwd, command, answer, status, source, model, created FROM llm_cache`+where+` ORDER BY created DESC, key LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing the LLM response cache: %w", err)
	}
	defer rows.Close()
	var out []LLMAnswer
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			return nil, fmt.Errorf("listing the LLM response cache: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Delete removes the cached answers f selects (the zero filter removes all) and returns
// how many went. Limit is ignored.
func (c *LLMCache) Delete(ctx context.Context, f LLMFilter) (int, error) {
	where, args := f.where()
	res, err := c.db.ExecContext(ctx, `DELETE FROM llm_cache`+where, args...)
	if err != nil {
		return 0, fmt.Errorf("purging the LLM response cache: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (f LLMFilter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Keys) > 0 {
		var ors []string
		for _, k := range f.Keys {
			ors = append(ors, `key LIKE ? ESCAPE '\'`)
			args = append(args, likeEscape(strings.ToLower(k))+"%")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Contains != "" {
		conds = append(conds, `command LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(f.Contains)+"%")
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

type rowScanner interface{ Scan(dest ...any) error }

func scanAnswer(r rowScanner) (LLMAnswer, error) {
	var a LLMAnswer
	var created string
	if err := r.Scan(&a.Key, &a.Persona, &a.User, &a.Cwd, &a.Command, &a.Answer, &a.Status, &a.Source, &a.Model, &created); err != nil {
		return LLMAnswer{}, err
	}
	a.Created = parseTS(created)
	return a, nil
}
