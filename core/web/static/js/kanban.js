/* Kanban drag and drop: SortableJS moves the card, the server writes its group field.
   Without JavaScript (or from the keyboard) each card's "Move to…" form does the same. */
(function () {
  "use strict";
  var board = document.querySelector(".kanban-board[data-draggable]");
  if (!board || !window.Sortable) { return; }
  var token = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("kanban-status");

  function announce(message, isError) {
    status.textContent = message;
    status.classList.toggle("kanban-status-error", !!isError);
  }

  function columnLabel(list) {
    var column = list.closest(".kanban-column");
    var title = column && column.querySelector(".kanban-column-title");
    return title ? title.textContent.trim() : "";
  }

  function updateCounts(counts) {
    board.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var count = counts[badge.getAttribute("data-count-for")] || 0;
      badge.textContent = count;
    });
  }

  function putBack(event) {
    var sibling = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, sibling);
  }

  function moved(event) {
    var card = event.item;
    var value = event.to.getAttribute("data-group-value");
    var body = {
      record_id: Number(card.getAttribute("data-id")),
      group_value: value,
      version: Number(card.getAttribute("data-version")),
      g: board.getAttribute("data-group-by")
    };
    card.setAttribute("aria-busy", "true");
    fetch(board.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": token ? token.content : ""
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.ok) {
          var error = data.error && (data.error.message || data.error);
          throw new Error(error || response.statusText || "Error");
        }
        return data;
      });
    }).then(function (data) {
      card.setAttribute("data-version", data.version);
      var form = card.querySelector(".kanban-move form");
      if (form) {
        form.elements.version.value = data.version;
        form.elements.group_value.value = value;
      }
      updateCounts(data.column_counts || {});
      var title = card.querySelector(".kanban-card-title");
      announce((title ? title.textContent.trim() : "") + " → " + columnLabel(event.to), false);
    }).catch(function (error) {
      putBack(event);
      announce(error.message, true);
    }).finally(function () {
      card.removeAttribute("aria-busy");
    });
  }

  board.querySelectorAll(".kanban-cards").forEach(function (list) {
    window.Sortable.create(list, {
      group: "kanban",
      sort: false,
      animation: 150,
      draggable: ".kanban-card",
      filter: "details, input, select, button",
      preventOnFilter: false,
      forceFallback: true,
      fallbackOnBody: true,
      ghostClass: "kanban-card-ghost",
      chosenClass: "kanban-card-chosen",
      onAdd: moved
    });
  });
}());
