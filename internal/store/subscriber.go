package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.SubscriberService = (*DB)(nil)

// randomHex returns n random bytes as hex: 32 bytes make a token nobody
// guesses.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Subscribe adds a subscriber.
func (db *DB) Subscribe(ctx context.Context, s *warroom.Subscriber) error {
	if s == nil {
		return warroom.Errorf(warroom.EINVALID, "A subscriber is required.")
	} else if err := s.Validate(); err != nil {
		return err
	}
	if s.Kind == warroom.ChannelWebhook {
		if err := db.checkOutbound(ctx, "target", s.Target); err != nil {
			return err
		}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	s.ComponentIDs = nonNil(uniqueIDs(s.ComponentIDs))
	for i, cid := range s.ComponentIDs {
		if _, err := findComponent(ctx, tx, cid, fmt.Sprintf("component_ids[%d]", i)); err != nil {
			return err
		}
	}
	// lower() on both sides folds as the subscribers_target index does:
	// ASCII only on SQLite, Unicode on PostgreSQL.
	existing, err := findSubscribers(ctx, tx, "s.kind = ? AND lower(s.target) = lower(?)", string(s.Kind), s.Target)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		old := existing[0]
		if s.Kind == warroom.ChannelWebhook {
			return &warroom.Error{Code: warroom.ECONFLICT, Field: "target", Message: "target: this webhook is already subscribed"}
		}
		// The answer must not reveal whether the address was subscribed:
		// an unconfirmed one gets its link again, a confirmed one nothing.
		*s = *old
		if old.ConfirmedAt == nil {
			if err := queueNotice(ctx, tx, &warroom.Notice{Kind: warroom.NoticeConfirm, SubscriberID: old.ID}); err != nil {
				return err
			}
		}
		return tx.commit()
	}
	s.Token, s.CreatedAt, s.ConfirmedAt, s.Secret = randomHex(32), tx.now, nil, ""
	if s.Kind == warroom.ChannelWebhook {
		now := tx.now
		s.Secret, s.ConfirmedAt = "whsec_"+randomHex(24), &now
	}
	s.ID, err = tx.insert(ctx, `INSERT INTO subscribers (kind, target, locale, token, secret, confirmed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(s.Kind), s.Target, s.Locale, s.Token, s.Secret, s.ConfirmedAt, tx.now)
	if isUnique(err) {
		// Another request subscribed the same target since the check above.
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "target", Message: "target: this address is being subscribed; try again"}
	} else if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	for _, cid := range s.ComponentIDs {
		if _, err := tx.exec(ctx, `INSERT INTO subscriber_components (subscriber_id, component_id) VALUES (?, ?)`, s.ID, cid); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
	}
	if s.Kind == warroom.ChannelEmail {
		if err := queueNotice(ctx, tx, &warroom.Notice{Kind: warroom.NoticeConfirm, SubscriberID: s.ID}); err != nil {
			return err
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditSubscriberCreate, "subscriber", s.ID, map[string]any{
		"kind": s.Kind, "target": s.Target, "locale": s.Locale, "component_ids": s.ComponentIDs,
	}); err != nil {
		return err
	}
	return tx.commit()
}

// ConfirmSubscriber confirms the subscription holding token.
func (db *DB) ConfirmSubscriber(ctx context.Context, token string) (*warroom.Subscriber, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := subscriberByToken(ctx, tx, token)
	if err != nil {
		return nil, err
	}
	if s.ConfirmedAt != nil {
		return s, tx.commit()
	}
	if _, err := tx.exec(ctx, `UPDATE subscribers SET confirmed_at = ? WHERE id = ?`, tx.now, s.ID); err != nil {
		return nil, fmt.Errorf("confirm subscriber: %w", err)
	}
	now := tx.now
	s.ConfirmedAt = &now
	if err := writeAudit(ctx, tx, warroom.AuditSubscriberConfirm, "subscriber", s.ID, nil); err != nil {
		return nil, err
	}
	return s, tx.commit()
}

func subscriberByToken(ctx context.Context, tx *tx, token string) (*warroom.Subscriber, error) {
	if len(token) != 64 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "This link is not valid, or the subscription was removed.")
	}
	ss, err := findSubscribers(ctx, tx, "s.token = ?", token)
	if err != nil {
		return nil, err
	} else if len(ss) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "This link is not valid, or the subscription was removed.")
	}
	return ss[0], nil
}

// Unsubscribe removes the subscription holding token.
func (db *DB) Unsubscribe(ctx context.Context, token string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	s, err := subscriberByToken(ctx, tx, token)
	if err != nil {
		return err
	}
	if err := deleteSubscriber(ctx, tx, s); err != nil {
		return err
	}
	return tx.commit()
}

func deleteSubscriber(ctx context.Context, tx *tx, s *warroom.Subscriber) error {
	for _, q := range []string{`DELETE FROM subscriber_components WHERE subscriber_id = ?`, `DELETE FROM subscribers WHERE id = ?`} {
		if _, err := tx.exec(ctx, q, s.ID); err != nil {
			return fmt.Errorf("delete subscriber: %w", err)
		}
	}
	return writeAudit(ctx, tx, warroom.AuditSubscriberDelete, "subscriber", s.ID, map[string]any{"kind": s.Kind, "target": s.Target})
}

// DeleteSubscriber removes a subscriber.
func (db *DB) DeleteSubscriber(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	ss, err := findSubscribers(ctx, tx, "s.id = ?", id)
	if err != nil {
		return err
	} else if len(ss) == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Subscriber %d not found.", id)
	}
	if err := deleteSubscriber(ctx, tx, ss[0]); err != nil {
		return err
	}
	return tx.commit()
}

// FindSubscribers returns a page of subscribers, newest first.
func (db *DB) FindSubscribers(ctx context.Context, filter warroom.SubscriberFilter) ([]*warroom.Subscriber, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.Kind; v != nil {
		where, args = append(where, "s.kind = ?"), append(args, string(*v))
	}
	if v := filter.Confirmed; v != nil && *v {
		where = append(where, "s.confirmed_at IS NOT NULL")
	} else if v != nil {
		where = append(where, "s.confirmed_at IS NULL")
	}
	cond := strings.Join(where, " AND ")
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM subscribers s WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	ss, err := findSubscribers(ctx, tx, cond+" ORDER BY s.id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	for _, s := range ss {
		s.Token, s.Secret = "", ""
	}
	return ss, n, tx.commit()
}

// findSubscribers reads subscribers with their components; where may end
// with ORDER BY and LIMIT.
func findSubscribers(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.Subscriber, error) {
	if !strings.Contains(where, "ORDER BY") {
		where += " ORDER BY s.id"
	}
	rows, err := tx.query(ctx, `SELECT s.id, s.kind, s.target, s.locale, s.token, s.secret, s.confirmed_at, s.created_at FROM subscribers s WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("find subscribers: %w", err)
	}
	defer rows.Close()
	ss := []*warroom.Subscriber{}
	for rows.Next() {
		s := &warroom.Subscriber{ComponentIDs: []int64{}}
		if err := rows.Scan(&s.ID, &s.Kind, &s.Target, &s.Locale, &s.Token, &s.Secret, scanNullTime(&s.ConfirmedAt), scanTime(&s.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find subscribers: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find subscribers: %w", err)
	}
	rows.Close()
	if len(ss) == 0 {
		return ss, nil
	}
	ids := make([]any, 0, len(ss))
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	links, err := componentLinks(ctx, tx, "subscriber_components", "subscriber_id", ids)
	if err != nil {
		return nil, fmt.Errorf("find subscribers: %w", err)
	}
	for _, s := range ss {
		if c := links[s.ID]; c != nil {
			s.ComponentIDs = c
		}
	}
	return ss, nil
}

// findSubscriberByID is for fan-out: it keeps the token and secret.
func findSubscriberByID(ctx context.Context, tx *tx, id int64) (*warroom.Subscriber, error) {
	ss, err := findSubscribers(ctx, tx, "s.id = ?", id)
	if err != nil {
		return nil, err
	} else if len(ss) == 0 {
		return nil, sql.ErrNoRows
	}
	return ss[0], nil
}
