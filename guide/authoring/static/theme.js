/* The theme page: the preview frames (light and dark, side by side) follow the form as
 * one edits it, before anything is saved. Each frame is reloaded with the draft theme in
 * its query; the widget in it validates the theme with its own grammar (theme.ts). */
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

  function render() {
    var theme = JSON.stringify(draft());
    frames.forEach(function (frame) {
      var query = new URLSearchParams({ scene: scene.value, mode: frame.getAttribute("data-mode"), theme: theme });
      frame.src = form.getAttribute("data-preview") + "?" + query;
    });
  }

  var timer;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  scene.addEventListener("change", render);
  render();
}());
