package goplugin

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrHandshake is matched (errors.Is) by every failure of a plugin to complete go-plugin's
// handshake: it exited first, printed something else to stdout first, lacks the cookie,
// speaks another protocol version, or did not finish within the start timeout.
var ErrHandshake = errors.New("goplugin: plugin handshake failed")

// ErrDispense is matched (errors.Is) by the error of a [Supervisor] whose plugin cannot
// be dispensed as its T: the name is in none of the ClientConfig's plugin sets, go-plugin
// cannot dispense it, or what it dispenses does not implement T.
var ErrDispense = errors.New("goplugin: plugin cannot be dispensed")

// ChecksumError is the error of a plugin binary whose SHA-256 is not the expected one
// ([WithChecksum]); the binary was not run.
type ChecksumError struct {
	Path      string
	Got, Want []byte
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("goplugin: plugin %s has SHA-256 %s, want %s: not running it",
		e.Path, hex.EncodeToString(e.Got), hex.EncodeToString(e.Want))
}
