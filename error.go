package warroom

import (
	"errors"
	"fmt"
)

// Application error codes. Every error a service returns either carries one
// of these through *Error or is treated as EINTERNAL, whose details are logged
// and never shown to a caller.
const (
	ECONFLICT     = "conflict"     // the request clashes with the current state (HTTP 409)
	EINTERNAL     = "internal"     // anything unexpected (HTTP 500)
	EINVALID      = "invalid"      // well-formed input that breaks a rule (HTTP 422)
	EMALFORMED    = "malformed"    // input that cannot be decoded at all (HTTP 400)
	ENOTFOUND     = "not_found"    // the target does not exist or is not visible (HTTP 404)
	ETOOLARGE     = "too_large"    // the request body is over its limit (HTTP 413)
	EUNAUTHORIZED = "unauthorized" // no or bad credentials (HTTP 401)
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed (HTTP 403)
)

// Error is an application error: a code for machines, a message for people
// and, for input errors, the name of the offending field as it is spelt in
// the JSON API.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface. It is meant for logs, not for users.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("warroom error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("warroom error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error naming field. The message is
// prefixed with the field name so it reads well on its own.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error and EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of an application error, or a
// generic text for internal errors so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by an application error, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
