// Package secret turns the operator's SESAME_SECRETS into the keys each part
// of Sésame needs (token HMAC, cookie and CSRF keys, sealing of signing keys),
// and seals small values with AES-256-GCM.
//
// The first secret is the current one; the others are older secrets still
// accepted when opening sealed values or checking MACs, so that secrets can
// be rotated without logging everybody out.
//
// Package secret imports nothing of Sésame.
package secret
