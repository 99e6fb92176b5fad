// Package lease is the machinery of Sésame's transactional outboxes: rows
// written with the change that causes them and delivered afterwards by
// workers in every instance. It names instances (Instance), claims a due
// row with a lease in one conditional UPDATE (Queue.Claim) so that two
// workers never hold the same row, releases a stopping instance's claims
// (Queue.Release), spaces retries (Backoff) and runs the wake-up loop
// (Waker): a pass at start, on Kick (after a commit) and every poll
// interval (rows written by other instances, retries). For monitoring and
// operators it counts what waits (Queue.Backlog) and ends the backoff of
// open rows (Queue.DueNow).
//
// Packages mail and events build on it. Package lease imports db only.
package lease
