package conformance_test

import (
	"slices"
	"testing"
)

// TestConfigOP walks the one module of the Config OP plan.
func TestConfigOP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		t.Run("oidcc-discovery-endpoint-verification", func(t *testing.T) {
			d := o.discovered
			if d["issuer"] != o.URL {
				t.Fatalf("issuer = %v, want %s", d["issuer"], o.URL)
			}
			for _, ep := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"} {
				if s, _ := d[ep].(string); s == "" {
					t.Errorf("%s missing", ep)
				}
			}
			lists := map[string]string{
				"response_types_supported":              "code",
				"subject_types_supported":               "public",
				"id_token_signing_alg_values_supported": "RS256", // OIDC Discovery §3: MUST include RS256
				"scopes_supported":                      "openid",
				"grant_types_supported":                 "authorization_code",
				"token_endpoint_auth_methods_supported": "client_secret_post",
			}
			for name, must := range lists {
				if !slices.Contains(strs(d[name]), must) {
					t.Errorf("%s = %v, must contain %s", name, d[name], must)
				}
			}
			if !slices.Contains(strs(d["token_endpoint_auth_methods_supported"]), "client_secret_basic") {
				t.Errorf("token_endpoint_auth_methods_supported = %v", d["token_endpoint_auth_methods_supported"])
			}
			for _, c := range []string{"sub", "iss", "aud", "exp", "iat", "name", "email", "email_verified", "account_id", "rights"} {
				if !slices.Contains(strs(d["claims_supported"]), c) {
					t.Errorf("claims_supported lacks %s", c)
				}
			}
			for name, want := range map[string]any{
				"request_parameter_supported":                    false,
				"request_uri_parameter_supported":                false, // its default, true, would be a lie
				"authorization_response_iss_parameter_supported": true,  // RFC 9207
			} {
				if d[name] != want {
					t.Errorf("%s = %v, want %v", name, d[name], want)
				}
			}
			// The one acr Sésame emits: a sign-in that passed a second factor.
			if acr, _ := d["acr_values_supported"].([]any); len(acr) != 1 || acr[0] != "urn:sesame:mfa" {
				t.Errorf("acr_values_supported = %v, want [urn:sesame:mfa]", d["acr_values_supported"])
			}
			jwks := getJSON(t, d["jwks_uri"].(string))
			keys, _ := jwks["keys"].([]any)
			hasRS256 := false
			for _, k := range keys {
				k := k.(map[string]any)
				if k["kid"] == nil || k["d"] != nil {
					t.Errorf("JWKS key %v: no kid, or private", k["kid"])
				}
				hasRS256 = hasRS256 || k["alg"] == "RS256"
			}
			if !hasRS256 {
				t.Error("no RS256 key published")
			}
		})
	})
}
