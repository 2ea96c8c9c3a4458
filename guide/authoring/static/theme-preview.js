/* The theme page's preview frame: the real widget (guide.js, loaded next) on sample guides.
 * This page answers the widget's requests itself, so nothing is stored and no user is
 * created; the draft theme comes in the query (?theme=<JSON>; mode=light|dark: the users'
 * system) for the first paint, then from the theme page (postMessage: from this origin and the parent window
 * only, and only a theme's shape). A new draft goes into the bootstrap answer and the
 * widget asks for it again (Guide.identify with a new trait): it redraws itself with its
 * own theme code (theme.ts validates every value, as it does a theme from the server),
 * in place, without a reload.
 * Runs before guide.js, which keeps the fetch and WebSocket it finds when it loads. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("preview-data").textContent);
  var boot = data.bootstrap, scene = data.scene;
  var params = new URLSearchParams(location.search);
  var theme = {};
  try {
    var given = JSON.parse(params.get("theme") || "{}");
    if (given && typeof given === "object" && !Array.isArray(given)) theme = given;
  } catch (e) { /* a broken draft previews as the default theme */ }
  /* The frame stands for the users whose system is light, or dark (?mode=): it answers the
   * widget's prefers-color-scheme query so, and the theme's own mode then decides, as for
   * those users (no dark variant with `auto`: the light colours, even in the dark frame). */
  var mode = params.get("mode");
  if (mode === "light" || mode === "dark") {
    document.documentElement.setAttribute("data-mode", mode);
    var system = window.matchMedia ? window.matchMedia.bind(window) : null;
    window.matchMedia = function (query) {
      var scheme = /^\s*\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)\s*$/.exec(String(query));
      if (!scheme && system) return system(query);
      var none = function () {};
      return { matches: !!scheme && scheme[1] === mode, media: String(query), onchange: null,
        addEventListener: none, removeEventListener: none, addListener: none, removeListener: none,
        dispatchEvent: function () { return false; } };
    };
  }
  boot.workspace.theme = theme;
  var checklist = boot.guides[0].key, tour = boot.guides[1].key;
  var article = data.article, nudge = data.nudge;

  function answer(body) {
    return Promise.resolve(new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } }));
  }
  window.fetch = function (input, init) {
    var path = new URL(typeof input === "string" ? input : input.url, location.href).pathname;
    if (/\/api\/v1\/widget\/bootstrap$/.test(path)) return answer(boot);
    if (/\/api\/v1\/widget\/events$/.test(path)) {
      var sent = {};
      try { sent = JSON.parse((init && init.body) || "{}"); } catch (e) { /* empty batch */ }
      var results = (sent.envelopes || []).map(function (env) {
        return { ok: true, id: env.id, duplicate: false, progress: {}, completed: [] };
      });
      // Without a socket the widget asks for nudges with its batches: the nudge scene gets one.
      return answer({ ok: true, results: results, nudges: scene === "nudge" && sent.nudges ? [nudge] : [] });
    }
    if (/\/api\/v1\/widget\/help$/.test(path)) return answer({ articles: [article] });
    if (/\/api\/v1\/widget\/help\/[^/]+$/.test(path)) return answer(article);
    return answer({});
  };
  // No socket: the widget falls back to HTTP, answered above.
  window.WebSocket = undefined;

  /* The shape the theme page sends (guide/schemas/theme.py); anything else is dropped. */
  var COLOUR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
  var POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"];
  var MODES = ["auto", "light", "dark"];
  function isObject(v) { return !!v && typeof v === "object" && !Array.isArray(v); }
  function only(v, keys) { return isObject(v) && Object.keys(v).every(function (k) { return keys.indexOf(k) >= 0; }); }
  function palette(v) {
    return only(v, ["accent", "background", "text"]) && Object.keys(v).every(function (k) {
      return typeof v[k] === "string" && COLOUR.test(v[k]);
    });
  }
  function validTheme(t) {
    if (!only(t, ["accent", "background", "text", "radius", "font", "launcher", "mode", "dark"])) return false;
    var colours = {};
    ["accent", "background", "text"].forEach(function (k) { if (k in t) colours[k] = t[k]; });
    var l = t.launcher;
    return palette(colours)
      && (!("radius" in t) || (typeof t.radius === "number" && t.radius % 1 === 0 && t.radius >= 0 && t.radius <= 32))
      && (!("font" in t) || (typeof t.font === "string" && t.font.length <= 200))
      && (!("mode" in t) || MODES.indexOf(t.mode) >= 0)
      && (!("dark" in t) || palette(t.dark))
      && (!("launcher" in t) || (only(l, ["position", "label"])
        && (!("position" in l) || POSITIONS.indexOf(l.position) >= 0)
        && (!("label" in l) || (typeof l.label === "string" && l.label.length >= 1 && l.label.length <= 40))));
  }

  var started = false, revision = 0;
  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || event.source !== window.parent) return;
    var msg = event.data;
    if (!isObject(msg) || msg.type !== "guide:theme" || !validTheme(msg.theme)) return;
    var next = JSON.parse(JSON.stringify(msg.theme));
    if (JSON.stringify(next) === JSON.stringify(boot.workspace.theme)) return;
    boot.workspace.theme = next;
    // The widget's next bootstrap answer has the draft; a new trait asks for one now.
    if (started) window.Guide.identify("theme-preview", { revision: ++revision });
  });

  /* The tour step has a host of its own, themed when a step shows: it takes the custom
   * properties the widget set on its main host each time they change. */
  var VARS = ["--guide-accent", "--guide-bg", "--guide-fg", "--guide-radius", "--guide-font"];
  function follow(root) {
    new MutationObserver(function () {
      document.querySelectorAll("[data-guide-widget]").forEach(function (other) {
        if (other === root) return;
        VARS.forEach(function (name) {
          var value = root.style.getPropertyValue(name);
          if (value) other.style.setProperty(name, value);
          else other.style.removeProperty(name);
        });
      });
    }).observe(root, { attributes: true, attributeFilter: ["style"] });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var Guide = window.Guide;
    Guide.on("ready", function () {
      if (started) return;
      started = true;
      if (scene === "checklist") Guide.start(checklist);
      else if (scene === "tour") Guide.start(tour);
      else if (scene === "help") Guide.openHelp();
      var root = document.getElementById("guide-root");
      if (root) follow(root);
      // Edits made while this frame loaded: the theme page sends the draft again.
      window.parent.postMessage({ type: "guide:preview-ready" }, location.origin);
    });
    Guide.init({ appKey: "theme-preview" });
    Guide.identify("theme-preview");
  });
}());
