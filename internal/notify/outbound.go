package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy decides which addresses warroom may send to. Every URL a person
// configures (contact methods, chat webhooks, subscriber webhooks) is
// someone else's choice of where this server connects, so internal
// addresses are refused unless an admin allowed them: otherwise anyone who
// may add a contact method could make warroom probe its own network or a
// cloud metadata service. The check runs on the addresses a name resolves
// to when it is dialled, so a name that changes its answer after being
// saved (DNS rebinding) gains nothing.
type Policy struct {
	nets  []netip.Prefix
	hosts []string

	// Lookup resolves host names; nil means net.DefaultResolver. Tests set
	// it to make a name resolve to what they need.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// RefusedError is a destination the policy does not allow. It is
// permanent: sending again will not change where the name points.
type RefusedError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

// Error implements error.
func (e *RefusedError) Error() string {
	at := e.Addr.String()
	if e.Host != "" && e.Host != at {
		at = fmt.Sprintf("%s (%s)", e.Host, e.Addr)
	}
	return fmt.Sprintf("%s is a %s address; outbound requests there are refused unless an admin allows them (WARROOM_OUTBOUND_ALLOW)", at, e.Reason)
}

// refused are the ranges no destination may be in by default, with the
// word the error uses for each.
var refused = []struct {
	p   netip.Prefix
	why string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/96"), "unspecified or reserved"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fc00::/7"), "private (unique local)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// metadata are cloud instance metadata services (AWS, GCP, Azure, and
// AWS's IPv6 endpoint): they hand out credentials, so a range allowed for
// on-premises chat servers does not open them; only the exact address does.
var metadata = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// Translation prefixes carry an IPv4 address inside an IPv6 one; the
// embedded address is what the packets reach.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixto4 = netip.MustParsePrefix("2002::/16")
)

// ParsePolicy reads an allowlist: CIDRs (10.20.0.0/16), addresses
// (10.20.0.5) and host names (chat.corp.example, or *.corp.example for
// every name under it), separated by commas or spaces. An empty list
// refuses every internal address.
func ParsePolicy(allow string) (*Policy, error) {
	p := &Policy{}
	for _, f := range strings.FieldsFunc(allow, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if pr, err := netip.ParsePrefix(f); err == nil {
			p.nets = append(p.nets, pr.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			a = a.Unmap().WithZone("")
			p.nets = append(p.nets, netip.PrefixFrom(a, a.BitLen()))
		} else if name := normHost(strings.TrimPrefix(f, "*.")); validHostName(name) {
			p.hosts = append(p.hosts, normHost(f))
		} else {
			return nil, fmt.Errorf("outbound allowlist: %q is neither a CIDR, an IP address nor a host name", f)
		}
	}
	return p, nil
}

// MustParsePolicy is ParsePolicy for a list fixed in the code, such as a
// test's receiver on 127.0.0.1; it panics on a malformed list.
func MustParsePolicy(allow string) *Policy {
	p, err := ParsePolicy(allow)
	if err != nil {
		panic(err)
	}
	return p
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// hostAllowed reports whether an admin allowed host by name. Such a name
// is trusted wherever it resolves: that is what allowing it means.
func (p *Policy) hostAllowed(host string) bool {
	host = normHost(host)
	for _, h := range p.hosts {
		if h == host || strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]) {
			return true
		}
	}
	return false
}

// CheckAddr returns a *RefusedError when a is not a destination warroom
// may connect to; host names the destination in the error.
func (p *Policy) CheckAddr(host string, a netip.Addr) error {
	a = a.Unmap().WithZone("")
	if nat64.Contains(a) || sixto4.Contains(a) {
		b := a.As16()
		if sixto4.Contains(a) {
			copy(b[12:], b[2:6])
		}
		if err := p.CheckAddr(host, netip.AddrFrom4([4]byte(b[12:]))); err != nil {
			return err
		}
	}
	for _, m := range metadata {
		if a == m {
			for _, n := range p.nets {
				if n.IsSingleIP() && n.Addr() == a {
					return nil
				}
			}
			return &RefusedError{Host: host, Addr: a, Reason: "cloud metadata"}
		}
	}
	for _, n := range p.nets {
		if n.Contains(a) {
			return nil
		}
	}
	for _, r := range refused {
		if r.p.Contains(a) {
			return &RefusedError{Host: host, Addr: a, Reason: r.why}
		}
	}
	return nil
}

func (p *Policy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if p.Lookup != nil {
		return p.Lookup(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// lookupTimeout bounds the name lookup when a URL is saved, so that a slow
// DNS server does not hold the request.
const lookupTimeout = 3 * time.Second

// CheckURL checks a URL as it is saved, to tell the person at once rather
// than at the first page. A name that does not resolve now is accepted: it
// may be a DNS hiccup, and the check at send time still applies.
func (p *Policy) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return errors.New("must be an http(s) URL")
	}
	host := u.Hostname()
	if p.hostAllowed(host) {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return p.CheckAddr(host, a)
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return nil
	}
	// One internal answer is enough to refuse: a name that points both
	// out and in is either a mistake or a rebinding attempt.
	for _, a := range addrs {
		if err := p.CheckAddr(host, a); err != nil {
			return err
		}
	}
	return nil
}

// DialContext connects to addr ("host:port") on an address the policy
// allows. It resolves the name itself and dials the resolved addresses,
// skipping refused ones, so the address checked is the address connected
// to; the dialer's Control checks once more on the socket.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if p.hostAllowed(host) {
		return d.DialContext(ctx, network, addr)
	}
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("outbound: unreadable address %q", address)
		}
		return p.CheckAddr(host, ap.Addr())
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else if addrs, err = p.lookup(ctx, host); err != nil {
		return nil, err
	}
	var first error
	for _, a := range addrs {
		if err := p.CheckAddr(host, a); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		var refusedErr *RefusedError
		if first == nil || errors.As(first, &refusedErr) {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("outbound: %s resolves to no address", host)
	}
	return nil, first
}

// Client returns the HTTP client every channel sends with: dials go
// through the policy, no proxy is used (a proxy would connect on its own
// terms, out of reach of the check), and redirects are not followed, so a
// receiver cannot bounce a request to an address it could not be given.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	t := &http.Transport{
		DialContext:           p.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
