package httpx

import (
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailingData: a JSON value is followed by more data.
var ErrTrailingData = errors.New("unexpected data after the JSON value")

// trailingError is data after the JSON value; err is the parser's error
// when that data is not JSON either, else nil.
type trailingError struct{ err error }

func (e *trailingError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return ErrTrailingData.Error()
}

func (e *trailingError) Is(target error) bool { return target == ErrTrailingData }

// DecodeJSON decodes one JSON value from r into v, strictly: an unknown
// field is an error (encoding/json's), and so is anything but white space
// after the value, which matches ErrTrailingData (its message is the
// parser's when the data that follows is not JSON). A limit on the size of
// r is the caller's (http.MaxBytesReader): its error is returned as it is.
func DecodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return &trailingError{err: err}
	}
	return nil
}
