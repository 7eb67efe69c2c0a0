package ipc

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// Gob is the codec "gob": each value is a self-contained encoding/gob stream, type
// description included, so it needs no state across messages. It carries any type gob
// does (exported fields; interface values only of gob.Register'ed types) at about 10–20 µs
// per small struct.
var Gob Codec = gobCodec{}

// JSON is the codec "json": encoding/json, for a worker written in another language.
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
