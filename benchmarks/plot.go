package main

func (r *runner) writePlots(dir string) error { return nil }
