/* Comptoir form widgets, progressive enhancements over the server-rendered form
 * (many2one fields are client.js's: window.Comptoir.enhance(root)):
 * - many2many tags: chips with a remove button and a combobox to add more;
 * - one2many lines: add and remove lines in place (the server turns them into commands);
 * - HTML editor: a contenteditable area with a small toolbar, kept in its textarea;
 * - image: a preview of the chosen file.
 * Widgets announce what they did in the page's live region, and mark the form changed
 * (client.js warns before leaving it unsaved). */
(function () {
  "use strict";
  var Comptoir = window.Comptoir = window.Comptoir || {};
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.content : "";

  function say(text) {
    var region = document.getElementById("client-messages");
    if (region) { region.textContent = text; }
  }
  function changed(node) { node.dispatchEvent(new Event("change", {bubbles: true})); }
  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; });
  }
  function search(model, query, limit) {
    return getJSON("/web/name_search?model=" + encodeURIComponent(model) + "&q=" +
                   encodeURIComponent(query) + "&limit=" + (limit || 20));
  }
  function create(model, name) {
    return fetch("/web/name_create", {
      method: "POST", credentials: "same-origin",
      body: new URLSearchParams({model: model, name: name}),
      headers: {"X-CSRF-Token": token, "Accept": "application/json"}
    }).then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); });
  }
  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  /* ---------------------------------------------------------------- many2many tags */
  function tags(widget) {
    var model = widget.dataset.m2mModel;
    var field = widget.dataset.field;
    var list = widget.querySelector("ul.tags");
    var input = widget.querySelector(".tags-search");
    var listbox = widget.querySelector("[role=listbox]");
    var options = [];
    var active = -1;

    function chosen() {
      return Array.prototype.map.call(list.querySelectorAll("input[type=hidden]"),
                                      function (i) { return i.value; });
    }
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = listbox.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({block: "nearest"});
    }
    function show(results, query) {
      var taken = chosen();
      options = results.filter(function (pair) { return taken.indexOf(String(pair[0])) < 0; })
        .slice(0, 8).map(function (pair) { return {id: pair[0], name: pair[1]}; });
      var exact = results.some(function (pair) { return pair[1].toLowerCase() === query.toLowerCase(); });
      if (query && !exact && widget.dataset.canCreate === "1") {
        options.push({create: query, name: widget.dataset.createLabel.replace("%s", query)});
      }
      listbox.innerHTML = "";
      options.forEach(function (option, i) {
        var item = document.createElement("li");
        item.id = input.id + "-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = option.name;
        if (option.create) { item.className = "tags-create"; }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { pick(option); });
        listbox.appendChild(item);
      });
      listbox.hidden = !options.length;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      active = -1;
      say(widget.dataset.foundLabel.replace("%s", options.filter(function (o) { return !o.create; }).length));
    }
    function add(id, name) {
      var item = document.createElement("li");
      item.className = "tag";
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = field;
      hidden.value = id;
      var text = document.createElement("span");
      text.textContent = name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "tag-remove";
      remove.setAttribute("aria-label", widget.dataset.removeLabel.replace("%s", name));
      remove.textContent = "×";
      item.appendChild(hidden);
      item.appendChild(text);
      item.appendChild(remove);
      list.appendChild(item);
      say(widget.dataset.addedLabel.replace("%s", name));
      changed(list);
    }
    function pick(option) {
      close();
      input.value = "";
      if (!option.create) { add(option.id, option.name); input.focus(); return; }
      create(model, option.create).then(function (result) {
        if (!result[0]) { say(result[1].error.message); return; }
        add(result[1][0], result[1][1]);
        input.focus();
      });
    }
    function removeTag(item) {
      var name = item.querySelector("span").textContent;
      item.remove();
      say(widget.dataset.removedLabel.replace("%s", name));
      changed(list);
      input.focus();
    }
    var lookup = debounce(function () {
      var query = input.value.trim();
      search(model, query, 8 + chosen().length).then(function (results) {
        if (document.activeElement === input) { show(results, query); }
      });
    }, 200);

    list.addEventListener("click", function (event) {
      var button = event.target.closest(".tag-remove");
      if (button && !button.disabled) { removeTag(button.closest(".tag")); }
    });
    input.addEventListener("input", lookup);
    input.addEventListener("focus", lookup);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (listbox.hidden) { lookup(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!listbox.hidden && active >= 0) { event.preventDefault(); pick(options[active]); }
        else if (!listbox.hidden && options.length === 1) { event.preventDefault(); pick(options[0]); }
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !input.value) {
        var last = list.querySelector(".tag:last-child");
        if (last) { event.preventDefault(); removeTag(last); }
      }
    });
  }

  /* ---------------------------------------------------------------- one2many lines */
  function lines(table) {
    var name = table.dataset.lines;
    var container = table.closest(".field-lines");
    var body = table.tBodies[0];
    var empty = body.querySelector(".lines-empty");
    var template = container.querySelector('template[data-line-template]');
    var addButton = container.querySelector("[data-lines-add]");

    function refresh() { empty.hidden = body.querySelectorAll("tr[data-key]").length > 0; }
    function nextKey() {
      var highest = 0;
      body.querySelectorAll("tr[data-key]").forEach(function (row) {
        var match = /^new(\d+)$/.exec(row.dataset.key);
        if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
      });
      return "new" + (highest + 1);
    }
    body.addEventListener("click", function (event) {
      var button = event.target.closest(".lines-remove");
      if (!button) { return; }
      var row = button.closest("tr");
      var key = row.dataset.key;
      if (/^\d+$/.test(key)) {
        var marker = document.createElement("input");
        marker.type = "hidden";
        marker.name = name + "__delete";
        marker.value = key;
        container.appendChild(marker);
      }
      var next = row.nextElementSibling && row.nextElementSibling.querySelector(".lines-remove");
      row.remove();
      refresh();
      say(button.getAttribute("aria-label"));
      (next || addButton || table).focus();
      changed(container);
    });
    if (!template || !addButton) { return; }
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var key = nextKey();
      var row = template.content.firstElementChild.cloneNode(true);
      row.dataset.key = key;
      row.querySelectorAll("[name], [id], [for], [value]").forEach(function (node) {
        ["name", "id", "for", "value"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value && value.indexOf("__key__") >= 0) { node.setAttribute(attr, value.split("__key__").join(key)); }
        });
      });
      body.insertBefore(row, empty);
      refresh();
      if (Comptoir.enhance) { Comptoir.enhance(row); }
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      changed(container);
    });
  }

  /* ---------------------------------------------------------------- HTML editor */
  var TOOLS = [
    ["bold", "bold", "<b>B</b>"], ["italic", "italic", "<i>I</i>"],
    ["heading", "formatBlock", "H"],
    ["bullets", "insertUnorderedList", '<svg viewBox="0 0 16 16" fill="currentColor">' +
     '<circle cx="2.5" cy="4" r="1.3"/><circle cx="2.5" cy="11" r="1.3"/>' +
     '<rect x="6" y="3.2" width="9" height="1.6" rx=".8"/><rect x="6" y="10.2" width="9" ' +
     'height="1.6" rx=".8"/></svg>'],
    ["numbers", "insertOrderedList", '<svg viewBox="0 0 16 16" fill="none" ' +
     'stroke="currentColor" stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round">' +
     '<path d="M1.8 2.6l1-.8v4.4M1.5 9.4a1.1 1.1 0 012 .5c0 .8-2 1.6-2 2.8h2.2"/>' +
     '<path d="M6.5 4h8.5M6.5 11h8.5" stroke-width="1.6"/></svg>'],
    ["link", "createLink", '<svg viewBox="0 0 16 16" fill="none" stroke="currentColor" ' +
     'stroke-width="1.6" stroke-linecap="round"><path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 ' +
     '0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8"/></svg>']
  ];
  function htmlEditor(source) {
    var labels = JSON.parse(source.dataset.toolbar || "{}");
    var label = document.querySelector('label[for="' + source.id + '"]');
    if (label && !label.id) { label.id = source.id + "-label"; }
    var shell = document.createElement("div");
    shell.className = "html-editor";
    var bar = document.createElement("div");
    bar.className = "html-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", labels.label || "");
    var area = document.createElement("div");
    area.className = "html-content";
    area.id = source.id + "-editor";
    area.contentEditable = source.disabled ? "false" : "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) { area.setAttribute("aria-labelledby", label.id); }
    area.innerHTML = source.value;
    bar.setAttribute("aria-controls", area.id);
    var buttons = TOOLS.map(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "html-tool";
      button.dataset.tool = tool[0];
      button.innerHTML = '<span aria-hidden="true">' + tool[2] + "</span>";
      button.setAttribute("aria-label", labels[tool[0]] || tool[0]);
      button.title = labels[tool[0]] || tool[0];
      if (tool[0] !== "link") { button.setAttribute("aria-pressed", "false"); }
      button.disabled = source.disabled;
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        if (tool[0] === "heading") {
          var inHeading = document.queryCommandValue("formatBlock").toLowerCase() === "h3";
          document.execCommand("formatBlock", false, inHeading ? "p" : "h3");
        } else if (tool[0] === "link") {
          var url = window.prompt(labels.link_prompt || "URL", "https://");
          if (url && /^(https?:|mailto:)/i.test(url.trim())) {
            document.execCommand("createLink", false, url.trim());
          }
        } else {
          document.execCommand(tool[1], false, null);
        }
        sync();
        states();
      });
      bar.appendChild(button);
      return button;
    });
    function sync() { source.value = area.innerHTML; changed(source); }
    function states() {
      buttons.forEach(function (button) {
        if (!button.hasAttribute("aria-pressed")) { return; }
        var tool = button.dataset.tool, on;
        if (tool === "heading") { on = document.queryCommandValue("formatBlock").toLowerCase() === "h3"; }
        else { on = document.queryCommandState(TOOLS.filter(function (t) { return t[0] === tool; })[0][1]); }
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    area.addEventListener("input", function () { source.value = area.innerHTML; });
    area.addEventListener("keyup", states);
    area.addEventListener("mouseup", states);
    shell.appendChild(bar);
    shell.appendChild(area);
    source.parentNode.insertBefore(shell, source);
    source.hidden = true;
    if (label) { label.addEventListener("click", function () { area.focus(); }); }
    new MutationObserver(function () {
      area.contentEditable = source.disabled ? "false" : "true";
      buttons.forEach(function (button) { button.disabled = source.disabled; });
    }).observe(source, {attributes: true, attributeFilter: ["disabled"]});
  }

  /* ---------------------------------------------------------------- image */
  function image(widget) {
    var file = widget.querySelector("input[type=file]");
    var preview = widget.querySelector(".image-preview");
    var emptyText = widget.querySelector(".image-empty");
    var remove = widget.querySelector('input[type=checkbox]');
    var original = preview.getAttribute("src");
    if (file) {
      file.addEventListener("change", function () {
        var chosen = file.files && file.files[0];
        if (!chosen) { return; }
        preview.src = URL.createObjectURL(chosen);
        preview.hidden = false;
        emptyText.hidden = true;
        if (remove) { remove.checked = false; }
      });
    }
    if (remove) {
      remove.addEventListener("change", function () {
        preview.hidden = remove.checked;
        emptyText.hidden = !remove.checked;
        if (remove.checked && file && file.value) {
          file.value = "";
          if (original) { preview.src = original; } else { preview.removeAttribute("src"); }
        }
      });
    }
  }

  function start() {
    document.querySelectorAll(".tags-input[data-m2m-model]").forEach(tags);
    document.querySelectorAll("table[data-lines]").forEach(lines);
    document.querySelectorAll("textarea[data-html-editor]").forEach(htmlEditor);
    document.querySelectorAll("[data-image-widget]").forEach(image);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
