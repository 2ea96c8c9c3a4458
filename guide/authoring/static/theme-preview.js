/* The theme page's preview frame: the real widget (guide.js, loaded next) on sample guides.
 * This page answers the widget's requests itself, so nothing is stored and no user is
 * created; the draft theme comes in the query (?theme=<JSON>&mode=light|dark) and the
 * widget's own theme.ts validates it, as it does a theme from the server.
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
  var mode = params.get("mode");
  if (mode === "light" || mode === "dark") {
    theme.mode = mode;
    document.documentElement.setAttribute("data-mode", mode);
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

  document.addEventListener("DOMContentLoaded", function () {
    var Guide = window.Guide;
    Guide.on("ready", function () {
      if (scene === "checklist") Guide.start(checklist);
      else if (scene === "tour") Guide.start(tour);
      else if (scene === "help") Guide.openHelp();
    });
    Guide.init({ appKey: "theme-preview" });
    Guide.identify("theme-preview");
  });
}());
