/* Pivot rows fold and unfold one by one: a row heading with nested rows below gets a
   button (aria-expanded) that hides or shows them, whatever the depth. The levels
   themselves (expand by / collapse) are server side. */
(function () {
  "use strict";
  function depth(row) {
    var match = /level-(\d+)/.exec(row.className);
    return match ? parseInt(match[1], 10) : 0;
  }
  function descendants(row) {
    var result = [], level = depth(row), next = row.nextElementSibling;
    while (next && depth(next) > level) { result.push(next); next = next.nextElementSibling; }
    return result;
  }
  function setup(table) {
    if (table.hasAttribute("data-foldable")) { return; }  // the script may be included twice
    table.setAttribute("data-foldable", "1");
    var label = table.getAttribute("data-toggle-label") || "Fold";
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (!descendants(row).length) { return; }
      var heading = row.querySelector("th");
      var button = document.createElement("button");
      button.type = "button"; button.className = "pivot-toggle";
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("aria-label", label + " " + heading.textContent.trim());
      button.textContent = "▾";
      heading.insertBefore(button, heading.firstChild);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.textContent = open ? "▾" : "▸";
        descendants(row).forEach(function (child) {
          child.hidden = !open;
          var inner = child.querySelector(".pivot-toggle");
          if (inner && open) { inner.setAttribute("aria-expanded", "true"); inner.textContent = "▾"; }
        });
      });
    });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.pivot-table"), setup);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
