// Package pproftest holds the test that reads a worker's profiles from
// procpool's Pool.Profile with github.com/google/pprof/profile, kept in this module so
// that the core module does not require the pprof parser.
package pproftest
