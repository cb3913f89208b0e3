// The documents panel: drop files to upload them, confirm before deleting; the panel is
// refreshed in place after an upload. Without JavaScript the plain forms still work.
(function () {
  "use strict";
  if (window.comptoirAttachments) return;
  window.comptoirAttachments = true;

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var field = document.querySelector('.attachment-upload input[name="csrf_token"]');
    return meta ? meta.content : (field ? field.value : "");
  }

  function refresh(panel) {
    return fetch(panel.dataset.panelUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#attachments");
        if (fresh) { panel.replaceWith(fresh); bind(fresh); }
        var live = document.getElementById("client-messages");
        if (live && fresh) live.textContent = fresh.querySelector("h2").textContent.trim();
      });
  }

  function upload(panel, form, files) {
    var error = form.querySelector(".field-error");
    var data = new FormData();
    ["res_model", "res_id", "csrf_token"].forEach(function (name) {
      data.append(name, form.elements[name].value);
    });
    Array.prototype.forEach.call(files, function (file) { data.append("files", file); });
    form.classList.add("busy");
    return fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                               headers: {"Accept": "application/json", "X-CSRF-Token": token()}})
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (result) {
        form.classList.remove("busy");
        if (result[0]) return refresh(panel);
        error.textContent = (result[1].error || {}).message || "Upload failed.";
        error.hidden = false;
      })
      .catch(function () { form.classList.remove("busy"); form.submit(); });
  }

  function bind(panel) {
    var form = panel.querySelector(".attachment-upload");
    if (form) {
      var zone = form.querySelector(".dropzone");
      ["dragenter", "dragover"].forEach(function (type) {
        panel.addEventListener(type, function (event) {
          event.preventDefault(); zone.classList.add("dragging");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        panel.addEventListener(type, function () { zone.classList.remove("dragging"); });
      });
      panel.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          upload(panel, form, event.dataTransfer.files);
        }
      });
      form.addEventListener("submit", function (event) {
        var input = form.querySelector('input[type="file"]');
        if (!input.files.length) return;
        event.preventDefault();
        upload(panel, form, input.files);
      });
    }
    panel.querySelectorAll("form[data-confirm]").forEach(function (del) {
      del.addEventListener("submit", function (event) {
        if (!window.confirm(del.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function start() {
    var panel = document.getElementById("attachments");
    if (panel) bind(panel);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
