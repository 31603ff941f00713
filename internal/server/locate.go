package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// locate finds the JSON path at which a json.Unmarshaler in t's tree fails
// on body with the error target, by walking the document and the type
// together and replaying each such value. It runs only after decoding has
// already failed, so its cost is paid by bad requests alone. It returns ""
// when nothing matches.
func locate(body []byte, t reflect.Type, target error) (string, reflect.Type) {

	return walk(body, t, "", func(raw []byte, t reflect.Type, _ string) bool {
		if !reflect.PointerTo(t).Implements(unmarshalerType) {
			return false
		}
		err := reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw)
		return err != nil && err.Error() == target.Error()
	})
}

// locateUnknown finds the full JSON path of the first object key named name
// that t has no field for; encoding/json reports only the key itself.
func locateUnknown(body []byte, t reflect.Type, name string) string {
	path, _ := walk(body, t, "", func(_ []byte, t reflect.Type, key string) bool {
		if t.Kind() != reflect.Struct || key != name {
			return false
		}
		_, ok := fieldByName(t, key)
		return !ok
	})
	return path
}

// walk visits the JSON document raw and the Go type t together, depth first
// in document order, and returns the path and type of the first value for
// which match is true. key is the object key the value was found under.
// Types implementing json.Unmarshaler are leaves: their JSON is their own.
func walk(raw []byte, t reflect.Type, path string, match func(raw []byte, t reflect.Type, key string) bool) (string, reflect.Type) {
	return walkKey(raw, t, path, "", match)
}

func walkKey(raw []byte, t reflect.Type, path, key string, match func(raw []byte, t reflect.Type, key string) bool) (string, reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "", nil
	}
	if match(raw, t, key) {
		return path, t
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "", nil
	}
	switch t.Kind() {
	case reflect.Struct:
		for _, m := range members(raw) {
			f, ok := fieldByName(t, m.key)
			if !ok {
				if match(m.value, t, m.key) {
					return join(path, m.key), t
				}
				continue
			}
			if p, ft := walkKey(m.value, f.Type, join(path, m.key), m.key, match); ft != nil {
				return p, ft
			}
		}
	case reflect.Map:
		for _, m := range members(raw) {
			if p, ft := walkKey(m.value, t.Elem(), join(path, m.key), m.key, match); ft != nil {
				return p, ft
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", nil
		}
		for i, item := range items {
			if p, ft := walkKey(item, t.Elem(), path+"["+strconv.Itoa(i)+"]", "", match); ft != nil {
				return p, ft
			}
		}
	}
	return "", nil
}

type member struct {
	key   string
	value json.RawMessage
}

// members returns the members of a JSON object in document order, so that
// the first failing field is the one reported, as the decoder would.
func members(raw []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ms
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return ms
		}
		ms = append(ms, member{key, v})
	}
	return ms
}

// fieldByName finds the struct field a JSON key decodes into, matching the
// tag name first and then case-insensitively, as encoding/json does.
func fieldByName(t reflect.Type, key string) (reflect.StructField, bool) {
	var folded *reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		} else if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = &f
		}
	}
	if folded != nil {
		return *folded, true
	}
	return reflect.StructField{}, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
