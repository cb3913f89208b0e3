/* The view editor: SortableJS drags fields between groups (and groups among themselves);
   every move also has a button, so the keyboard does it all. Saving posts the layout as
   JSON: the server turns it into one extension view. */
(function () {
  "use strict";
  var root = document.querySelector(".view-editor");
  if (!root) { return; }
  var palette = document.getElementById("palette");
  var containers = document.getElementById("containers");
  var live = document.getElementById("client-messages");
  var counter = 0;

  function say(text) { if (live) { live.textContent = text; } }

  function makeSortable(list) {
    if (!window.Sortable) { return; }
    window.Sortable.create(list, {group: "fields", animation: 120, handle: ".handle",
                                  onAdd: function (event) { toChip(event.item); }});
  }

  function button(op, text, label) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "button button-small"; b.dataset.op = op;
    b.textContent = text;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden"; hidden.textContent = " " + label;
    b.appendChild(hidden);
    return b;
  }

  function labelOf(item) {
    return item.querySelector(".chip-label").firstChild.textContent.trim();
  }

  // a palette item dropped or added in a group becomes a full chip (and back)
  function toChip(item) {
    if (!item.classList.contains("palette-item")) { return; }
    item.classList.remove("palette-item");
    var actions = item.querySelector(".chip-actions");
    var label = labelOf(item);
    actions.innerHTML = "";
    actions.appendChild(button("up", root.dataset.upLabel, label));
    actions.appendChild(button("down", root.dataset.downLabel, label));
    var toggle = button("toggle", root.dataset.hideLabel, label);
    toggle.setAttribute("aria-pressed", "false");
    actions.appendChild(toggle);
    actions.appendChild(button("remove", root.dataset.removeLabel, label));
  }

  function toPalette(item) {
    item.classList.add("palette-item"); item.classList.remove("is-hidden");
    item.dataset.hidden = "0";
    var actions = item.querySelector(".chip-actions");
    actions.innerHTML = "";
    actions.appendChild(button("add", root.dataset.addLabel, labelOf(item)));
    palette.insertBefore(item, palette.firstChild);
  }

  function lists() { return Array.prototype.slice.call(containers.querySelectorAll(".field-list")); }

  function move(item, step) {
    var sibling = step < 0 ? item.previousElementSibling : item.nextElementSibling;
    var all = lists();
    var index = all.indexOf(item.parentElement);
    if (sibling) {
      item.parentElement.insertBefore(item, step < 0 ? sibling : sibling.nextElementSibling);
    } else if (all[index + step]) {  // past the end of its group: into the next one
      var target = all[index + step];
      if (step < 0) { target.appendChild(item); } else { target.insertBefore(item, target.firstChild); }
    }
    var focus = item.querySelector('[data-op="' + (step < 0 ? "up" : "down") + '"]');
    if (focus) { focus.focus(); }
    say(labelOf(item));
  }

  root.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-op]");
    if (!control) { return; }
    var item = control.closest("li");
    var op = control.dataset.op;
    if (op === "add") {
      var first = lists()[0];
      if (first) { toChip(item); first.appendChild(item); say(labelOf(item)); }
    } else if (op === "remove") {
      toPalette(item); say(labelOf(item));
    } else if (op === "up" || op === "down") {
      move(item, op === "up" ? -1 : 1);
    } else if (op === "toggle" || op === "toggle-group") {
      var hidden = item.dataset.hidden !== "1";
      item.dataset.hidden = hidden ? "1" : "0";
      item.classList.toggle("is-hidden", hidden);
      control.setAttribute("aria-pressed", hidden ? "true" : "false");
      if (op === "toggle") {
        control.firstChild.textContent = hidden ? root.dataset.showLabel : root.dataset.hideLabel;
      }
    }
  });

  var filter = document.getElementById("palette-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var text = filter.value.toLowerCase();
      palette.querySelectorAll("li").forEach(function (li) {
        li.hidden = text && li.textContent.toLowerCase().indexOf(text) < 0;
      });
    });
  }

  var addGroup = document.getElementById("add-group");
  if (addGroup) {
    addGroup.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = document.getElementById("new-group-title");
      var title = input.value.trim();
      if (!title) { input.focus(); return; }
      counter += 1;
      var li = document.createElement("li");
      li.className = "card editor-container";
      li.dataset.key = "new:" + counter; li.dataset.label = title; li.dataset.hidden = "0";
      li.innerHTML = '<div class="container-head"><span class="handle" aria-hidden="true">⋮⋮</span><h3></h3></div><ul class="field-list"></ul>';
      li.querySelector("h3").textContent = title;
      containers.appendChild(li);
      makeSortable(li.querySelector(".field-list"));
      input.value = "";
      say(title);
    });
  }

  document.getElementById("editor-save").addEventListener("submit", function () {
    var layout = {containers: Array.prototype.map.call(
      containers.querySelectorAll(".editor-container"), function (c) {
        return {key: c.dataset.key, label: c.dataset.label || "", hidden: c.dataset.hidden === "1",
                fields: Array.prototype.map.call(c.querySelectorAll(".field-list > li"), function (li) {
                  return {name: li.dataset.name, hidden: li.dataset.hidden === "1"};
                })};
      })};
    document.getElementById("layout-json").value = JSON.stringify(layout);
  });

  var reset = document.querySelector(".editor-reset");
  if (reset) {
    reset.addEventListener("submit", function (event) {
      if (!window.confirm(reset.dataset.confirm)) { event.preventDefault(); }
    });
  }

  function start() {
    lists().forEach(makeSortable);
    if (window.Sortable) {
      window.Sortable.create(palette, {group: {name: "fields", pull: true, put: true},
                                       animation: 120, handle: ".handle", sort: false,
                                       onAdd: function (event) { toPalette(event.item); }});
      if (root.dataset.viewType === "form") {
        window.Sortable.create(containers, {animation: 120, handle: ".container-head .handle"});
      }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
