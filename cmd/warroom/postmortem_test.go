package main

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestCLI_Postmortem starts, shows and exports a postmortem, lists and
// completes an action item created over the API, and searches in Chinese.
func TestCLI_Postmortem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		ok(t, m, "incident", "declare", "--title", "ETC 卡被误拉黑", "--summary", "未经测试的修复上线后触发了拉黑逻辑", "--type", "system_crash")
		out := ok(t, m, "postmortem", "create", "INC-1")
		contains(t, "create", out, "Postmortem #1 of INC-1 started (draft).")
		fails(t, m, exitFailure, "postmortem", "create", "INC-1")

		out = ok(t, m, "postmortem", "show", "INC-1")
		contains(t, "show", out, "Postmortem #1", "draft", "detected", "Five whys:")

		out = ok(t, m, "postmortem", "export", "INC-1", "--format", "md")
		contains(t, "markdown", out, "# Postmortem: INC-1 ETC 卡被误拉黑", "## Key moments")
		out = ok(t, m, "postmortem", "export", "INC-1", "--format", "html")
		contains(t, "html", out, "<!doctype html>", "@page")
		fails(t, m, exitUsage, "postmortem", "export", "INC-1", "--format", "pdf")

		out = ok(t, m, "action", "list")
		contains(t, "no items", out, "No action items.")
		fails(t, m, exitFailure, "action", "done", "99")

		out = ok(t, m, "search", "拉黑")
		contains(t, "search", out, "INC-1", "ETC 卡被误拉黑")
		out = ok(t, m, "search", "kubernetes")
		if !strings.Contains(out, "Nothing found.") {
			t.Errorf("search for nothing:\n%s", out)
		}
	})
}
