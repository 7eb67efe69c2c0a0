package ipc

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// Gob is the codec "gob": each value is a self-contained encoding/gob stream, type
// description included, so it needs no state across messages. It carries any type gob
// does (exported fields; interface values only of gob.Register'ed types) at about 10–20 µs
// per small struct.
var Gob Codec = gobCodec{}

// JSON is the codec "json": encoding/json, for a worker written in another language. A
// string that is not valid UTF-8, which JSON would silently replace with U+FFFD, is
// refused with an error that names it.
var JSON Codec = jsonCodec{}

type gobCodec struct{}

func (gobCodec) Name() string { return "gob" }

func (gobCodec) Append(dst []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	if err := gob.NewEncoder(buf).Encode(v); err != nil {
		return dst, fmt.Errorf("ipc: gob codec: %w", err)
	}
	return buf.Bytes(), nil
}

func (gobCodec) Decode(data []byte, ptr any) error {
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(ptr); err != nil {
		return fmt.Errorf("ipc: gob codec: %w", err)
	}
	return nil
}

type jsonCodec struct{}

func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Append(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err == nil && bytes.Contains(b, []byte(`\ufffd`)) { // what json writes for bad UTF-8
		err = checkUTF8(v)
	}
	if err != nil {
		return dst, fmt.Errorf("ipc: json codec: %w", err)
	}
	return append(dst, b...), nil
}

func (jsonCodec) Decode(data []byte, ptr any) error {
	if err := json.Unmarshal(data, ptr); err != nil {
		return fmt.Errorf("ipc: json codec: %w", err)
	}
	return nil
}

// checkUTF8 returns an error naming the first string in v that is not valid UTF-8,
// which JSON would silently replace with U+FFFD: such a value is refused rather than
// changed. It is called only when the encoding shows a replacement.
func checkUTF8(v any) error {
	if path, ok := invalidString(reflect.ValueOf(v), "", 0); ok {
		if path == "" {
			path = "the value"
		}
		return fmt.Errorf("%s is a string that is not valid UTF-8, which JSON would change; send it as []byte, or use the gob codec", path)
	}
	return nil
}

func invalidString(v reflect.Value, path string, depth int) (string, bool) {
	if depth > 100 || !v.IsValid() {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return path, !utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return invalidString(v.Elem(), path, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				if p, bad := invalidString(v.Field(i), path+"."+f.Name, depth+1); bad {
					return p, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false // bytes travel as base64
		}
		for i := range v.Len() {
			if p, bad := invalidString(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); bad {
				return p, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p, bad := invalidString(it.Key(), path+"[key]", depth+1); bad {
				return p, true
			}
			if p, bad := invalidString(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), depth+1); bad {
				return p, true
			}
		}
	}
	return "", false
}
