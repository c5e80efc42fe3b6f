package config

import (
	"fmt"
	"net"
	"strings"
)

func (s Server) validate(v *validator) {
	if s.Listen != "off" {
		if _, _, err := net.SplitHostPort(s.Listen); err != nil {
			v.add("server.listen", "%q is not host:port (like 127.0.0.1:9464) or off", s.Listen)
		}
	}
	for i, h := range s.Hosts {
		if h == "" || strings.ContainsAny(h, "/ ") {
			v.add(fmt.Sprintf("server.hosts[%d]", i), "%q is not a host name", h)
		}
	}
	if a := s.Auth; a != nil {
		bearer, basic := a.BearerToken.IsSet(), a.Username != "" || a.Password.IsSet()
		switch {
		case bearer && basic:
			v.add("server.auth", "give bearer_token, or username and password, not both")
		case !bearer && !basic:
			v.add("server.auth", "give bearer_token, or username and password")
		case basic && (a.Username == "" || !a.Password.IsSet()):
			v.add("server.auth", "username and password go together")
		case basic && strings.Contains(a.Username, ":"):
			v.add("server.auth.username", "must not contain ':'")
		}
	}
	if t := s.TLS; t != nil && (t.CertFile == "" || t.KeyFile == "") {
		v.add("server.tls", "cert_file and key_file are both required")
	}
}
