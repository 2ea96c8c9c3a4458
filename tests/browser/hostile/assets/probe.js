/* After the embed: the product listens to Guide's events, as the README shows.
 * Guarded: with a DOM element named Guide the stub may have given up. */
(function () {
  "use strict";
  var probe = window.__probe;
  var G = window.Guide;
  if (!G || typeof G.on !== "function") {
    probe.api = "missing";
    return;
  }
  probe.api = "ok";
  try {
    G.on("error", function (e) { probe.errors.push({ code: e && e.code, message: e && e.message }); });
    G.on("step:completed", function (e) { probe.completed.push(e.guide + "/" + e.step); });
    G.on("progress", function (e) { probe.progress.push(e.guide + ":" + e.state); });
    G.on("ready", function () { probe.ready += 1; });
    G.on("nudge", function (e) { probe.nudges.push(String(e.id)); });
    G.on("tour:step", function (e) { probe.tour.push(e.guide + "/" + e.step); });
    G.on("tour:end", function (e) { probe.ends.push(e.guide + ":" + e.state); });
  } catch (err) {
    probe.api = "threw: " + err;
  }
})();
