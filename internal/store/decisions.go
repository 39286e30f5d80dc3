package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
)

// decisionSchema keeps the IPS decisions. Times are Unix nanoseconds so that the bouncer API's
// range queries compare integers. A decision removed by hand keeps its row (bouncers must
// learn of the removal) with until set to the removal time and removed = 1.
const decisionSchema = `
CREATE TABLE IF NOT EXISTS decisions (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	scope     TEXT NOT NULL,
	value     TEXT NOT NULL,
	type      TEXT NOT NULL,
	origin    TEXT NOT NULL,
	scenario  TEXT NOT NULL,
	reason    TEXT NOT NULL,
	duration  INTEGER NOT NULL,
	created   INTEGER NOT NULL,
	until     INTEGER NOT NULL,
	evidence  TEXT NOT NULL,
	simulated INTEGER NOT NULL DEFAULT 0,
	removed   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS decisions_until ON decisions(until);
CREATE INDEX IF NOT EXISTS decisions_value ON decisions(value, created);
CREATE INDEX IF NOT EXISTS decisions_created ON decisions(created);
`

// AddDecision implements ips.DecisionStore.
func (s *SQLite) AddDecision(ctx context.Context, d *ips.Decision) error {
	ev := d.Evidence
	if ev == nil {
		ev = []string{}
	}
	evidence, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO decisions(scope, value, type, origin, scenario, reason, duration, created, until, evidence, simulated) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		d.Scope, d.Value, d.Type, d.Origin, d.Scenario, d.Reason, int64(d.Duration), d.Created.UnixNano(), d.Until.UnixNano(), string(evidence), d.Simulated)
	if err != nil {
		return fmt.Errorf("storing decision: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return err
}

func decisionWhere(q ips.DecisionQuery) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if q.ID != 0 {
		add("id = ?", q.ID)
	}
	if q.AfterID != 0 {
		add("id > ?", q.AfterID)
	}
	if q.Value != "" {
		add("value = ?", q.Value)
	}
	if !q.ActiveAt.IsZero() {
		add("until > ?", q.ActiveAt.UnixNano())
	}
	if !q.CreatedAfter.IsZero() {
		add("created > ?", q.CreatedAfter.UnixNano())
	}
	if !q.EndedAfter.IsZero() {
		add("until > ?", q.EndedAfter.UnixNano())
	}
	if !q.EndedBefore.IsZero() {
		add("until <= ?", q.EndedBefore.UnixNano())
	}
	if !q.Simulated {
		conds = append(conds, "simulated = 0")
	}
	if q.NotRemoved {
		conds = append(conds, "removed = 0")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Decisions implements ips.DecisionStore.
func (s *SQLite) Decisions(ctx context.Context, q ips.DecisionQuery) ([]ips.Decision, error) {
	where, args := decisionWhere(q)
	query := `SELECT id, scope, value, type, origin, scenario, reason, duration, created, until, evidence, simulated FROM decisions` + where + ` ORDER BY id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	return s.queryDecisions(ctx, s.db, query, args...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *SQLite) queryDecisions(ctx context.Context, db querier, query string, args ...any) ([]ips.Decision, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading decisions: %w", err)
	}
	defer rows.Close()
	out := []ips.Decision{}
	for rows.Next() {
		var d ips.Decision
		var dur, created, until int64
		var evidence string
		if err := rows.Scan(&d.ID, &d.Scope, &d.Value, &d.Type, &d.Origin, &d.Scenario, &d.Reason, &dur, &created, &until, &evidence, &d.Simulated); err != nil {
			return nil, err
		}
		d.Duration, d.Created, d.Until = time.Duration(dur), time.Unix(0, created), time.Unix(0, until)
		if err := json.Unmarshal([]byte(evidence), &d.Evidence); err != nil {
			return nil, fmt.Errorf("evidence of decision %d: %w", d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RemoveDecisions implements ips.DecisionStore.
func (s *SQLite) RemoveDecisions(ctx context.Context, q ips.DecisionQuery, at time.Time) ([]ips.Decision, error) {
	if q.ActiveAt.IsZero() {
		q.ActiveAt = at // only decisions in force can end
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := decisionWhere(q)
	gone, err := s.queryDecisions(ctx, tx, `SELECT id, scope, value, type, origin, scenario, reason, duration, created, until, evidence, simulated FROM decisions`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for _, d := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE decisions SET until = ?, removed = 1 WHERE id = ?`, at.UnixNano(), d.ID); err != nil {
			return nil, fmt.Errorf("removing decision %d: %w", d.ID, err)
		}
	}
	return gone, tx.Commit()
}
