package productkittest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// grant is an authorization code waiting to be exchanged.
type grant struct {
	client, redirect, challenge, nonce, sub string
	scopes                                  []string
	auth                                    Authentication
}

// refreshState is one refresh token; tokens of one sign-in share a family.
type refreshState struct {
	client, sub string
	scopes      []string
	family      *family
	used        bool
}

// family is one sign-in: its refresh tokens and its session id (sid).
type family struct {
	revoked bool
	sid     string
	auth    Authentication
}

// ccToken is an access token issued by the client credentials grant.
type ccToken struct {
	client string
	scopes []string
	exp    time.Time
}

func (i *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	i.mu.Lock()
	i.lastAuth = q
	client, ok := i.clients[q.Get("client_id")]
	sub := i.signedIn
	auth := i.auth
	if auth.Time.IsZero() {
		auth.Time = i.now()
	}
	if auth.AMR == nil {
		auth.AMR = []string{"pwd"}
	}
	if p := i.people[sub]; p == nil || p.Disabled {
		sub = ""
	}
	i.mu.Unlock()
	if !ok || !slices.Contains(client.RedirectURIs, q.Get("redirect_uri")) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(q.Get("redirect_uri"))
		params.Set("state", q.Get("state"))
		u.RawQuery = params.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || !slices.Contains(scopes, "openid") {
		back(url.Values{"error": {"invalid_request"}})
		return
	}
	if sub == "" {
		back(url.Values{"error": {"login_required"}})
		return
	}
	code := randomString(24)
	i.mu.Lock()
	i.codes[code] = &grant{client: client.ID, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		nonce: q.Get("nonce"), sub: sub, scopes: scopes, auth: auth}
	i.mu.Unlock()
	back(url.Values{"code": {code}})
}

// clientOf authenticates the client of a token, revocation request.
func (i *Issuer) clientOf(r *http.Request) (*Client, bool) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	c, found := i.clients[id]
	if !found || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, false
	}
	return c, true
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	client, ok := i.clientOf(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		i.exchange(w, r, client)
	case "refresh_token":
		i.refreshGrant(w, r, client)
	case "client_credentials":
		i.clientCredentials(w, r, client)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

func (i *Issuer) exchange(w http.ResponseWriter, r *http.Request, client *Client) {
	code := r.PostForm.Get("code")
	i.mu.Lock()
	g, ok := i.codes[code]
	delete(i.codes, code)
	i.mu.Unlock()
	if !ok || g.client != client.ID || g.redirect != r.PostForm.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	fam := &family{sid: randomString(16), auth: g.auth}
	i.mu.Lock()
	i.sids[g.sub] = fam.sid
	i.mu.Unlock()
	i.issue(w, client.ID, g.sub, g.scopes, g.nonce, fam, true)
}

func (i *Issuer) refreshGrant(w http.ResponseWriter, r *http.Request, client *Client) {
	i.refreshHits.Add(1)
	rt := r.PostForm.Get("refresh_token")
	i.mu.Lock()
	st, ok := i.refresh[rt]
	refused := !ok || st.client != client.ID || st.family.revoked
	if ok && st.used {
		st.family.revoked = true // reuse: the whole grant dies
		refused = true
	}
	var p *Person
	if !refused {
		st.used = true
		p = i.people[st.sub]
		refused = p == nil || p.Disabled
	}
	i.mu.Unlock()
	if refused {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	i.mu.Lock()
	withID := !i.noRefID
	i.mu.Unlock()
	i.issue(w, client.ID, st.sub, st.scopes, "", st.family, withID)
}

// issue answers a token request for a person.
func (i *Issuer) issue(w http.ResponseWriter, clientID, sub string, scopes []string, nonce string, fam *family, withID bool) {
	now := i.now()
	scope := strings.Join(scopes, " ")
	at := i.PersonClaims(sub)
	at["iss"], at["aud"], at["client_id"], at["scope"] = i.URL, []string{clientID}, clientID, scope
	at["jti"], at["iat"], at["exp"] = randomString(16), now.Unix(), now.Add(i.AccessTTL).Unix()
	at["sid"] = fam.sid
	resp := map[string]any{
		"access_token": i.Sign("", "at+jwt", at),
		"token_type":   "bearer",
		"expires_in":   int(i.AccessTTL.Seconds()),
		"scope":        scope,
	}
	id := i.PersonClaims(sub)
	id["iss"], id["aud"], id["iat"], id["exp"] = i.URL, clientID, now.Unix(), now.Add(i.IDTTL).Unix()
	id["sid"] = fam.sid
	if a := fam.auth; !a.Time.IsZero() {
		id["auth_time"], id["amr"] = a.Time.Unix(), a.AMR
		if a.ACR != "" {
			id["acr"] = a.ACR
		}
	}
	if nonce != "" {
		id["nonce"] = nonce
	}
	if withID {
		resp["id_token"] = i.Sign("", "JWT", id)
	}
	if slices.Contains(scopes, "offline_access") {
		rt := randomString(32)
		i.mu.Lock()
		i.refresh[rt] = &refreshState{client: clientID, sub: sub, scopes: scopes, family: fam}
		i.mu.Unlock()
		resp["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, resp)
}

func (i *Issuer) clientCredentials(w http.ResponseWriter, r *http.Request, client *Client) {
	now := i.now()
	scopes := strings.Fields(r.PostForm.Get("scope"))
	jti := randomString(16)
	c := map[string]any{
		"iss": i.URL, "sub": client.ID, "aud": []string{client.ID}, "client_id": client.ID,
		"scope": strings.Join(scopes, " "), "jti": jti, "iat": now.Unix(), "exp": now.Add(i.AccessTTL).Unix(),
	}
	tok := i.Sign("", "at+jwt", c)
	i.mu.Lock()
	i.cc[tok] = ccToken{client: client.ID, scopes: scopes, exp: now.Add(i.AccessTTL)}
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int(i.AccessTTL.Seconds()), "scope": strings.Join(scopes, " "),
	})
}

func (i *Issuer) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := Logout{IDTokenHint: q.Get("id_token_hint"), PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"),
		State: q.Get("state"), ClientID: q.Get("client_id")}
	i.mu.Lock()
	i.logouts = append(i.logouts, l)
	i.signedIn = ""
	client := i.clients[l.ClientID]
	i.mu.Unlock()
	target, err := url.Parse(l.PostLogoutRedirectURI)
	if client == nil || err != nil || target.Host == "" {
		w.Write([]byte("signed out"))
		return
	}
	for _, ru := range client.RedirectURIs {
		if u, err := url.Parse(ru); err == nil && u.Scheme == target.Scheme && u.Host == target.Host {
			tq := target.Query()
			tq.Set("state", l.State)
			target.RawQuery = tq.Encode()
			http.Redirect(w, r, target.String(), http.StatusSeeOther)
			return
		}
	}
	w.Write([]byte("signed out"))
}

func (i *Issuer) revoke(w http.ResponseWriter, r *http.Request) {
	if _, ok := i.clientOf(r); !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	rt := r.PostFormValue("token")
	i.mu.Lock()
	if st, ok := i.refresh[rt]; ok {
		st.family.revoked = true
	}
	i.revoked = append(i.revoked, rt)
	i.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// check serves the check API: a client-credentials token with scope
// sesame:authz, and a decision from the person's rights as of now.
func (i *Issuer) check(w http.ResponseWriter, r *http.Request) {
	i.checkHits.Add(1)
	raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	i.mu.Lock()
	tok, ok := i.cc[raw]
	status := i.checkErr
	i.mu.Unlock()
	if !ok || !i.now().Before(tok.exp) || !slices.Contains(tok.scopes, "sesame:authz") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	if status != 0 {
		writeJSON(w, status, map[string]string{"error": "failure"})
		return
	}
	var q struct {
		Sub       string `json:"sub"`
		AccountID string `json:"account_id"`
		Right     string `json:"right"`
		Resource  string `json:"resource"`
	}
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil || q.Sub == "" || q.Right == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	i.mu.Lock()
	p := i.people[q.Sub]
	allowed := false
	if p != nil && !p.Disabled && p.AccountID == q.AccountID {
		for _, held := range p.Rights {
			if held == q.Right || (q.Resource != "" && held == q.Right+":"+q.Resource) {
				allowed = true
			}
		}
	}
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"allowed": allowed})
}
