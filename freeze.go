package warroom

import (
	"strings"
	"time"
	"unicode/utf8"
)

// FreezeWindow is a period, such as a big promotion, during which changes
// to the chosen services may not start unless an exception is granted.
type FreezeWindow struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
	// StartsAt and EndsAt bound the window: [StartsAt, EndsAt).
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	// ServiceIDs are the frozen services; empty freezes every service.
	ServiceIDs []int64    `json:"service_ids"`
	Services   []*Service `json:"services,omitempty"`
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	// Exceptions is filled on reads.
	Exceptions []*FreezeException `json:"exceptions"`
}

// Validate checks the window.
func (f *FreezeWindow) Validate() error {
	if strings.TrimSpace(f.Name) == "" || utf8.RuneCountInString(f.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(f.Reason) > MaxTextLen {
		return FieldErrorf("reason", "must be at most %d characters", MaxTextLen)
	} else if f.StartsAt.IsZero() {
		return FieldErrorf("starts_at", "is required")
	} else if !f.EndsAt.After(f.StartsAt) {
		return FieldErrorf("ends_at", "must be after starts_at")
	} else if f.EndsAt.Sub(f.StartsAt) > 366*24*time.Hour {
		return FieldErrorf("ends_at", "a freeze lasts at most a year")
	}
	return validateServiceIDs(f.ServiceIDs)
}

// Covers reports whether the window is in force at t for a change touching
// serviceIDs.
func (f *FreezeWindow) Covers(t time.Time, serviceIDs []int64) bool {
	if t.Before(f.StartsAt) || !t.Before(f.EndsAt) {
		return false
	}
	if len(f.ServiceIDs) == 0 {
		return true
	}
	for _, a := range f.ServiceIDs {
		for _, b := range serviceIDs {
			if a == b {
				return true
			}
		}
	}
	return false
}

// ExceptsByOther reports whether the window grants c an exception that
// someone other than its author granted; an author's own exception does not
// count.
func (f *FreezeWindow) ExceptsByOther(c *Change) bool {
	for _, e := range f.Exceptions {
		if e.ChangeID == c.ID && e.GrantedBy != c.AuthorID {
			return true
		}
	}
	return false
}

// FreezeException lets one change start during a freeze window.
type FreezeException struct {
	ID        int64     `json:"id"`
	FreezeID  int64     `json:"freeze_id"`
	ChangeID  int64     `json:"change_id"`
	Reason    string    `json:"reason"`
	GrantedBy int64     `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// FreezeFilter selects freeze windows overlapping [From, To); nil bounds
// are open.
type FreezeFilter struct {
	From *time.Time
	To   *time.Time
}
