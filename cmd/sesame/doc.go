// Command sesame is Sésame's one binary: the identity provider (serve),
// its migrations, and the operator's commands (accounts, clients, members,
// admins, keys, demo). It only reads configuration and wires the packages
// together; the behaviour lives in them.
package main
