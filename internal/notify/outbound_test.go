package notify_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroomhq/warroom/internal/notify"
)

func mustPolicy(tb testing.TB, allow string) *notify.Policy {
	tb.Helper()
	p, err := notify.ParsePolicy(allow)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestPolicy_CheckURL(t *testing.T) {
	for _, tt := range []struct {
		url, allow string
		refused    bool
	}{
		{"http://127.0.0.1/hook", "", true},
		{"http://127.0.0.1:8080/hook", "", true},
		{"https://10.0.0.1/hook", "", true},
		{"https://172.20.1.1/", "", true},
		{"https://192.168.1.1/", "", true},
		{"http://169.254.169.254/latest/meta-data/", "", true},
		{"http://[::1]/hook", "", true},
		{"http://[::ffff:127.0.0.1]/hook", "", true},
		{"http://[fd00:ec2::254]/", "", true},
		{"http://[fe80::1%25eth0]/", "", true},
		{"http://0.0.0.0/", "", true},
		{"http://[::]/", "", true},
		{"http://100.64.0.1/", "", true},
		{"http://224.0.0.1/", "", true},
		{"http://[64:ff9b::7f00:1]/", "", true},
		{"http://[2002:a00:1::]/", "", true},
		{"http://localhost/hook", "", true},
		{"http://LocalHost/hook", "", true},
		{"https://203.0.113.10/hook", "", false},
		{"https://[2001:db8::1]/hook", "", false},

		{"http://127.0.0.1:8080/hook", "127.0.0.0/8", false},
		{"http://10.0.0.1/hook", "10.0.0.1", false},
		{"http://10.0.0.2/hook", "10.0.0.1", true},
		{"http://[::1]/hook", "::1/128", false},
		{"http://localhost/hook", "localhost", false},
		{"https://chat.corp.example/hooks/x", "*.corp.example", false},
		// A range allowed for chat servers does not open the metadata
		// service; only its exact address does.
		{"http://169.254.169.254/", "169.254.0.0/16", true},
		{"http://169.254.169.254/", "169.254.169.254", false},
	} {
		err := mustPolicy(t, tt.allow).CheckURL(context.Background(), tt.url)
		var re *notify.RefusedError
		if got := errors.As(err, &re); got != tt.refused {
			t.Errorf("CheckURL(%s) with allow %q: err %v, want refused %v", tt.url, tt.allow, err, tt.refused)
		}
	}
}

func TestPolicy_CheckURLNameLookup(t *testing.T) {
	p := mustPolicy(t, "")
	p.Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "split.example":
			return []netip.Addr{netip.MustParseAddr("203.0.113.5"), netip.MustParseAddr("10.1.1.1")}, nil
		case "public.example":
			return []netip.Addr{netip.MustParseAddr("203.0.113.5")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	if err := p.CheckURL(context.Background(), "https://split.example/x"); err == nil || !strings.Contains(err.Error(), "10.1.1.1") {
		t.Errorf("a name with one internal address: err %v, want it refused naming 10.1.1.1", err)
	}
	if err := p.CheckURL(context.Background(), "https://public.example/x"); err != nil {
		t.Errorf("public name: %v", err)
	}
	// Unresolvable now is not refused: the send-time check still applies.
	if err := p.CheckURL(context.Background(), "https://gone.example/x"); err != nil {
		t.Errorf("unresolvable name: %v", err)
	}
}

func TestParsePolicy_Invalid(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "not a host!", "http://x", "a..b"} {
		if _, err := notify.ParsePolicy(s); err == nil {
			t.Errorf("ParsePolicy(%q): no error", s)
		}
	}
	if _, err := notify.ParsePolicy(" 10.0.0.0/8, chat.corp.example ,*.lan.example fd12::/16 "); err != nil {
		t.Errorf("valid list: %v", err)
	}
}

// receiver counts the requests a local server receives.
func receiver(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func post(t *testing.T, c *http.Client, url string) (bool, error) {
	t.Helper()
	req, err := notify.NewRequest(context.Background(), url, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := notify.Send(c, req)
	return retry, err
}

// TestPolicy_DialTime sends to a name that was public when it was saved and
// resolves to loopback when it is sent to: the request must not leave.
func TestPolicy_DialTime(t *testing.T) {
	srv, got := receiver(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	p := mustPolicy(t, "")
	var rebound atomic.Bool
	p.Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		if rebound.Load() {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("203.0.113.5")}, nil
	}
	url := "http://hooks.rebind.example:" + port + "/hook"
	if err := p.CheckURL(context.Background(), url); err != nil {
		t.Fatalf("saved while public: %v", err)
	}
	rebound.Store(true)
	retry, err := post(t, p.Client(5*time.Second), url)
	var re *notify.RefusedError
	if !errors.As(err, &re) || re.Addr != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("send after rebinding: err %v, want a refusal of 127.0.0.1", err)
	}
	if retry {
		t.Error("a refusal is retryable, want permanent")
	}
	if n := got.Load(); n != 0 {
		t.Errorf("receiver got %d requests, want none", n)
	}
}

func TestPolicy_DialTimeLiterals(t *testing.T) {
	srv, got := receiver(t)
	c := mustPolicy(t, "").Client(5 * time.Second)
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		if _, err := post(t, c, u); err == nil {
			t.Errorf("POST %s: no error, want refused", u)
		}
	}
	if n := got.Load(); n != 0 {
		t.Errorf("receiver got %d requests, want none", n)
	}
}

func TestPolicy_Allowlisted(t *testing.T) {
	srv, got := receiver(t)
	for _, allow := range []string{"127.0.0.1", "127.0.0.0/8", "localhost"} {
		c := mustPolicy(t, allow).Client(5 * time.Second)
		u := srv.URL
		if allow == "localhost" {
			u = strings.Replace(u, "127.0.0.1", "localhost", 1)
		}
		if _, err := post(t, c, u); err != nil {
			t.Errorf("allow %q: POST %s: %v", allow, u, err)
		}
	}
	if n := got.Load(); n != 3 {
		t.Errorf("receiver got %d requests, want 3", n)
	}
}

// TestPolicy_RedirectNotFollowed: an allowed receiver cannot bounce the
// request to an address the policy refuses.
func TestPolicy_RedirectNotFollowed(t *testing.T) {
	inner, got := receiver(t)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	outer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL, http.StatusTemporaryRedirect)
	}))
	outer.Listener.Close()
	outer.Listener = ln
	outer.Start()
	defer outer.Close()
	retry, err := post(t, mustPolicy(t, "127.0.0.2").Client(5*time.Second), outer.URL)
	if err == nil || retry || !strings.Contains(err.Error(), "307") {
		t.Errorf("redirect: retry %v, err %v; want a permanent 307 failure", retry, err)
	}
	if n := got.Load(); n != 0 {
		t.Errorf("redirect target got %d requests, want none", n)
	}
}
