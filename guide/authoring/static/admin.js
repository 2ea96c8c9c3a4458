/* Guide admin: the little JavaScript the server-rendered pages need.
 * - confirm buttons (data-confirm), the rename dialog;
 * - the step list: add, remove, reorder; field names renumbered before submit;
 * - live Markdown preview (the server renders and sanitizes, exactly as for the widget);
 * - the element picker: a tiny Socket.IO (Engine.IO v4, WebSocket only) client on /admin;
 * - Preview: opens the URL the server returns (the CSP's form-action keeps a form in 'self').
 */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" }
    });
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  /* ---- steps ---- */
  var editor = document.getElementById("editor");
  var steps = document.getElementById("steps");

  function renumber() {
    if (!steps) return;
    var list = steps.querySelectorAll("fieldset.step");
    list.forEach(function (step, index) {
      step.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace(/^steps-(\d+|__i__)-/, "steps-" + index + "-");
      });
    });
    editor.querySelector('[name="step_count"]').value = String(list.length);
  }

  function addStep() {
    var template = document.getElementById("step-template");
    var node = template.content.firstElementChild.cloneNode(true);
    steps.appendChild(node);
    renumber();
    wireMarkdown(node);
    var id = node.querySelector('[name$="-id"]');
    id.value = "step-" + (steps.children.length);
    id.focus();
  }

  if (editor) {
    editor.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      var step = button.closest("fieldset.step");
      if (action === "add-step") addStep();
      else if (action === "remove" && step) { step.remove(); renumber(); }
      else if (action === "up" && step && step.previousElementSibling) { steps.insertBefore(step, step.previousElementSibling); renumber(); }
      else if (action === "down" && step && step.nextElementSibling) { steps.insertBefore(step.nextElementSibling, step); renumber(); }
      else if (action === "rename") openRename(button.getAttribute("data-step-id"));
      else if (action === "pick" && step) startPick(step.querySelector("[data-pick-target]"));
    });
    editor.addEventListener("submit", renumber);
  }

  function openRename(stepId) {
    var dialog = document.getElementById("rename-dialog");
    if (!dialog) return;
    dialog.querySelector('[name="old_id"]').value = stepId;
    dialog.querySelector("[data-old-id]").textContent = stepId;
    dialog.querySelector('[name="new_id"]').value = stepId;
    dialog.showModal();
    dialog.querySelector('[data-action="close"]').onclick = function () { dialog.close(); };
  }

  /* ---- Markdown preview ---- */
  function wireMarkdown(root) {
    if (!editor) return;
    var url = editor.getAttribute("data-markdown-url");
    root.querySelectorAll("textarea[data-markdown]").forEach(function (area) {
      var target = area.closest(".md").querySelector(".md-preview");
      var timer = null, seq = 0;
      function render() {
        var mine = ++seq;
        post(url, { text: area.value }).then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { if (mine === seq) target.innerHTML = html; })  // sanitized by the server (nh3)
          .catch(function () {});
      }
      area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 250); });
      if (area.value) render();
    });
  }
  if (editor) wireMarkdown(editor);

  /* ---- element picker over Socket.IO ---- */
  var NS = "/admin";
  var socket = null, connected = false, queue = [], acks = {}, nextAck = 1, watched = {};

  function send(event, data, ack) {
    var id = "";
    if (ack) { id = String(nextAck++); acks[id] = ack; }
    var packet = "42" + NS + "," + id + JSON.stringify([event, data]);
    if (connected) socket.send(packet); else queue.push(packet);
  }

  function connect() {
    if (socket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/socket.io/?EIO=4&transport=websocket");
    socket.onmessage = function (m) {
      var d = String(m.data);
      if (d[0] === "0") socket.send("40" + NS + ",");
      else if (d === "2") socket.send("3");
      else if (d.indexOf("40" + NS) === 0) {
        connected = true;
        Object.keys(watched).forEach(function (t) { send("picker:watch", { token: t }); });
        queue.splice(0).forEach(function (p) { socket.send(p); });
      } else if (d.indexOf("44" + NS) === 0) status(word("refused", "The live connection was refused: sign in again."));
      else if (d.indexOf("42" + NS + ",") === 0) {
        var msg = JSON.parse(d.slice(NS.length + 3));
        if (msg[0] === "picker:selected") picked(msg[1]);
      } else if (d.indexOf("43" + NS + ",") === 0) {
        var rest = d.slice(NS.length + 3), at = rest.indexOf("[");
        var cb = acks[rest.slice(0, at)];
        if (cb) { delete acks[rest.slice(0, at)]; cb(JSON.parse(rest.slice(at))[0]); }
      }
    };
    socket.onclose = function () {
      socket = null; connected = false;
      if (Object.keys(watched).length) setTimeout(connect, 2000);
    };
  }

  // The page's words in the admin's language (data-* on #pick-status, from gettext).
  function word(key, english) {
    var el = document.getElementById("pick-status");
    return (el && el.getAttribute("data-" + key)) || english;
  }

  function status(text) {
    var el = document.getElementById("pick-status");
    if (!el) return;
    el.textContent = text; el.hidden = !text;
  }

  function startPick(input) {
    if (!input) return;
    if (!input.dataset.uid) input.dataset.uid = "t" + Math.random().toString(36).slice(2, 10);
    var win = window.open("about:blank", "_blank");
    post(editor.getAttribute("data-pick-url"), { field: input.dataset.uid })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (!res.token) { if (win) win.close(); status((res.error && res.error.message) || word("failed", "Could not start picking.")); return; }
        watched[res.token] = true;
        connect();
        send("picker:watch", { token: res.token }, function () {});
        if (win) win.location = res.url; else window.open(res.url, "_blank");
        status(word("click", "Click an element in the product tab; its selector appears here."));
      });
  }

  /* ---- Preview: the draft in the product, in a new tab ----
   * The server answers with the preview URL (JSON) and the tab goes there: a form's
   * redirect to the product's origin would be refused by the admin's CSP (form-action). */
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-open-preview]");
    if (!form) return;
    e.preventDefault();
    var win = window.open("about:blank", "_blank");
    post(form.action, {})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (!res.url) throw new Error((res.error && res.error.message) || "");
        if (win) win.location = res.url; else window.open(res.url, "_blank");
      })
      .catch(function (error) {
        if (win) win.close();
        status(error.message || form.getAttribute("data-failed"));
      });
  });

  function picked(data) {
    var input = document.querySelector('[data-uid="' + (data.field || "").replace(/[^\w-]/g, "") + '"]');
    if (!input) return;
    input.value = data.selector;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
    status("Picked " + data.selector + (data.url ? " on " + data.url : "") + ". Save to keep it.");
  }

  window.GuideAdmin = { picked: picked, connect: connect };
})();
