package notify

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// maxSMSRunes bounds an SMS body: past about 10 segments carriers drop or
// split messages unpredictably, and a page needs only its first line.
const maxSMSRunes = 600

// SMSBody is the text an SMS carries: the subject, then for a page of an
// open incident how to answer by reply (the reply words of ParseReply),
// then the incident's link. Verification and test messages are their text.
func SMSBody(msg *Message) string {
	var b strings.Builder
	switch msg.Kind {
	case warroom.NotifyVerification, warroom.NotifyTest:
		b.WriteString(msg.Text)
	default:
		b.WriteString(strings.ReplaceAll(msg.Subject, "\n", " "))
		if inc := msg.Incident; inc != nil && warroom.State(inc.State).Open() {
			id := strings.TrimPrefix(inc.Number, "INC-")
			if msg.Locale == "zh-CN" {
				b.WriteString("\n回复 1 确认，2 解决（多个事件时回复 1 " + id + "）。")
			} else {
				b.WriteString("\nReply 1 to acknowledge, 2 to resolve (1 " + id + " if several are open).")
			}
		}
		if inc := msg.Incident; inc != nil && inc.URL != "" {
			b.WriteString("\n" + inc.URL)
		}
	}
	s := b.String()
	if utf8.RuneCountInString(s) > maxSMSRunes {
		s = string([]rune(s)[:maxSMSRunes-1]) + "…"
	}
	return s
}

// Speech is what a voice call says, in the recipient's language.
type Speech struct {
	// Language is the BCP 47 tag text-to-speech reads in.
	Language string
	// Text is read first; Prompt asks for a key and is read only when the
	// call can take one; Goodbye ends a call with no key pressed.
	Text, Prompt, Goodbye string
	// Acked and Resolved confirm a key press; Refused says it did nothing.
	Acked, Resolved, Refused string
}

// SpeechFor returns the words of a call about msg. Subjects are read
// without the bracketed severity marks, which speech engines spell out.
func SpeechFor(msg *Message) Speech {
	zh := msg.Locale == "zh-CN"
	s := Speech{Language: "en-US", Goodbye: "Goodbye.", Acked: "Acknowledged. Escalation has stopped. Goodbye.",
		Resolved: "Resolved. Goodbye.", Refused: "That did not work. Please open warroom. Goodbye."}
	if zh {
		s = Speech{Language: "zh-CN", Goodbye: "再见。", Acked: "已确认，升级已停止。再见。", Resolved: "已解决。再见。", Refused: "操作未成功，请打开 warroom。再见。"}
	}
	switch msg.Kind {
	case warroom.NotifyVerification:
		// The rendered text carries the code among words; speech reads
		// the code digit by digit, with pauses.
		code := strings.Join(strings.Split(codeDigits.FindString(msg.Text), ""), ", ")
		if zh {
			s.Text = "您的 warroom 验证码是：" + code + "。重复一遍：" + code + "。"
		} else {
			s.Text = "Your warroom verification code is: " + code + ". Again: " + code + "."
		}
		return s
	case warroom.NotifyTest:
		s.Text = msg.Text
		return s
	}
	s.Text = strings.NewReplacer("[", "", "]", "", "\n", ". ").Replace(msg.Subject)
	if inc := msg.Incident; inc != nil && warroom.State(inc.State).Open() {
		if zh {
			s.Prompt = "按 1 确认，按 2 解决。"
		} else {
			s.Prompt = "Press 1 to acknowledge, 2 to resolve."
		}
	}
	return s
}

// codeDigits finds a verification code in a rendered text.
var codeDigits = regexp.MustCompile(`[0-9]{4,8}`)

// ReplyAction is what a reply to a page asks for.
type ReplyAction string

// Reply actions.
const (
	ReplyAcknowledge ReplyAction = "acknowledge"
	ReplyResolve     ReplyAction = "resolve"
)

// ParseReply reads an SMS reply or a key pressed in a call: "1", "ack",
// "确认" acknowledge and "2", "resolve", "解决" resolve, optionally
// followed by the incident ("1 42", "ack INC-42"). ok is false for
// anything else, which the caller answers with the instructions.
func ParseReply(s string) (action ReplyAction, incidentID int64, ok bool) {
	f := strings.Fields(strings.NewReplacer("，", " ", ",", " ", "。", " ", ".", " ").Replace(strings.TrimSpace(s)))
	if len(f) == 0 || len(f) > 2 {
		return "", 0, false
	}
	switch strings.ToLower(f[0]) {
	case "1", "ack", "acknowledge", "确认":
		action = ReplyAcknowledge
	case "2", "resolve", "解决":
		action = ReplyResolve
	default:
		return "", 0, false
	}
	if len(f) == 2 {
		id, err := warroom.ParseNumber(f[1])
		if err != nil || id <= 0 {
			return "", 0, false
		}
		incidentID = id
	}
	return action, incidentID, true
}

// Reply is an answer that came back from a phone: an SMS, or a key
// pressed in a call.
type Reply struct {
	// Channel is "sms" or "voice".
	Channel string
	// From is the person's number in E.164: the sender of an SMS, the
	// called number of a call.
	From string
	// Text is the SMS body or the keys pressed.
	Text string
	// IncidentID and UserID are set for a call, which was placed about one
	// incident for one person.
	IncidentID, UserID int64
}

// Answer is what goes back to the phone.
type Answer struct {
	Text string
	// Language is the BCP 47 tag a call reads Text in.
	Language string
}

// Receipt is a provider's report on a message or call it was given.
type Receipt struct {
	NotificationID int64
	Provider       string
	ProviderID     string
	Status         string
	ErrorCode      string
	// Price is as the provider reports it (Twilio: "-0.00750"), in
	// PriceUnit ("USD").
	Price, PriceUnit string
}

// Replier acts on answers from phones and records providers' receipts;
// provider webhooks call it once the request's signature is checked.
type Replier interface {
	Reply(ctx context.Context, r Reply) Answer
	Record(ctx context.Context, r Receipt) error
}
