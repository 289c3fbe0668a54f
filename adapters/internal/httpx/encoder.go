package httpx

import (
	"bytes"
	"encoding/json"
	"sync"
)

// Encoder is a JSON encoder without HTML escaping, into a buffer of its
// own, taken from a pool (NewEncoder) and given back (Release): the
// adapters' answers are encoded without allocating an encoder and a buffer
// each time.
type Encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := new(Encoder)
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// NewEncoder returns an Encoder from the pool, its buffer empty.
func NewEncoder() *Encoder { return encoders.Get().(*Encoder) }

// Release returns e to the pool, but for a large buffer (a pool keeps what
// it is given: one huge answer would stay in memory for good). What e
// returned is no longer valid.
func (e *Encoder) Release() {
	if e.buf.Cap() <= 64<<10 {
		e.buf.Reset()
		encoders.Put(e)
	}
}

// Marshal encodes v as json.Marshal does, without HTML escaping, into e's
// buffer, replacing what it held: valid until the next call or Release.
func (e *Encoder) Marshal(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// Encode encodes v as json.Encoder does (with its newline), without HTML
// escaping, into e's buffer, replacing what it held: valid until the next
// call or Release.
func (e *Encoder) Encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}
