// Sésame progressive enhancements. Every form works without this file:
// the server checks everything again and answers with a page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  passwordChecklist();
  confirmBeforeSubmit();
  focusErrorSummary();
  templatesTickRights();
});

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
