// Progressive enhancement only: every control also works without JavaScript (forms use GET).
"use strict";
document.documentElement.classList.add("js");

var WIDE = "(min-width: 901px)"; // style.css: from this width the filters are a sidebar

document.addEventListener("DOMContentLoaded", function () {
  // Options of other forms (the item page's similar cases) apply at once too.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.form || el.form.id === "search" || !el.classList.contains("autosubmit")) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });
  var form = document.getElementById("search");
  var filters = document.getElementById("filters");
  if (form) {
    // Ticking a filter or changing sort/breakdown/per page re-runs the search at once.
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el.form !== form) return;
      if (el.type === "checkbox" || el.classList.contains("autosubmit")) {
        remember(el);
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
    // Keep shared URLs short: leave out empty and default values.
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      if (!(data.get("q") || "").trim()) data.delete("q");
      if (data.get("sort") === "relevance") data.delete("sort");
      if (data.get("breakdown") === "reviewer_guideline") data.delete("breakdown");
      if (data.get("per_page") === "20") data.delete("per_page");
      ["date_from", "date_to"].forEach(function (name) { if (!data.get(name)) data.delete(name); });
    });
    // Back and forward: a page restored from the back/forward cache keeps the controls as
    // they were left (a ticked box whose search was then left); the URL, the results and
    // the server-rendered defaults are the truth, so the form goes back to them.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted || navigationType() === "back_forward") {
        form.reset();
        document.querySelectorAll(".facet-filter").forEach(function (input) {
          input.value = "";
          filterValues(input);
        });
      }
    });
  }
  if (filters) setUpFilters(filters);
  document.querySelectorAll("fieldset.facet[data-filter]").forEach(addFilterBox);
  restoreFocus();

  function navigationType() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "";
  }

  // The filters disclosure: open beside the results on wide screens, a closed "Filters (n
  // selected)" bar above them on narrow ones (without JS the CSS shows it open when wide).
  function setUpFilters(details) {
    var wide = window.matchMedia(WIDE);
    details.open = wide.matches;
    var follow = function () { details.open = wide.matches; };
    if (wide.addEventListener) wide.addEventListener("change", follow);
    var done = details.querySelector(".filters-done");
    if (done) {
      done.addEventListener("click", function (event) {
        event.preventDefault();
        details.open = false;
        var main = document.getElementById("main");
        if (main) main.focus();
      });
    }
  }

  // A box that filters a long facet's values as one types (selected values always stay).
  function addFilterBox(fieldset) {
    var list = fieldset.querySelector(".facet-values");
    if (!list) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "facet-filter";
    input.placeholder = "Filter values";
    input.autocomplete = "off";
    input.setAttribute("aria-label", "Filter " + fieldset.getAttribute("data-filter") + " values");
    input.setAttribute("aria-controls", list.id);
    var none = document.createElement("p");
    none.className = "facet-nomatch muted";
    none.setAttribute("role", "status");
    list.parentNode.insertBefore(input, list);
    list.parentNode.insertBefore(none, list.nextSibling);
    input.addEventListener("input", function () { filterValues(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && input.value) { input.value = ""; filterValues(input); }
      if (event.key === "Enter") event.preventDefault();
    });
  }

  function filterValues(input) {
    var fieldset = input.closest("fieldset");
    var term = input.value.trim().toLowerCase();
    var found = 0;
    fieldset.querySelectorAll(".facet-values li").forEach(function (li) {
      var label = li.querySelector(".facet-label");
      var box = li.querySelector("input");
      var match = !term || (label && label.textContent.toLowerCase().indexOf(term) !== -1);
      li.hidden = !match && !(box && box.checked);
      if (match) found += 1;
    });
    var none = fieldset.querySelector(".facet-nomatch");
    if (none) {
      var more = fieldset.querySelector(".facet-more") ? " listed here: show more values" : "";
      none.textContent = term && !found ? "No value" + more + " matches." : "";
    }
  }

  // Keyboard users keep their place: the control they changed has focus again after reload
  // (inside the filters, which open for it, so a tap never lands far from where it was).
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
    if (!target) return;
    if (filters && filters.contains(target)) filters.open = true;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest" });
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
