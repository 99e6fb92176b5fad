// Sésame progressive enhancements. Every form works without this file:
// the server checks everything again and answers with a page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  passwordChecklist();
  confirmBeforeSubmit();
  focusErrorSummary();
  templatesTickRights();
  passkeys();
});

// passkeys runs the WebAuthn ceremonies of the forms marked data-passkey
// ("create" on the security page, "get" at the second step of sign-in):
// the options come from the server in data-options, the browser's answer
// goes back in the hidden field "credential" and the form is sent as
// usual. The forms stay hidden where the browser has no WebAuthn.
function passkeys() {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  var b64 = {
    decode: function (s) {
      s = s.replace(/-/g, "+").replace(/_/g, "/");
      while (s.length % 4) s += "=";
      var bin = atob(s), out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out.buffer;
    },
    encode: function (buf) {
      var bytes = new Uint8Array(buf), bin = "";
      for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
      return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }
  };
  function ids(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: b64.decode(c.id) }); });
  }
  function options(kind, o) {
    o.challenge = b64.decode(o.challenge);
    if (kind === "create") {
      o.user = Object.assign({}, o.user, { id: b64.decode(o.user.id) });
      o.excludeCredentials = ids(o.excludeCredentials);
    } else {
      o.allowCredentials = ids(o.allowCredentials);
    }
    return o;
  }
  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: b64.encode(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = b64.encode(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = b64.encode(r.authenticatorData);
      out.response.signature = b64.encode(r.signature);
      if (r.userHandle) out.response.userHandle = b64.encode(r.userHandle);
    }
    return JSON.stringify(out);
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-passkey]"), function (form) {
    var kind = form.dataset.passkey, status = form.querySelector("[data-passkey-error]");
    form.hidden = false;
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) return;
      e.preventDefault();
      if (kind === "create" && !form.reportValidity()) return;
      var o = options(kind, JSON.parse(form.dataset.options));
      var call = kind === "create" ? navigator.credentials.create({ publicKey: o }) : navigator.credentials.get({ publicKey: o });
      call.then(function (cred) {
        form.elements.credential.value = answer(cred);
        form.dataset.sent = "yes";
        form.submit();
      }, function () {
        status.textContent = form.dataset.cancelled;
        status.hidden = false;
      });
    });
  });
}

// confirmBeforeSubmit asks before a form with data-confirm (deleting a
// login account) is sent, and marks the form confirmed. Without
// JavaScript the server asks on a confirmation page instead.
function confirmBeforeSubmit() {
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) {
        e.preventDefault();
        return;
      }
      var done = document.createElement("input");
      done.type = "hidden";
      done.name = "confirmed";
      done.value = "yes";
      form.appendChild(done);
    });
  });
}

// passwordChecklist ticks the rules of the set-password page as the person
// types. The rules mirror account.CheckPassword (after NFC normalisation:
// at least 8 characters, an upper-case letter, a lower-case letter, a
// digit, and a character that is neither a letter nor a digit); "common"
// needs the server's dictionary and is checked when the form is sent.
// A rule the server refused stays marked as refused until it is met.
function passwordChecklist() {
  var pw = document.getElementById("password");
  var confirm = document.getElementById("password_confirm");
  var list = document.getElementById("password-rules");
  if (!pw || !list) return;
  var checks = {
    too_short: function (v) { return Array.from(v).length >= 8; },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); },
    special: function (v) { return /[^\p{L}\p{Nd}]/u.test(v); },
    mismatch: function (v) { return !!confirm && v !== "" && v === confirm.value; }
  };
  var labels = { ok: list.dataset.ok, todo: list.dataset.todo, failed: list.dataset.failed };

  function set(li, state) {
    li.classList.toggle("ok", state === "ok");
    li.classList.toggle("failed", state === "failed");
    var label = li.querySelector(".rule-state");
    if (label && labels[state]) label.textContent = labels[state];
  }

  function update() {
    var v = pw.value.normalize("NFC");
    Array.prototype.forEach.call(list.querySelectorAll("li[data-rule]"), function (li) {
      var check = checks[li.dataset.rule];
      if (!check) {
        // Only the server can tell; its old verdict no longer applies.
        set(li, "todo");
        return;
      }
      if (check(v)) set(li, "ok");
      else set(li, li.classList.contains("failed") ? "failed" : "todo");
    });
  }

  pw.addEventListener("input", update);
  if (confirm) confirm.addEventListener("input", update);
}

// focusErrorSummary moves the focus to the error summary of a refused
// form, so that keyboard and screen-reader users start from it; its links
// lead to the fields.
function focusErrorSummary() {
  var box = document.getElementById("error-summary");
  if (box) box.focus();
}

// templatesTickRights ticks the rights of the role template chosen in a
// rights form (its option's data-rights, comma-separated), so that the
// person sees what the template gives and can adjust it. Without
// JavaScript the server adds the template's rights when the form is sent.
function templatesTickRights() {
  Array.prototype.forEach.call(document.querySelectorAll("select[name=template]"), function (select) {
    select.addEventListener("change", function () {
      var opt = select.options[select.selectedIndex];
      if (!opt || !opt.dataset.rights) return;
      opt.dataset.rights.split(",").forEach(function (r) {
        var box = select.form.querySelector('input[type=checkbox][name=rights][value="' + r.trim() + '"]');
        if (box) box.checked = true;
      });
    });
  });
}
