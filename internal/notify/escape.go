package notify

import "strings"

// Chat channels render text as markup, and the text of a message is not
// warroom's: alert summaries come from monitoring systems, titles and
// notes from people. Without escaping, a summary reading "<!channel>" pings
// a whole Slack channel and "[reset your password](https://evil)" shows
// as a link that hides where it goes. Each channel escapes for its own
// dialect; the links warroom adds are built apart, from Message.Links.
//
// Bare URLs are left as they are: every dialect shows them with their real
// address, so they cannot disguise where they lead, and status-page
// messages carry warroom's own links that way.

// EscapeSlack escapes text for Slack mrkdwn the way Slack asks
// (https://api.slack.com/reference/surfaces/formatting#escaping): &, < and
// > become entities, so no <!channel>, <@U…>, <#C…> or <url|text> can form.
func EscapeSlack(s string) string {
	return slackEscaper.Replace(s)
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Joiner is the invisible character EscapeMarkdown puts after the
// characters that open active constructs: U+2060 WORD JOINER, which takes
// no space and keeps the word whole.
const Joiner = "\u2060"

// EscapeMarkdown makes text inert in the Markdown dialects of Mattermost,
// Teams, DingTalk, WeCom and Feishu. They differ, and not all of them
// honour backslash escapes, so instead of escaping it breaks the sequence
// each construct needs with an invisible Joiner:
//   - after "]": no inline link or image "](", reference "][" or link
//     definition "]:" can form;
//   - after "<": no autolink, HTML tag (<font>, <a>), or vendor mention
//     (<at user_id="all">, <@userid>);
//   - after "@": no @all, @channel, @here or @name mention;
//   - after "&": no entity that a renderer could decode into one of the
//     above.
//
// What a reader sees is unchanged.
func EscapeMarkdown(s string) string {
	return markdownEscaper.Replace(s)
}

var markdownEscaper = strings.NewReplacer("]", "]"+Joiner, "<", "<"+Joiner, "@", "@"+Joiner, "&", "&"+Joiner)

// IsMarkdownOpener reports whether b is one of the characters
// EscapeMarkdown follows with a Joiner, for a channel that cuts escaped
// text and must not cut between the two.
func IsMarkdownOpener(b byte) bool {
	return b == ']' || b == '<' || b == '@' || b == '&'
}

// LinkLabel makes a label safe inside Markdown link text: the labels come
// from templates, and a bracket in one would end the link early.
func LinkLabel(s string) string {
	return labelReplacer.Replace(s)
}

var labelReplacer = strings.NewReplacer("[", "(", "]", ")", "\n", " ")
