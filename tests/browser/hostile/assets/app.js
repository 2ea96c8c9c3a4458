/* Borealis page behaviour. Talks to Guide only through its public API and never
 * assumes it is there (with an element named Guide, window.Guide is that element). */
(function () {
  "use strict";

  function guide(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    var G = window.Guide;
    if (G && typeof G[method] === "function") G[method].apply(G, args);
  }

  var counters = (window.__borealis = { submits: 0, imports: 0 });

  var VIEWS = { "/demo/dashboard": "overview", "/demo/dashboard/reports": "reports" };
  function showView(path) {
    var name = VIEWS[path.replace(/\/+$/, "")];
    if (!name) return;
    Object.keys(VIEWS).forEach(function (p) {
      var key = VIEWS[p];
      var view = document.getElementById("view-" + key);
      if (view) view.hidden = key !== name;
    });
  }

  function renderInsights() {
    var slot = document.getElementById("insights-slot");
    if (!slot || document.getElementById("insights")) return;
    var card = document.createElement("section");
    card.className = "card";
    card.id = "insights";
    var title = document.createElement("h2");
    title.textContent = "Weekly insights";
    card.appendChild(title);
    slot.appendChild(card);
  }

  function onClick(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("#new-dashboard")) return guide("track", "dashboard_created", { source: "borealis" });
    if (target.closest("#open-help")) {
      event.preventDefault();
      return guide("openHelp");
    }
    if (target.closest("#import-csv")) {
      counters.imports += 1;
      guide("track", "import_failed", { format: "csv", attempt: counters.imports });
      var error = document.getElementById("import-error");
      error.textContent = "Import failed (attempt " + counters.imports + ").";
      error.hidden = false;
      return;
    }
    if (target.closest("#open-dialog")) return document.getElementById("host-dialog").showModal();
    if (target.closest("#dialog-cancel")) return document.getElementById("host-dialog").close();
    var connect = target.closest("[data-integration]");
    if (connect && !connect.disabled) {
      connect.disabled = true;
      connect.value = "Connected";
      return guide("track", "integration_connected", { integration: connect.getAttribute("data-integration") });
    }
    var tab = target.closest("#dashboard-tabs a");
    if (tab) {
      event.preventDefault();
      var url = new URL(tab.href, location.href);
      if (url.pathname !== location.pathname) history.pushState({ view: url.pathname }, "", url.pathname + url.search);
      showView(url.pathname);
    }
  }

  function onSubmit(event) {
    var form = event.target;
    event.preventDefault();
    if (form.id === "dialog-form") {
      counters.submits += 1;
      document.getElementById("submits").textContent = String(counters.submits);
    }
  }

  function init() {
    if (document.getElementById("insights-slot")) setTimeout(renderInsights, 500);
    window.addEventListener("popstate", function () { showView(location.pathname); });
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
