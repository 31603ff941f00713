package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

// serviceIDs turns service names or IDs into IDs, asking the API for names.
func serviceIDs(ctx context.Context, cl *client.Client, refs []string) ([]int64, error) {
	ids := make([]int64, 0, len(refs))
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			ids = append(ids, id)
			continue
		}
		s, err := cl.FindServiceByName(ctx, ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, s.ID)
	}
	return ids, nil
}

// userID turns "me", a user ID or an email address into a user ID. The API
// has no lookup by email, so the user list is paged through.
func userID(ctx context.Context, cl *client.Client, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "me" {
		u, err := cl.Me(ctx)
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	if !strings.Contains(ref, "@") {
		return 0, usageErrorf("%q is not a user: give an email address, a user ID or \"me\"", ref)
	}
	for offset := 0; ; offset += warroom.MaxPageSize {
		users, total, err := cl.FindUsers(ctx, warroom.UserFilter{Offset: offset, Limit: warroom.MaxPageSize})
		if err != nil {
			return 0, err
		}
		for _, u := range users {
			if strings.EqualFold(u.Email, ref) {
				return u.ID, nil
			}
		}
		if len(users) == 0 || offset+len(users) >= total {
			return 0, warroom.Errorf(warroom.ENOTFOUND, "no user with email %s", ref)
		}
	}
}
