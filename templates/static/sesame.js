// Sésame progressive enhancements. Every form works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Live password checklist on the set-password page (the server enforces
  // the same rules).
  var pw = document.getElementById("password");
  var list = document.getElementById("password-rules");
  if (!pw || !list) return;
  var rules = {
    length: function (v) { return Array.from(v).length >= 8; },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); },
    special: function (v) { return /[^\p{L}\p{Nd}]/u.test(v); }
  };
  function update() {
    Object.keys(rules).forEach(function (name) {
      var li = list.querySelector('[data-rule="' + name + '"]');
      if (!li) return;
      var ok = rules[name](pw.value);
      li.classList.toggle("ok", ok);
      li.setAttribute("data-state", ok ? "ok" : "todo");
    });
  }
  pw.addEventListener("input", update);
  update();
});
