// Package testcrypto gives tests the cheap versions of Sésame's two costly
// primitives: a password hasher that makes real argon2id hashes at a tiny
// cost, and signing keys drawn from a pool that the whole test binary
// shares, so that each database does not make its own 2048-bit RSA key.
// Only tests and test-support packages import it; production code never
// does, and no setting of Sésame leads to it.
//
// Package testcrypto imports account only (for its hasher type).
package testcrypto
