//go:build !unix

package e2e_test

import "time"

// processCPU is not measured here: benchmarks report 0 CPU per check.
func processCPU() time.Duration { return 0 }
