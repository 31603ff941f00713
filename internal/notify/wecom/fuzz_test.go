package wecom_test

import (
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
	"github.com/warroomhq/warroom/internal/notify/wecom"
)

// FuzzBuild: no subject or text can create a link, image, tag or mention
// in the Markdown the robot renders, and warroom's own links are there once each,
// unchanged.
func FuzzBuild(f *testing.F) {
	notifytest.FuzzMarkdown(f, func(m *notify.Message) string { return wecom.Build(m).Markdown.Content }, `<font color="warning">`, "</font>")
}
