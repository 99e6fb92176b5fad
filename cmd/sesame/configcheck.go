package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/sesame-idp/sesame/app"
)

// errConfigProblems is the error of a configuration with errors: the
// command has printed them, and exits non-zero.
var errConfigProblems = errors.New("config check: the configuration has errors")

// configCheck prints the effective configuration (secrets hidden) and the
// problems found; it fails when one of them is an error.
func configCheck(_ context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	bindFlags(&cfg, fs, true)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	settings, problems := cfg.Redacted(), cfg.Check()
	if problems == nil {
		problems = []app.Problem{}
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(map[string]any{"config": settings, "problems": problems}); err != nil {
			return err
		}
	} else {
		names := make([]string, 0, len(settings))
		for k := range settings {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			fmt.Fprintf(stdout, "%-23s %s\n", k, settings[k])
		}
		if len(problems) == 0 {
			fmt.Fprintln(stdout, "\nNo problem found.")
		} else {
			fmt.Fprintln(stdout, "\nProblems:")
		}
		for _, p := range problems {
			fmt.Fprintf(stdout, "  %-7s %s: %s\n", p.Level, p.Setting, p.Message)
		}
	}
	for _, p := range problems {
		if p.Level == app.LevelError {
			return errConfigProblems
		}
	}
	return nil
}
