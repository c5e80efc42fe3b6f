package kafka

import (
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"s1collector/internal/httpclient"
	"s1collector/internal/retry"
)

// errNotAcked is a delivery that ran out of time.
var errNotAcked = errors.New("records not acknowledged")

// unreachableError is every broker known refusing connections.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return "no broker reachable: " + e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// explain adds what to do to the errors a configuration causes, and marks
// them permanent: sending again changes nothing until it is fixed.
func explain(err error, topic string) error {
	switch {
	case errors.Is(err, kerr.UnknownTopicOrPartition):
		return retry.Permanent(fmt.Errorf("topic %s does not exist: create it, or set create_topics: true to let the brokers create it: %w", topic, err))
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		return retry.Permanent(fmt.Errorf("not allowed to write to topic %s: grant the user WRITE on it: %w", topic, err))
	case errors.Is(err, kerr.SaslAuthenticationFailed), errors.Is(err, kerr.UnsupportedSaslMechanism), errors.Is(err, kerr.IllegalSaslState):
		return retry.Permanent(fmt.Errorf("SASL authentication refused: check sasl.mechanism, username and password: %w", err))
	case httpclient.CertificateError(err):
		return retry.Permanent(fmt.Errorf("the brokers' TLS certificate is not trusted: if it has a private CA, set tls.ca_file: %w", err))
	case strings.Contains(err.Error(), "first record does not look like a TLS handshake"):
		return retry.Permanent(fmt.Errorf("the brokers do not speak TLS on this port: drop tls, or use their TLS listener: %w", err))
	}
	return err
}
