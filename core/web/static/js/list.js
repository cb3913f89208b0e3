/* Comptoir list views, progressive enhancements (every page works without this file):
 * - rows edited in place where the list view says editable="top"/"bottom": click a row
 *   or press Enter on it, Enter saves, Escape cancels; the server renders each row
 *   (X-Comptoir-Fragment: 1) so that values look exactly as on a full page load;
 * - elsewhere a click on a row opens its form;
 * - "select all on this page", and no bulk action on an empty selection;
 * - the condition builder offers the operators and the value input of the chosen field;
 * - the "Set a field" page shows the value input of the chosen field only;
 * - the export dialog filters its list of fields. */
(function () {
  "use strict";
  var messages = document.getElementById("client-messages");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.content : "";

  function say(text) {
    if (!messages || !text) { return; }
    messages.textContent = "";
    window.setTimeout(function () { messages.textContent = text; }, 30);
  }
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  /* ---- rows edited in place ---------------------------------------------------------- */
  var table = document.querySelector("table[data-editable]");
  var inlineForm = document.getElementById("inline-edit");
  var current = null;   // {nodes: [tr...], original: [tr] or null for a new line, dirty}

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return Array.prototype.slice.call(template.content.children);
  }
  function isRow(nodes) { return nodes.length && nodes[0].tagName === "TR"; }
  function swap(oldNodes, newNodes) {
    var anchor = oldNodes[0];
    newNodes.forEach(function (node) { anchor.parentNode.insertBefore(node, anchor); });
    oldNodes.forEach(function (node) { if (node.parentNode) { node.parentNode.removeChild(node); } });
  }
  function call(url, options) {
    options.headers = Object.assign({"X-Comptoir-Fragment": "1", "Accept": "text/html"},
                                    options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        return {ok: response.ok, text: text, sums: response.headers.get("X-List-Sums")};
      });
    });
  }
  function prepare(row) {
    if (!row.classList.contains("editable-row")) { return; }
    row.tabIndex = 0;
    var link = row.querySelector("a.row-edit");
    if (link) { link.tabIndex = -1; }
  }
  function firstInput(row) {
    return row.querySelector("[aria-invalid=true]") ||
      row.querySelector("input:not([type=hidden]):not([type=search]), select, textarea");
  }
  function startEditing(nodes, original) {
    current = {nodes: nodes, original: original, dirty: false};
    if (window.Comptoir && window.Comptoir.enhance) { window.Comptoir.enhance(nodes[0]); }
    var input = firstInput(nodes[0]);
    if (input) { input.focus(); }
  }
  function busy() {
    if (!current) { return false; }
    if (!current.dirty) { cancel(false); return false; }
    say(inlineForm.dataset.unsaved);
    var input = firstInput(current.nodes[0]);
    if (input) { input.focus(); }
    return true;
  }
  function cancel(focus) {
    if (!current) { return; }
    var editing = current;
    current = null;
    if (editing.original) {
      swap(editing.nodes, editing.original);
      if (focus) { editing.original[0].focus(); }
      return;
    }
    editing.nodes.forEach(function (node) { node.parentNode.removeChild(node); });
    var tbody = table.tBodies[0];
    var empty = tbody.querySelector("tr.empty-row");
    if (empty && !tbody.querySelector("tr[data-id]")) { empty.hidden = false; }
    var add = tbody.querySelector("tr.add-line a");
    if (focus && add) { add.focus(); }
  }
  function open(row) {
    if (busy()) { return; }
    call(row.dataset.editUrl, {method: "GET"}).then(function (result) {
      var nodes = fragment(result.text);
      if (!result.ok || !isRow(nodes)) { say(inlineForm.dataset.failed); return; }
      swap([row], nodes);
      startEditing(nodes, [row]);
    }, function () { say(inlineForm.dataset.failed); });
  }
  function addLine(url) {
    if (busy()) { return; }
    call(url, {method: "GET"}).then(function (result) {
      var nodes = fragment(result.text);
      if (!result.ok || !isRow(nodes)) { say(inlineForm.dataset.failed); return; }
      var tbody = table.tBodies[0];
      var empty = tbody.querySelector("tr.empty-row");
      if (empty) { empty.hidden = true; }
      var add = tbody.querySelector("tr.add-line");
      var before = table.dataset.editable === "top" ? (add ? add.nextSibling : tbody.firstChild)
        : (add || null);
      nodes.forEach(function (node) { tbody.insertBefore(node, before); });
      startEditing(nodes, null);
    }, function () { say(inlineForm.dataset.failed); });
  }
  function updateSums(json) {
    if (!json) { return; }
    var sums = JSON.parse(json);
    Object.keys(sums).forEach(function (name) {
      var cell = table.querySelector('tfoot [data-sum="' + name + '"]');
      if (cell) { cell.textContent = sums[name]; }
    });
  }
  function save(event) {
    event.preventDefault();
    if (!current) { return; }
    var editing = current;
    call(editing.nodes[0].dataset.action, {method: "POST", body: new FormData(inlineForm),
                                            headers: {"X-CSRF-Token": token}})
      .then(function (result) {
        var nodes = fragment(result.text);
        if (!isRow(nodes)) { say(inlineForm.dataset.failed); return; }
        swap(editing.nodes, nodes);
        if (result.ok) {
          current = null;
          updateSums(result.sums);
          prepare(nodes[0]);
          nodes[0].focus();
          say(inlineForm.dataset.saved);
        } else {
          startEditing(nodes, editing.original);
          current.dirty = true;
          say(inlineForm.dataset.notSaved);
        }
      }, function () { say(inlineForm.dataset.failed); });
  }

  if (table && inlineForm) {
    each(table.querySelectorAll("tr.editable-row"), prepare);
    inlineForm.addEventListener("submit", save);
    table.addEventListener("input", function (event) {
      if (current && event.target.form === inlineForm) { current.dirty = true; }
    });
    table.addEventListener("change", function (event) {
      if (current && event.target.form === inlineForm) { current.dirty = true; }
    });
    table.addEventListener("click", function (event) {
      var target = event.target;
      if (target.closest("[data-inline-cancel]")) { event.preventDefault(); cancel(true); return; }
      if (target.closest("[data-inline-new]")) {
        event.preventDefault(); addLine(target.closest("[data-inline-new]").href); return;
      }
      var row = target.closest("tr.editable-row");
      if (row && target.closest("a.row-edit")) { event.preventDefault(); open(row); return; }
      if (!row || target.closest("a, button, input, select, textarea, label")) { return; }
      open(row);
    });
    table.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current) {
        event.preventDefault(); cancel(true); return;
      }
      var row = event.target;
      if (!row.classList || !row.classList.contains("editable-row")) { return; }
      if (event.key === "Enter") { event.preventDefault(); open(row); }
      var step = {ArrowDown: "nextElementSibling", ArrowUp: "previousElementSibling"}[event.key];
      var next = step ? row[step] : null;
      while (next && !next.classList.contains("editable-row")) { next = next[step]; }
      if (next) { event.preventDefault(); next.focus(); }
    });
    each(document.querySelectorAll(".control-actions [data-inline-new]"), function (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); addLine(link.href); });
    });
  }

  /* ---- elsewhere a click on a row opens its form ---------------------------------------- */
  each(document.querySelectorAll("table[data-clickable-rows] tbody"), function (tbody) {
    tbody.addEventListener("click", function (event) {
      var row = event.target.closest("tr[data-id]");
      if (!row || row.classList.contains("editable-row") || row.classList.contains("editing") ||
          event.target.closest("a, button, input, select, textarea, label, td.select")) { return; }
      var link = row.querySelector("td:not(.select) a[href]");
      if (link) { window.location.assign(link.href); }
    });
  });

  /* ---- selection ------------------------------------------------------------------------ */
  var listForm = document.getElementById("list-form");
  if (listForm) {
    var head = listForm.querySelector("thead th.select");
    var boxes = listForm.querySelectorAll("tbody input[name=ids]");
    if (head && boxes.length) {
      var all = document.createElement("input");
      all.type = "checkbox";
      all.setAttribute("aria-label", listForm.dataset.selectPage);
      head.textContent = "";
      head.appendChild(all);
      all.addEventListener("change", function () {
        each(listForm.querySelectorAll("tbody input[name=ids]"), function (box) { box.checked = all.checked; });
      });
    }
    listForm.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.formAction && submitter.formAction.indexOf("/export") >= 0) { return; }
      var everything = listForm.querySelector("input[name=all]");
      if (!listForm.querySelector("tbody input[name=ids]:checked") && !(everything && everything.checked)) {
        event.preventDefault();
        say(listForm.dataset.nothingSelected);
        var alert = document.getElementById("selection-alert");
        if (alert) { alert.hidden = false; alert.textContent = listForm.dataset.nothingSelected; }
      }
    });
  }

  /* ---- the condition builder -------------------------------------------------------------- */
  var conditionField = document.getElementById("cond-field");
  var conditionOp = document.getElementById("cond-op");
  if (conditionField && conditionOp) {
    var valueBox = document.querySelector(".condition-form .cond-value");
    var showValue = function () {
      valueBox.hidden = conditionOp.value === "set" || conditionOp.value === "not set";
    };
    var valueInput = function (option) {
      var old = document.getElementById("cond-value");
      var choices = option.dataset.options ? JSON.parse(option.dataset.options) : null;
      var type = option.dataset.type;
      var input;
      if (choices) {
        input = document.createElement("select");
        choices.forEach(function (pair) {
          var item = document.createElement("option");
          item.value = pair[0];
          item.textContent = pair[1];
          input.appendChild(item);
        });
      } else {
        input = document.createElement("input");
        input.type = (type === "date" || type === "datetime") ? "date" : "text";
        if (["integer", "float", "monetary"].indexOf(type) >= 0) { input.inputMode = "decimal"; }
      }
      input.id = "cond-value";
      input.name = "cond_value";
      old.parentNode.replaceChild(input, old);
    };
    var refresh = function () {
      var option = conditionField.options[conditionField.selectedIndex];
      if (!option) { return; }
      var allowed = JSON.parse(option.dataset.ops || "[]");
      var first = null;
      each(conditionOp.options, function (item) {
        var ok = allowed.indexOf(item.value) >= 0;
        item.hidden = !ok;
        item.disabled = !ok;
        if (ok && first === null) { first = item.value; }
      });
      if (allowed.indexOf(conditionOp.value) < 0 && first !== null) { conditionOp.value = first; }
      valueInput(option);
      showValue();
    };
    conditionField.addEventListener("change", refresh);
    conditionOp.addEventListener("change", showValue);
    refresh();
  }

  /* ---- "Set a field": the chosen field's value only ------------------------------------- */
  var setChoice = document.querySelector("[data-set-field-choice]");
  if (setChoice) {
    var showChosen = function () {
      each(document.querySelectorAll("[data-set-field]"), function (block) {
        block.hidden = block.dataset.setField !== setChoice.value;
      });
    };
    setChoice.addEventListener("change", showChosen);
    showChosen();
  }

  /* ---- the export dialog: find a field ------------------------------------------------------ */
  var filter = document.querySelector("[data-field-filter]");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var query = filter.value.trim().toLowerCase();
      each(document.querySelectorAll(".export-others > li"), function (item) {
        var related = item.querySelector("details");
        var own = (item.firstElementChild ? item.firstElementChild.textContent : "").toLowerCase();
        var inside = related ? related.textContent.toLowerCase().indexOf(query) >= 0 : false;
        item.hidden = Boolean(query) && own.indexOf(query) < 0 && !inside;
        if (related) { related.open = Boolean(query) && inside; }
      });
    });
  }
})();
