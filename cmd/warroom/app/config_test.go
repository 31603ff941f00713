package app_test

import (
	"context"
	"testing"

	"github.com/warroomhq/warroom/cmd/warroom/app"
)

func TestMain_ParseFlags(t *testing.T) {
	def := app.DefaultConfig()
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    app.Config
		wantErr bool
	}{
		{name: "Defaults", want: def},
		{
			name: "EnvBeatsDefaults",
			env: map[string]string{
				"WARROOM_ADDR": "0.0.0.0:9000", "WARROOM_DATABASE": "postgres://u@db/warroom",
				"WARROOM_SERVER": "https://warroom.example.com", "WARROOM_TOKEN": "wr_env",
				"WARROOM_LOG_LEVEL":       "debug",
				"WARROOM_BOOTSTRAP_TOKEN": "wr_bootstrap_token_1234", "WARROOM_BOOTSTRAP_PASSWORD": "long enough password",
			},
			want: app.Config{
				Addr: "0.0.0.0:9000", Database: "postgres://u@db/warroom", Server: "https://warroom.example.com",
				Token: "wr_env", LogLevel: "debug",
				BootstrapToken: "wr_bootstrap_token_1234", BootstrapPassword: "long enough password",
			},
		},
		{
			name: "FlagsBeatEnv",
			args: []string{"--addr", "127.0.0.1:0", "--database=/tmp/x.db", "--server", "http://flag:1", "--token", "wr_flag", "--log-level", "warn"},
			env:  map[string]string{"WARROOM_ADDR": "0.0.0.0:9000", "WARROOM_DATABASE": "/env.db", "WARROOM_SERVER": "http://env:2", "WARROOM_TOKEN": "wr_env", "WARROOM_LOG_LEVEL": "debug"},
			want: app.Config{Addr: "127.0.0.1:0", Database: "/tmp/x.db", Server: "http://flag:1", Token: "wr_flag", LogLevel: "warn"},
		},
		{
			name: "FlagEqualToDefaultStillBeatsEnv",
			args: []string{"--addr", def.Addr},
			env:  map[string]string{"WARROOM_ADDR": "0.0.0.0:9000"},
			want: def,
		},
		{
			name: "EmptyEnvIsUnset",
			env:  map[string]string{"WARROOM_DATABASE": ""},
			want: def,
		},
		{
			name: "BaseURLStillNamesThePublicURL",
			env:  map[string]string{"WARROOM_BASE_URL": "https://old.example.com"},
			want: func() app.Config { c := def; c.PublicURL = "https://old.example.com"; return c }(),
		},
		{
			name: "PublicURLBeatsBaseURL",
			env:  map[string]string{"WARROOM_BASE_URL": "https://old.example.com", "WARROOM_PUBLIC_URL": "https://new.example.com"},
			want: func() app.Config { c := def; c.PublicURL = "https://new.example.com"; return c }(),
		},
		{
			name: "SMTPFromEnv",
			env: map[string]string{"WARROOM_SMTP_HOST": "mail", "WARROOM_SMTP_PORT": "2525", "WARROOM_SMTP_TLS": "none",
				"WARROOM_SMTP_FROM": "w@example.com", "WARROOM_SMTP_USERNAME": "u", "WARROOM_SMTP_PASSWORD": "p"},
			want: func() app.Config {
				c := def
				c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom, c.SMTPUsername, c.SMTPPassword = "mail", "2525", "none", "w@example.com", "u", "p"
				return c
			}(),
		},
		{name: "BadSMTPPort", env: map[string]string{"WARROOM_SMTP_HOST": "mail", "WARROOM_SMTP_FROM": "w@example.com", "WARROOM_SMTP_PORT": "smtp"}, wantErr: true},
		{name: "BadSMTPTLS", args: []string{"--smtp-host", "mail", "--smtp-from", "w@example.com", "--smtp-tls", "ssl"}, wantErr: true},
		{name: "SMTPWithoutFrom", args: []string{"--smtp-host", "mail"}, wantErr: true},
		{
			name: "OutboundAllowFromEnv",
			env:  map[string]string{"WARROOM_OUTBOUND_ALLOW": "10.20.0.0/16, chat.corp.example"},
			want: func() app.Config { c := def; c.OutboundAllow = "10.20.0.0/16, chat.corp.example"; return c }(),
		},
		{name: "BadOutboundAllow", args: []string{"--outbound-allow", "10.0.0.0/33"}, wantErr: true},
		{name: "UnknownFlag", args: []string{"--port", "80"}, wantErr: true},
		{name: "StrayArgument", args: []string{"now"}, wantErr: true},
		{name: "BadLogLevel", env: map[string]string{"WARROOM_LOG_LEVEL": "loud"}, wantErr: true},
		{name: "ServerWithoutScheme", args: []string{"--server", "127.0.0.1:8080"}, wantErr: true},
		{name: "EmptyDatabase", args: []string{"--database", ""}, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := app.NewMain()
			m.Getenv = func(k string) string { return tt.env[k] }
			err := m.ParseFlags(context.Background(), tt.args)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got config %+v, want an error", m.Config)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Config != tt.want {
				t.Errorf("got  %+v\nwant %+v", m.Config, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://warroom:s3cret@db:5432/warroom?sslmode=disable", "postgres://warroom:xxxxx@db:5432/warroom?sslmode=disable"},
		{"postgres://warroom@db/warroom", "postgres://warroom@db/warroom"},
		{"./warroom.db", "./warroom.db"},
	} {
		if got := app.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
