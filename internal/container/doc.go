// Package container checks the container build (Dockerfile, compose.yaml)
// where no container engine runs: its test builds the binaries with the
// Dockerfile's flags and checks that they are static, that the image runs
// as a non-root user, and that compose.yaml names the services the README
// describes. It imports nothing of Sésame.
package container
