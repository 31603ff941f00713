package mattermost_test

import (
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/mattermost"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
)

// FuzzBuild: no subject or text can create a link, image, tag or mention
// in the Markdown Mattermost renders, and warroom's own links are there once each,
// unchanged.
func FuzzBuild(f *testing.F) {
	notifytest.FuzzMarkdown(f, func(m *notify.Message) string { return mattermost.Build(m).Text })
}
