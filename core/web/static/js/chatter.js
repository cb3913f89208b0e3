/* The chatter under forms (views/client/chatter.html) and the inbox: small enhancements
 * over plain forms that work without JavaScript.
 * - forms marked data-chatter-form are posted in place and the chatter is redrawn (or the
 *   page goes where the answer says: the report of an activity just done);
 * - the e-mail composer disables its subject and text while a template is chosen;
 * - the composer's tabs (log a note / send a message) and its @mention suggestions
 *   (a listbox driven from the keyboard: arrows, Enter or Tab to pick, Escape to close);
 * - "Older messages" appends the next page of the timeline;
 * - choosing an activity type proposes its usual due date.
 * What happened is announced in the page's live region. */
(function () {
  "use strict";
  if (window.comptoirChatter) { return; }
  window.comptoirChatter = true;

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var field = document.querySelector('#chatter input[name="csrf_token"]');
    return meta ? meta.content : (field ? field.value : "");
  }
  function say(text) {
    var region = document.getElementById("client-messages");
    if (!region) {
      region = document.createElement("p");
      region.id = "client-messages";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = text;
  }

  /* ------------------------------------------------------------ forms posted in place */
  function refresh(panel, focusSelector) {
    return fetch(panel.dataset.panelUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#chatter");
        if (!fresh) { return; }
        panel.replaceWith(fresh);
        if (window.Comptoir && window.Comptoir.enhance) { window.Comptoir.enhance(fresh); }
        bind(fresh);
        var target = (focusSelector && fresh.querySelector(focusSelector)) ||
          fresh.querySelector("h2");
        if (!/^(TEXTAREA|INPUT|SELECT|BUTTON|A)$/.test(target.tagName)) { target.tabIndex = -1; }
        target.focus({preventScroll: true});
      });
  }

  function showError(form, message) {
    var error = form.querySelector(".field-error");
    if (error) { error.textContent = message; error.hidden = false; } else { window.alert(message); }
    say(message);
  }

  function submitInPlace(panel, form, event) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var composer = form.classList.contains("chatter-composer");
    if (composer) {
      var body = form.querySelector("textarea[name=body]");
      var files = form.querySelector("input[type=file]");
      if (!body.value.trim() && !(files && files.files.length)) {
        event.preventDefault();
        showError(form, form.dataset.emptyLabel || "Write something or attach a file first.");
        body.focus();
        return;
      }
    }
    event.preventDefault();
    var data = new FormData(form);
    form.classList.add("busy");
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"Accept": "application/json", "X-CSRF-Token": token()}})
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (result) {
        form.classList.remove("busy");
        if (!result[0]) {
          showError(form, (result[1].error || {}).message || "Error");
          return;
        }
        if (result[1].redirect) { window.location.assign(result[1].redirect); return; }
        if (form.dataset.done) { say(form.dataset.done); }
        return refresh(panel, form.dataset.focus || (composer ? "#chatter-body" : null));
      })
      .catch(function () { form.classList.remove("busy"); form.submit(); });
  }

  /* ------------------------------------------------------------ composer tabs */
  function tabs(form) {
    var list = form.querySelector("[role=tablist]");
    if (!list) { return; }
    var all = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    var kind = form.querySelector("input[name=kind]");
    var panel = form.querySelector("[role=tabpanel]");
    var label = form.querySelector(".chatter-body-label");
    var submit = form.querySelector(".chatter-submit");
    function select(tab, focus) {
      all.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
      });
      kind.value = tab.dataset.kind;
      panel.setAttribute("aria-labelledby", tab.id);
      label.textContent = tab.dataset.label;
      submit.textContent = tab.dataset.submit;
      form.classList.toggle("is-message", tab.dataset.kind === "message");
      if (focus) { tab.focus(); }
    }
    all.forEach(function (tab, index) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = all[(index + 1) % all.length]; }
        if (event.key === "ArrowLeft") { next = all[(index - 1 + all.length) % all.length]; }
        if (event.key === "Home") { next = all[0]; }
        if (event.key === "End") { next = all[all.length - 1]; }
        if (next) { event.preventDefault(); select(next, true); }
      });
    });
  }

  /* ------------------------------------------------------------ @mentions */
  function mentions(form) {
    var area = form.querySelector("textarea[data-mentions-url]");
    if (!area) { return; }
    var listbox = document.getElementById(area.getAttribute("aria-controls"));
    var options = [];
    var active = -1;
    var query = null;
    var timer = null;
    var picked = [];

    function close() {
      listbox.hidden = true;
      listbox.innerHTML = "";
      options = [];
      active = -1;
      query = null;
      area.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      options.forEach(function (node, i) { node.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (options[index]) { area.setAttribute("aria-activedescendant", options[index].id); }
    }
    function pick(index) {
      var node = options[index];
      if (!node || query === null) { return; }
      var caret = area.selectionStart;
      var start = caret - query.length - 1;
      var name = node.dataset.name;
      area.value = area.value.slice(0, start) + "@" + name + " " + area.value.slice(caret);
      var at = start + name.length + 2;
      area.setSelectionRange(at, at);
      if (!form.querySelector('input[name=mention_ids][value="' + node.dataset.id + '"]')) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "mention_ids";
        hidden.value = node.dataset.id;
        form.appendChild(hidden);
      }
      picked.push(name);
      say(name);
      close();
      area.focus();
    }
    function show(results) {
      listbox.innerHTML = "";
      options = results.map(function (person, i) {
        var li = document.createElement("li");
        li.id = "chatter-mention-" + person.id;
        li.setAttribute("role", "option");
        li.dataset.id = person.id;
        li.dataset.name = person.name;
        li.textContent = person.name;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        listbox.appendChild(li);
        return li;
      });
      listbox.hidden = !options.length;
      if (options.length) { highlight(0); } else { area.removeAttribute("aria-activedescendant"); }
      say((area.dataset.foundLabel || "%s").replace("%s", options.length));
    }
    function lookup() {
      var before = area.value.slice(0, area.selectionStart);
      var match = /(?:^|\s)@([^@\n]{0,40})$/.exec(before);
      if (!match || /\s{2}|^\s/.test(match[1]) || match[1].split(/\s+/).length > 3) { close(); return; }
      if (picked.some(function (name) { return match[1].indexOf(name + " ") === 0; })) {
        close();  // a mention already completed, followed by more text
        return;
      }
      query = match[1];
      clearTimeout(timer);
      timer = setTimeout(function () {
        var asked = query;
        fetch(area.dataset.mentionsUrl + "?q=" + encodeURIComponent(asked.trim()),
              {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (results) { if (query === asked) { show(results); } });
      }, 150);
    }
    area.addEventListener("input", lookup);
    area.addEventListener("keydown", function (event) {
      if (listbox.hidden || !options.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % options.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + options.length) % options.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); pick(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 200); });
  }

  /* ------------------------------------------------------------ activity types, older */
  function activityTypes(root) {
    root.querySelectorAll("select[data-activity-type]").forEach(function (select) {
      var form = select.form;
      var date = form.querySelector("input[name=date_deadline]");
      var summary = form.querySelector("input[name=summary]");
      function propose() {
        var option = select.options[select.selectedIndex];
        if (!option) { return; }
        if (summary) { summary.placeholder = option.dataset.summary || ""; }
        if (date && date.dataset.today && !date.dataset.touched) {
          var day = new Date(date.dataset.today + "T12:00:00Z");
          day.setUTCDate(day.getUTCDate() + parseInt(option.dataset.delay || "0", 10));
          date.value = day.toISOString().slice(0, 10);
        }
      }
      if (date) { date.addEventListener("change", function () { date.dataset.touched = "1"; }); }
      select.addEventListener("change", propose);
      if (date && date.dataset.today && !date.value) { propose(); }
    });
  }

  function older(panel) {
    var link = panel.querySelector(".chatter-more");
    if (!link) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var more = false;
      fetch(link.href + "&fragment=1", {credentials: "same-origin"})
        .then(function (r) { more = r.headers.get("X-Has-More") === "1"; return r.text(); })
        .then(function (html) {
          var list = panel.querySelector(".chatter-timeline");
          var holder = document.createElement("ol");
          holder.innerHTML = html;
          var added = holder.children.length;
          var first = holder.firstElementChild;
          while (holder.firstChild) { list.appendChild(holder.firstChild); }
          var offset = parseInt(/offset=(\d+)/.exec(link.href)[1], 10) + added;
          if (!more) { link.parentNode.remove(); }
          else { link.href = link.href.replace(/offset=\d+/, "offset=" + offset); }
          if (first) { first.tabIndex = -1; first.focus(); }
        });
    });
  }

  /* ------------------------------------------------------------ e-mail composer */
  function emailComposer(form) {
    var template = form.querySelector("select[name=template_id]");
    if (!template) { return; }
    var own = form.querySelectorAll("input[name=subject], textarea[name=body]");
    function sync() {
      own.forEach(function (field) {
        field.disabled = !!template.value;
        field.closest(".field").classList.toggle("is-disabled", !!template.value);
      });
    }
    template.addEventListener("change", sync);
    sync();
  }

  function bind(panel) {
    panel.querySelectorAll("form[data-chatter-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) { submitInPlace(panel, form, event); });
    });
    panel.querySelectorAll("form.chatter-composer").forEach(function (form) {
      tabs(form);
      mentions(form);
    });
    panel.querySelectorAll("form.chatter-email-form").forEach(emailComposer);
    activityTypes(panel);
    older(panel);
  }

  function start() {
    var panel = document.getElementById("chatter");
    if (panel) { bind(panel); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
