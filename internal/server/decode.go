package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/jsontext"
)

// DecodeJSON reads the request body, at most limit bytes, into v. It is
// strict so that a typo is an error rather than a silently ignored field:
// unknown fields, trailing data and an empty body are refused. Every failure
// is a *warroom.Error: ETOOLARGE over the limit, EMALFORMED otherwise, with
// Field set to the JSON path of the offending value when there is one.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if r.Body == nil || r.Body == http.NoBody {
		return warroom.Errorf(warroom.EMALFORMED, "request body is empty; expected a JSON object")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return warroom.Errorf(warroom.ETOOLARGE, "request body is larger than %d bytes", limit)
		}
		return warroom.Errorf(warroom.EMALFORMED, "cannot read request body")
	}
	return Decode(body, v)
}

// Decode is DecodeJSON for a body already in memory. A string that is not
// UTF-8 or holds NUL is refused with its path: encoding/json would replace
// the one with U+FFFD, and PostgreSQL refuses the other, where SQLite
// stores it.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return warroom.Errorf(warroom.EMALFORMED, "request body is empty; expected a JSON object")
	}
	if err := jsontext.Check(body, jsontext.NULAnywhere); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(body, v, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return warroom.Errorf(warroom.EMALFORMED, "unexpected data after the JSON value at byte %d", dec.InputOffset())
	}
	return nil
}

// decodeError translates what encoding/json reports into a message that
// names the field and says what was expected.
func decodeError(body []byte, v any, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return warroom.Errorf(warroom.EMALFORMED, "malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return warroom.Errorf(warroom.EMALFORMED, "malformed JSON: the body ends before the value does")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return warroom.Errorf(warroom.EMALFORMED, "request body must be %s, got %s", expected(typ.Type), jsonKind(typ.Value))
		}
		return &warroom.Error{Code: warroom.EMALFORMED, Field: field,
			Message: fmt.Sprintf("%s: must be %s, got %s", field, expected(typ.Type), jsonKind(typ.Value))}
	}
	// encoding/json has no error type for unknown fields, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		if path := locateUnknown(body, reflect.TypeOf(v), name); path != "" {
			name = path
		}
		return &warroom.Error{Code: warroom.EMALFORMED, Field: name, Message: fmt.Sprintf("%s: unknown field", name)}
	}
	// What is left comes from a json.Unmarshaler such as warroom.Amount or
	// time.Time, which encoding/json returns without saying where it was.
	field, t := locate(body, reflect.TypeOf(v), err)
	msg := strings.TrimPrefix(unwrapMessage(err), "json: ")
	if t == reflect.TypeFor[time.Time]() {
		// time's own message quotes layouts nobody types by hand.
		msg = "must be an RFC 3339 time such as 2024-05-01T10:00:00Z"
	}
	if field == "" {
		return warroom.Errorf(warroom.EMALFORMED, "invalid value: %s", msg)
	}
	return &warroom.Error{Code: warroom.EMALFORMED, Field: field, Message: fmt.Sprintf("%s: %s", field, msg)}
}

// unwrapMessage prefers the message of a warroom error inside err.
func unwrapMessage(err error) string {
	var e *warroom.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// jsonKind turns UnmarshalTypeError.Value ("number -5", "string") into the
// kind of JSON value that was sent.
func jsonKind(value string) string {
	kind, literal, _ := strings.Cut(value, " ")
	switch kind {
	case "number":
		if literal != "" {
			return literal
		}
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "array":
		return "an array"
	case "object":
		return "an object"
	}
	return value
}

// expected describes the JSON a Go type is decoded from.
func expected(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a valid value"
}
