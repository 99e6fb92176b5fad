// Package mailtest runs a real SMTP server in the test process, on a
// loopback port, and keeps what it receives so that tests can read the
// messages Sésame sends: their envelope, subject and decoded text and HTML
// bodies. It can refuse mail for a while, like a server in trouble, hold a
// message in DATA until the test releases it (a send in progress), and can
// require AUTH PLAIN.
//
// Package mailtest imports nothing of Sésame.
package mailtest
