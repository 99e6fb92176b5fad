package testcrypto

import "github.com/sesame-idp/sesame/account"

// HashCost is the argon2id cost of test hashes: the smallest argon2id
// allows (8 KiB, one pass, one lane). The hashes are genuine argon2id PHC
// strings, which Sésame's production hasher verifies (and would rehash).
var HashCost = account.HashCost{MemoryKiB: 8, Time: 1, Threads: 1}

// NewHasher returns a hasher of HashCost with the default concurrency
// bound.
func NewHasher() *account.PasswordHasher { return account.NewPasswordHasherCost(0, HashCost) }
