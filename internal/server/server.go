// Package server holds what every HTTP surface of warroom shares: the
// http.Server with its timeouts and graceful shutdown, the middleware for
// panic recovery, request logging and security headers, the mapping of
// warroom error codes to HTTP statuses, and strict JSON decoding.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Timeouts of the http.Server. They bound how long a slow or malicious
// client can hold a connection; there is deliberately no WriteTimeout because
// live incident views may stream responses for longer than any fixed bound.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	idleTimeout       = 120 * time.Second
)

// Server is an HTTP server that listens on one address and serves one
// handler until it is closed.
type Server struct {
	srv    *http.Server
	addr   string
	logger *slog.Logger

	mu   sync.Mutex
	ln   net.Listener
	done chan error
}

// New returns a server for h on addr ("127.0.0.1:0" picks a free port). It
// does not listen until Open. A nil logger discards.
func New(addr string, h http.Handler, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		addr:   addr,
		logger: logger,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			IdleTimeout:       idleTimeout,
			// Errors the http package logs itself (TLS handshakes, bad
			// requests) go to the same structured log as everything else.
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
	}
}

// Open listens on the address and serves in the background. It returns once
// the listener is bound, so that URL is usable immediately.
func (s *Server) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("server: already open")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	s.ln = ln
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(ln) }()
	s.logger.Info("http server listening", "url", s.url())
	return nil
}

// URL returns the server's base URL, such as http://127.0.0.1:8080, or ""
// before Open. An unspecified listen address (":8080", "0.0.0.0:8080") is
// reported as 127.0.0.1 so that the URL can be dialled.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url()
}

func (s *Server) url() string {
	if s.ln == nil {
		return ""
	}
	addr, ok := s.ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + s.ln.Addr().String()
	}
	host := addr.IP.String()
	if addr.IP == nil || addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// Close stops accepting connections and waits for in-flight requests to
// finish until ctx is done, then closes whatever is left. Closing a server
// that is not open does nothing; a closed server cannot be opened again.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	ln, done := s.ln, s.done
	s.ln = nil
	s.mu.Unlock()
	if ln == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		// The deadline passed with requests still running: cut them off
		// rather than leave the process hanging.
		s.srv.Close()
		err = fmt.Errorf("server: shutdown: %w", err)
	}
	if serveErr := <-done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("server: serve: %w", serveErr)
	}
	return err
}
