/* The theme page: the preview frames (light and dark, side by side) follow the form as
 * one edits it, before anything is saved, without reloading (theme-preview.js takes the
 * posted draft); the widget in them validates the theme with its own grammar (theme.ts). */
(function () {
  "use strict";
  var form = document.getElementById("theme-form");
  var scene = document.getElementById("theme-scene");
  if (!form || !scene) return;
  var frames = document.querySelectorAll(".theme-frames iframe");
  var COLOURS = ["accent", "background", "text"];

  function value(name) {
    var el = form.elements.namedItem(name);
    return el ? String(el.value || "").trim() : "";
  }

  /* The same mapping as the server's form_theme (guide/authoring/views_theme.py). */
  function draft() {
    var theme = {};
    COLOURS.concat(["font", "mode"]).forEach(function (k) { if (value(k)) theme[k] = value(k); });
    if (value("radius")) theme.radius = /^\d+$/.test(value("radius")) ? Number(value("radius")) : value("radius");
    var launcher = {};
    ["position", "label"].forEach(function (k) { if (value("launcher_" + k)) launcher[k] = value("launcher_" + k); });
    if (Object.keys(launcher).length) theme.launcher = launcher;
    if (form.elements.namedItem("dark_enabled").checked) {
      theme.dark = {};
      COLOURS.forEach(function (k) { if (value("dark_" + k)) theme.dark[k] = value("dark_" + k); });
    }
    return theme;
  }

  /* The frames load once per scene, with the last accepted draft in the query (their first
   * paint); after that each accepted draft is posted to them (postMessage, to this origin
   * only) and the widget in them re-themes itself in place, without a reload. */
  var origin = location.origin;
  var refused = document.getElementById("theme-refused");
  var accepted = null, loaded = false, asked = 0;

  function post(frame) {
    if (accepted && frame.contentWindow) frame.contentWindow.postMessage({ type: "guide:theme", theme: accepted }, origin);
  }

  function load() {
    loaded = true;
    frames.forEach(function (frame) {
      var query = new URLSearchParams({ scene: scene.value, mode: frame.getAttribute("data-mode"), theme: JSON.stringify(accepted || {}) });
      frame.src = form.getAttribute("data-preview") + "?" + query;
    });
  }

  /* Each draft goes through the server's check (the one Save runs: format and WCAG
   * contrast) first: a refused draft is not previewed, its reasons show instead. */
  function render() {
    var mine = ++asked;
    var query = new URLSearchParams({ theme: JSON.stringify(draft()) });
    fetch(form.getAttribute("data-check") + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (answer) {
        if (mine !== asked) return; // a newer draft was sent meanwhile
        if (answer.ok) {
          accepted = answer.body;
          refused.textContent = "";
          if (loaded) frames.forEach(post);
        } else {
          var error = answer.body.error || {};
          var reasons = [];
          Object.keys(error.fields || {}).forEach(function (k) { reasons = reasons.concat(error.fields[k]); });
          refused.textContent = refused.getAttribute("data-prefix") + " " + (reasons.join(" ") || error.message || "");
        }
        if (!loaded) load();
      })
      .catch(function () { if (!loaded) load(); });
  }

  /* A frame whose widget is ready asks for the draft (edits made while it loaded). */
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "guide:preview-ready") return;
    frames.forEach(function (frame) { if (frame.contentWindow === event.source) post(frame); });
  });

  /* Each frame's caption: whether its users see the other scheme's colours (the widget's
   * rule, theme.ts: `auto` follows the system only with a dark variant). */
  function captions() {
    var theme = draft(), mode = theme.mode || "auto";
    var other = { light: mode === "dark", dark: mode === "light" || (mode === "auto" && !theme.dark) };
    frames.forEach(function (frame) {
      var note = frame.parentNode.querySelector("figcaption");
      if (note) note.textContent = note.getAttribute(other[frame.getAttribute("data-mode")] ? "data-other" : "data-plain");
    });
  }

  var timer;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("change", captions);
  captions();
  scene.addEventListener("change", load);
  render();
}());
