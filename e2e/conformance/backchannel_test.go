package conformance_test

// The Back-Channel Logout OP plan goes here, with the back-channel logout
// of Sésame (logout tokens to each client's backchannel_logout_uri):
//
//   - oidcc-backchannel-logout-discovery-endpoint-verification:
//     backchannel_logout_supported and backchannel_logout_session_supported
//     are true in discovery.
//   - oidcc-backchannel-rp-initiated-logout: after an RP-initiated logout,
//     the client's backchannel_logout_uri receives a POST
//     (application/x-www-form-urlencoded, logout_token=…) whose logout
//     token is signed with the client's ID-token algorithm and a published
//     kid, typ "logout+jwt", with iss, aud (the client ID), iat, exp, jti,
//     the back-channel logout event, sub and sid matching the ID token,
//     and no nonce; then the browser is sent to the post-logout redirect
//     URI.
