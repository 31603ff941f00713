package warroom

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Service is an entry in the service catalog: something that can break and
// that a team owns.
type Service struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Team        string `json:"team"`
	// Tier is the criticality: 1 for the most critical, up to 4.
	Tier      int       `json:"tier"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// serviceName keeps names usable in URLs, labels and CLI flags.
var serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks the service fields.
func (s *Service) Validate() error {
	if !serviceName.MatchString(s.Name) {
		return FieldErrorf("name", "must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	} else if utf8.RuneCountInString(s.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if utf8.RuneCountInString(s.Team) > MaxTitleLen {
		return FieldErrorf("team", "must be at most %d characters", MaxTitleLen)
	} else if s.Tier < 1 || s.Tier > 4 {
		return FieldErrorf("tier", "must be 1 (most critical) to 4")
	}
	return nil
}

// ServiceFilter selects services.
type ServiceFilter struct {
	ID    *int64
	Name  *string
	Team  *string
	Query *string

	Offset int
	Limit  int
}

// ServiceUpdate changes a service; nil fields are left alone.
type ServiceUpdate struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Team        *string `json:"team"`
	Tier        *int    `json:"tier"`
}

// Apply copies the set fields onto s.
func (u *ServiceUpdate) Apply(s *Service) {
	if u.Name != nil {
		s.Name = strings.TrimSpace(*u.Name)
	}
	if u.Description != nil {
		s.Description = *u.Description
	}
	if u.Team != nil {
		s.Team = *u.Team
	}
	if u.Tier != nil {
		s.Tier = *u.Tier
	}
}

// ServiceCatalog manages services.
type ServiceCatalog interface {
	// FindServiceByID returns ENOTFOUND.
	FindServiceByID(ctx context.Context, id int64) (*Service, error)

	// FindServiceByName returns ENOTFOUND.
	FindServiceByName(ctx context.Context, name string) (*Service, error)

	// FindServices returns a page of services ordered by name and the total.
	FindServices(ctx context.Context, filter ServiceFilter) ([]*Service, int, error)

	// CreateService adds a service.
	// Returns EINVALID, ECONFLICT when the name is taken.
	CreateService(ctx context.Context, s *Service) error

	// UpdateService changes a service.
	// Returns ENOTFOUND, EINVALID, ECONFLICT.
	UpdateService(ctx context.Context, id int64, upd ServiceUpdate) (*Service, error)
}
