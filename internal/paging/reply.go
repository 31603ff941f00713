package paging

import (
	"context"
	"log/slog"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

// ReplyDeps are what answers from phones need.
type ReplyDeps struct {
	Phones        warroom.PhoneService
	Users         warroom.UserService
	Incidents     warroom.IncidentService
	Notifications warroom.NotificationService
	// Teams says which services a contractor was granted; without it,
	// scoped roles are refused.
	Teams  warroom.TeamService
	Logger *slog.Logger
}

// Replies acts on SMS replies and key presses: it implements
// notify.Replier for every SMS and voice provider's webhook, which has
// checked the provider's signature first. The answer acts as the person
// whose verified number it came from, through the same TransitionIncident
// the web UI calls, so it is authorised and audited the same way.
type Replies struct{ d ReplyDeps }

// NewReplies returns the replier.
func NewReplies(d ReplyDeps) *Replies {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Replies{d}
}

var _ notify.Replier = (*Replies)(nil)

// recentPages is how many of a person's latest notifications a bare "1"
// looks through for the incident it means.
const recentPages = 50

// Reply implements notify.Replier. An unknown number gets no answer at
// all: answering would tell anyone with a phone which numbers warroom
// knows, and cost an SMS each time.
func (r *Replies) Reply(ctx context.Context, rep notify.Reply) notify.Answer {
	cm, err := r.d.Phones.FindVerifiedPhone(ctx, rep.From)
	if err != nil || (rep.Channel == "voice" && cm.UserID != rep.UserID) {
		reason := "unknown number"
		if warroom.ErrorCode(err) == warroom.ECONFLICT {
			reason = "number verified by several people"
		} else if err == nil {
			reason = "call answered by another person's number"
		} else if warroom.ErrorCode(err) != warroom.ENOTFOUND {
			r.d.Logger.Error("phone reply: find number", "err", err)
		}
		r.refuse(ctx, rep, reason)
		return notify.Answer{Language: "en-US"}
	}
	u, err := r.d.Users.FindUserByID(ctx, cm.UserID)
	if err != nil || !u.Can(warroom.PermRespond) {
		r.refuse(ctx, rep, "person may not respond")
		return notify.Answer{Language: "en-US"}
	}
	t := replyTexts(u.Locale)
	action, id, ok := notify.ParseReply(rep.Text)
	if !ok {
		return t.answer(t.help)
	}
	if rep.Channel == "voice" {
		id = rep.IncidentID
	}
	ctx = warroom.NewContextWithSource(warroom.NewContextWithUser(ctx, u), rep.Channel)
	if id == 0 {
		if id, err = r.lastPaged(ctx, u.ID); err != nil {
			return t.answer(warroom.ErrorMessage(err))
		} else if id == 0 {
			return t.answer(t.nothing)
		}
	}
	inc, err := r.d.Incidents.FindIncidentByID(ctx, id)
	if err == nil && u.Role.Scoped() {
		err = r.granted(ctx, u, inc)
	}
	if err != nil {
		r.refuse(ctx, rep, "incident not found or not granted")
		return t.answer(t.nothing)
	}
	to := warroom.StateAcknowledged
	if action == notify.ReplyResolve {
		to = warroom.StateResolved
	}
	if to == warroom.StateAcknowledged && inc.AcknowledgedAt != nil {
		return t.answer(t.already(inc))
	}
	if _, err := r.d.Incidents.TransitionIncident(ctx, inc.ID, to, t.note(rep.Channel)); err != nil {
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			r.d.Logger.Error("phone reply: transition", "incident", inc.ID, "err", err)
		}
		return t.answer(warroom.ErrorMessage(err))
	}
	return t.answer(t.done(inc, to))
}

// lastPaged returns the open incident the person was most recently paged
// for, 0 when there is none.
func (r *Replies) lastPaged(ctx context.Context, userID int64) (int64, error) {
	ns, _, err := r.d.Notifications.FindNotifications(ctx, warroom.NotificationFilter{UserID: &userID, Limit: recentPages})
	if err != nil {
		return 0, err
	}
	seen := map[int64]bool{}
	for _, n := range ns {
		if n.Kind != warroom.NotifyPage || n.IncidentID == 0 || seen[n.IncidentID] {
			continue
		}
		seen[n.IncidentID] = true
		inc, err := r.d.Incidents.FindIncidentByID(ctx, n.IncidentID)
		if err == nil && inc.State.Open() {
			return inc.ID, nil
		}
	}
	return 0, nil
}

func (r *Replies) granted(ctx context.Context, u *warroom.User, inc *warroom.Incident) error {
	if r.d.Teams == nil {
		return errBadLink
	}
	ids, err := r.d.Teams.FindUserServiceIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	if !u.Role.SeesIncident(inc.ServiceIDs, ids) {
		return errBadLink
	}
	return nil
}

func (r *Replies) refuse(ctx context.Context, rep notify.Reply, reason string) {
	r.d.Logger.Warn("phone reply refused", "channel", rep.Channel, "reason", reason)
	if err := r.d.Phones.RecordPhoneRefusal(context.WithoutCancel(ctx), rep.Channel, rep.From, reason); err != nil {
		r.d.Logger.Error("phone reply: audit refusal", "err", err)
	}
}

// Record implements notify.Replier.
func (r *Replies) Record(ctx context.Context, rc notify.Receipt) error {
	return r.d.Phones.RecordNotificationReceipt(ctx, &warroom.NotificationReceipt{NotificationID: rc.NotificationID, Provider: rc.Provider,
		ProviderID: rc.ProviderID, Status: rc.Status, ErrorCode: rc.ErrorCode, Price: rc.Price, PriceUnit: rc.PriceUnit})
}

// replyText is the answers in one language.
type replyText struct {
	lang, help, nothing string
	note                func(channel string) string
	already             func(*warroom.Incident) string
	done                func(*warroom.Incident, warroom.State) string
}

func (t replyText) answer(s string) notify.Answer { return notify.Answer{Text: s, Language: t.lang} }

func replyTexts(locale string) replyText {
	lt := texts(locale)
	if locale == "zh-CN" {
		return replyText{lang: "zh-CN", help: "回复 1 确认，2 解决；有多个事件时加上编号，如 1 42。", nothing: "没有可操作的未结束事件。",
			note: func(c string) string {
				return map[string]string{"sms": "通过短信回复操作", "voice": "通过电话按键操作"}[c]
			},
			already: lt.already, done: lt.done}
	}
	return replyText{lang: "en-US", help: "Reply 1 to acknowledge, 2 to resolve; add the number when several are open, as in 1 42.",
		nothing: "No open incident to act on.",
		note: func(c string) string {
			return map[string]string{"sms": "by SMS reply", "voice": "by a key pressed in a call"}[c]
		},
		already: lt.already, done: lt.done}
}
