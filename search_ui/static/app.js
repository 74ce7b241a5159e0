// Progressive enhancement only: every control also works without JavaScript (forms use GET).
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // Options of other forms (the item page's similar cases) apply at once too.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.form || el.form.id === "search" || !el.classList.contains("autosubmit")) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });
  var form = document.getElementById("search");
  if (form) {
    // Ticking a filter or changing sort/breakdown re-runs the search at once.
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el.form !== form) return;
      if (el.type === "checkbox" || el.classList.contains("autosubmit")) {
        remember(el);
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
    restoreFocus();
    // Keep shared URLs short: leave out empty and default values.
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      if (!(data.get("q") || "").trim()) data.delete("q");
      if (data.get("sort") === "relevance") data.delete("sort");
      if (data.get("breakdown") === "reviewer_guideline") data.delete("breakdown");
      ["date_from", "date_to"].forEach(function (name) { if (!data.get(name)) data.delete(name); });
    });
  }
  // Keyboard users keep their place: the control they changed has focus again after reload.
  function remember(el) {
    try {
      sessionStorage.setItem("imr-focus", JSON.stringify({ name: el.name, value: el.value, type: el.type }));
    } catch (e) { /* storage disabled: focus simply starts at the top */ }
  }
  function restoreFocus() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem("imr-focus") || "null");
      sessionStorage.removeItem("imr-focus");
    } catch (e) { return; }
    if (!saved || !saved.name) return;
    var selector = saved.type === "checkbox"
      ? 'input[name="' + CSS.escape(saved.name) + '"][value="' + CSS.escape(saved.value) + '"]'
      : '[name="' + CSS.escape(saved.name) + '"]';
    var target = document.querySelector(selector);
    if (target) target.focus({ preventScroll: false });
  }

  // "/" jumps to the search box (not while typing somewhere).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var q = document.getElementById("q");
    if (q) { event.preventDefault(); q.focus(); q.select(); }
  });
});
