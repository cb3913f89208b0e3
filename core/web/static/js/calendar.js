/* The calendar view's drag and drop: drop an event on another day to move it there.
   The server keeps its time of day and duration, and checks its version; on failure the
   event goes back where it was and the message is read out (aria-live). Without this
   script, each event's "Move to date" form does the same. An occurrence of a repeating
   event (data-occurrence) moves alone: the server detaches it from its series.
   The feed page's "Copy" button copies the feed address. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      var status = document.getElementById("feed-copy-status");
      field.select();
      var done = function () { if (status) { status.textContent = button.dataset.copied; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  var root = document.querySelector("[data-calendar]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!root || !meta) { return; }
  var status = document.getElementById("cal-status");
  var dragged = null;

  function announce(text, failed) {
    status.textContent = text;
    status.classList.toggle("is-error", !!failed);
  }

  function dayOf(target) {
    return target && target.closest ? target.closest("[data-calendar] .cal-day[data-date]") : null;
  }

  root.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".cal-event[draggable=true]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });

  root.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    root.querySelectorAll(".is-drop").forEach(function (el) { el.classList.remove("is-drop"); });
  });

  root.addEventListener("dragover", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".is-drop").forEach(function (el) {
      if (el !== day) { el.classList.remove("is-drop"); }
    });
    day.classList.add("is-drop");
  });

  root.addEventListener("drop", function (event) {
    var day = dayOf(event.target);
    var item = dragged;
    if (!day || !item) { return; }
    event.preventDefault();
    day.classList.remove("is-drop");
    var target = day.dataset.date;
    if (target === item.dataset.date) { return; }
    var home = item.parentNode, next = item.nextSibling;
    day.querySelector(".cal-events").appendChild(item);
    day.classList.remove("is-empty");
    fetch(root.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRF-Token": meta.content},
      body: JSON.stringify({record_id: Number(item.dataset.id), date: target,
                            version: Number(item.dataset.version),
                            occurrence: item.dataset.occurrence || null})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || !body.ok) {
          var error = body.error;
          throw new Error((error && error.message) || error || root.dataset.failed);
        }
        var detached = !!item.dataset.occurrence;
        if (detached) {
          var oldId = item.dataset.id;
          item.dataset.id = body.id;
          delete item.dataset.occurrence;
          item.querySelectorAll('input[name="occurrence"]').forEach(function (el) { el.remove(); });
          item.querySelectorAll('input[name="record_id"]').forEach(function (el) { el.value = body.id; });
          item.querySelectorAll("a.cal-event-link").forEach(function (link) {
            link.href = link.href.replace("/" + oldId + "?", "/" + body.id + "?");
          });
          item.querySelectorAll(".cal-repeat, .cal-repeat + .visually-hidden").forEach(function (el) { el.remove(); });
        }
        item.dataset.version = body.version;
        item.dataset.date = target;
        item.querySelectorAll('input[name="version"]').forEach(function (el) { el.value = body.version; });
        item.querySelectorAll('input[type="date"]').forEach(function (el) { el.value = target; });
        var message = detached ? root.dataset.detached : root.dataset.moved;
        announce(message.replace("{date}", day.querySelector(".cal-events").getAttribute("aria-label")), false);
      });
    }).catch(function (error) {
      home.insertBefore(item, next);
      announce(error.message || root.dataset.failed, true);
    });
  });
})();
