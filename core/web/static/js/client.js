/* Comptoir web client: small progressive enhancements over server-rendered pages.
 * - a warning before leaving a form with unsaved changes;
 * - many2one fields: type to search (name_search), or create a record from its name.
 * Every page works without this file. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.content : "";
  var messages = document.getElementById("client-messages");

  function say(text) { if (messages) { messages.textContent = text; } }

  /* unsaved changes */
  document.querySelectorAll("form.record-form").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });

  /* many2one search and create; window.Comptoir.enhance(root) does it for content
   * inserted later (list.js: a list row put in edit mode) */
  function many2one(select) {
    if (select.dataset.m2oReady) { return; }
    select.dataset.m2oReady = "1";
    var model = select.dataset.m2oModel;
    var search = document.createElement("input");
    search.type = "search";
    search.className = "m2o-search";
    search.setAttribute("aria-label", select.dataset.searchLabel);
    search.placeholder = select.dataset.searchLabel;
    select.parentNode.insertBefore(search, select);
    var timer = null;

    function fill(results, query) {
      var current = select.value;
      var keep = Array.prototype.filter.call(select.options, function (o) {
        return o.value === "" || o.value === current;
      });
      select.innerHTML = "";
      keep.forEach(function (o) { select.appendChild(o); });
      results.forEach(function (pair) {
        if (String(pair[0]) === current) { return; }
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        select.appendChild(option);
      });
      if (query && select.dataset.canCreate === "1") {
        var create = document.createElement("option");
        create.value = "__create__";
        create.textContent = select.dataset.createLabel.replace("%s", query);
        select.appendChild(create);
      }
      say(select.dataset.foundLabel.replace("%s", results.length));
    }

    /* the page holds only the current value: choices come when the field is first used */
    var loaded = false;
    function load() {
      if (loaded) { return; }
      loaded = true;
      fetch("/web/name_search?model=" + encodeURIComponent(model) + "&q=",
            {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (results) { if (!search.value) { fill(results, ""); } });
    }
    ["focus", "mouseenter", "touchstart"].forEach(function (type) {
      select.addEventListener(type, load, {passive: true});
    });
    search.addEventListener("focus", load);

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = search.value.trim();
        fetch("/web/name_search?model=" + encodeURIComponent(model) + "&q=" +
              encodeURIComponent(query), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.json(); })
          .then(function (results) { fill(results, query); });
      }, 250);
    });

    select.addEventListener("change", function () {
      if (select.value !== "__create__") { return; }
      var body = new URLSearchParams({model: model, name: search.value.trim()});
      fetch("/web/name_create", {method: "POST", body: body,
                                 headers: {"X-CSRF-Token": token, "Accept": "application/json"}})
        .then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); })
        .then(function (result) {
          if (!result[0]) { say(result[1].error.message); select.value = ""; return; }
          var option = document.createElement("option");
          option.value = result[1][0];
          option.textContent = result[1][1];
          select.appendChild(option);
          select.value = option.value;
          say(select.dataset.createdLabel.replace("%s", result[1][1]));
        });
    });
  }
  document.querySelectorAll("select[data-m2o-model]").forEach(many2one);
  window.Comptoir = window.Comptoir || {};
  window.Comptoir.enhance = function (root) {
    root.querySelectorAll("select[data-m2o-model]").forEach(many2one);
  };
})();

/* modifiers: invisible/required/readonly domains re-evaluated as the user edits (see
 * core/web/client/modifiers.py for the rules, which this mirrors) */
(function () {
  "use strict";
  function plain(value) { return value; }
  function empty(v) { return v === null || v === false || v === "" || v === 0 || (Array.isArray(v) && !v.length); }
  function leaf(term, data) {
    var value = plain(data[term[0]]), op = term[1], expected = term[2];
    if (expected === false || expected === null) {
      if (op === "=") { return empty(value); }
      if (op === "!=") { return !empty(value); }
    }
    switch (op) {
      case "=": return value === expected;
      case "!=": return value !== expected;
      case "in": return (expected || []).indexOf(value) >= 0 || (empty(value) && (expected || []).indexOf(false) >= 0);
      case "not in": return !((expected || []).indexOf(value) >= 0 || (empty(value) && (expected || []).indexOf(false) >= 0));
      case "<": return value !== null && value !== false && value < expected;
      case "<=": return value !== null && value !== false && value <= expected;
      case ">": return value !== null && value !== false && value > expected;
      case ">=": return value !== null && value !== false && value >= expected;
    }
    return false;
  }
  function evaluate(domain, data) {
    var stack = [];
    for (var i = domain.length - 1; i >= 0; i--) {
      var item = domain[i];
      if (item === "!") { stack.push(!stack.pop()); }
      else if (item === "&" || item === "|") {
        var left = stack.pop(), right = stack.pop();
        stack.push(item === "&" ? left && right : left || right);
      } else { stack.push(leaf(item, data)); }
    }
    return stack.every(Boolean);
  }
  document.querySelectorAll("form.record-form").forEach(function (form) {
    function values() {
      var data = {};
      form.querySelectorAll("[name]").forEach(function (input) {
        if (input.name.indexOf("__") >= 0 || input.name === "csrf_token") { return; }
        if (input.type === "checkbox") { data[input.name] = input.checked; return; }
        var v = input.value;
        data[input.name] = v === "" ? false : (input.tagName === "SELECT" && /^\d+$/.test(v) && input.dataset.m2oModel ? parseInt(v, 10) : v);
      });
      return data;
    }
    function apply() {
      var data = values();
      form.querySelectorAll("[data-invisible]").forEach(function (node) {
        node.hidden = evaluate(JSON.parse(node.dataset.invisible), data);
      });
      form.querySelectorAll("[data-required]").forEach(function (node) {
        var input = node.querySelector("input, select, textarea");
        if (input) { input.required = evaluate(JSON.parse(node.dataset.required), data); }
      });
      form.querySelectorAll("[data-readonly]").forEach(function (node) {
        var readonly = evaluate(JSON.parse(node.dataset.readonly), data);
        node.classList.toggle("is-readonly", readonly);
        node.querySelectorAll("input, select, textarea, button").forEach(function (control) {
          control.disabled = readonly;
        });
      });
    }
    form.addEventListener("change", apply);
    form.addEventListener("input", apply);
  });
})();
