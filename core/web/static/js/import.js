/* The import wizard, progressive enhancements (the pages work without this file):
 * - a column set to "do not import" is shown muted at once;
 * - while the server tests or imports, the buttons say so and a second click does
 *   nothing (an import of thousands of rows takes a few seconds). */
(function () {
  "use strict";
  var form = document.querySelector("[data-import-form]");
  if (!form) { return; }
  Array.prototype.forEach.call(form.querySelectorAll("select[name^=column_]"), function (select) {
    select.addEventListener("change", function () {
      var row = select.closest("tr");
      if (row) { row.classList.toggle("not-imported", !select.value); }
    });
  });
  var busy = false;
  form.addEventListener("submit", function (event) {
    if (busy) { event.preventDefault(); return; }
    busy = true;
    form.setAttribute("aria-busy", "true");
    var clicked = event.submitter;
    if (clicked && clicked.name === "step") {
      clicked.textContent = form.getAttribute("data-busy") || clicked.textContent;
    }
  });
})();
