//go:build !unix

package procpool

import "os"

// nudge does nothing where there are no signals: a request waits for the task to end.
func nudge(*os.Process) {}

func (s *server) takeNudges() {}
