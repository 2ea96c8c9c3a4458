/* Acme Analytics page behaviour. Talks to Guide only through its public API
 * (window.Guide.track / openHelp); the loader stub queues calls made before
 * the widget has loaded, and nothing here breaks if Guide is absent. */
(function () {
  "use strict";

  function guide(method) {
    var args = [].slice.call(arguments, 1);
    var G = window.Guide;
    try {
      if (G && typeof G[method] === "function") G[method].apply(G, args);
    } catch (err) {
      if (window.console) console.warn("[Acme] Guide." + method + " failed", err);
    }
  }

  function config() {
    var el = document.getElementById("guide-config");
    try { return el ? JSON.parse(el.textContent) : null; } catch (err) { return null; }
  }

  var toastTimer = null;
  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    el.classList.add("toast-visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      el.classList.remove("toast-visible");
      el.hidden = true;
    }, 3500);
  }

  // Connected integrations survive a reload within the tab, per signed-in user.
  var cfg = config();
  var storageKey = "acme-demo:connected:" + (cfg && cfg.user ? cfg.user.id : "anonymous");
  function connected() {
    try { return JSON.parse(sessionStorage.getItem(storageKey) || "[]"); } catch (err) { return []; }
  }
  function remember(key) {
    var list = connected();
    if (list.indexOf(key) === -1) list.push(key);
    try { sessionStorage.setItem(storageKey, JSON.stringify(list)); } catch (err) { /* private mode */ }
  }
  function markConnected(button) {
    button.textContent = "Connected";
    button.disabled = true;
    button.classList.add("is-connected");
    var card = button.closest(".integration");
    if (card) card.classList.add("integration-connected");
  }

  function onNewDashboard() {
    guide("track", "dashboard_created", {source: "demo"});
    toast("Dashboard created");
  }

  function onConnect(button) {
    var key = button.getAttribute("data-integration");
    markConnected(button);
    remember(key);
    guide("track", "integration_connected", {integration: key});
    var name = document.getElementById("integration-name-" + key);
    toast((name ? name.textContent : key) + " connected");
  }

  // The demo's import always fails, the way a real one fails for a user who is
  // stuck: the product reports it, and Guide's "import-trouble" scenario reaches
  // out after the second failure (content/scenarios.yaml).
  var imports = 0;
  function onImport() {
    imports += 1;
    guide("track", "import_failed", {format: "csv", attempt: imports});
    var error = document.getElementById("import-error");
    if (error) {
      error.textContent = "Import failed: the file has no header row (attempt " + imports + ").";
      error.hidden = false;
    }
  }

  function onInvite(form) {
    var role = form.elements.role ? form.elements.role.value : "member";
    guide("track", "teammate_invited", {role: role});
    toast("Invitation sent to " + form.elements.email.value);
    form.reset();
  }

  // Dashboard views: Overview and Reports switch client-side (an SPA route
  // change through history.pushState); Back/Forward switch them again.
  var VIEWS = {"/demo/dashboard": "overview", "/demo/dashboard/reports": "reports"};
  function showView(path) {
    var name = VIEWS[path.replace(/\/+$/, "")];
    if (!name) return false;
    Object.keys(VIEWS).forEach(function (p) {
      var key = VIEWS[p];
      var view = document.getElementById("view-" + key);
      var tab = document.getElementById("tab-" + key);
      if (view) view.hidden = key !== name;
      if (tab) {
        if (key === name) tab.setAttribute("aria-current", "page");
        else tab.removeAttribute("aria-current");
      }
    });
    document.title = (name === "reports" ? "Reports" : "Dashboard") + " · Acme Analytics";
    return true;
  }
  function onTab(event, tab) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) return;
    var path = new URL(tab.href, location.href).pathname;
    event.preventDefault();
    if (path !== location.pathname) history.pushState({view: path}, "", path);
    showView(path);
  }

  // "Weekly insights" arrives two seconds after load, like a lazily loaded widget.
  function renderInsights() {
    var slot = document.getElementById("insights-slot");
    if (!slot || document.getElementById("insights")) return;
    var card = document.createElement("section");
    card.className = "card insights";
    card.id = "insights";
    card.setAttribute("aria-labelledby", "insights-title");
    var title = document.createElement("h2");
    title.id = "insights-title";
    title.textContent = "Weekly insights";
    var text = document.createElement("p");
    text.className = "muted";
    text.textContent = "Sessions from organic search grew 14% this week; conversion dipped on mobile.";
    card.appendChild(title);
    card.appendChild(text);
    slot.appendChild(card);
  }

  function init() {
    var done = connected();
    if (document.getElementById("insights-slot")) setTimeout(renderInsights, 2000);
    window.addEventListener("popstate", function () { showView(location.pathname); });
    document.querySelectorAll("[data-integration]").forEach(function (button) {
      if (done.indexOf(button.getAttribute("data-integration")) !== -1) markConnected(button);
    });

    document.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      if (target.closest("#new-dashboard")) return onNewDashboard();
      if (target.closest("#open-help")) return guide("openHelp");
      if (target.closest("#export")) return toast("Export started: you will get an email");
      if (target.closest("#import-csv")) return onImport();
      var tab = target.closest("#dashboard-tabs a");
      if (tab) return onTab(event, tab);
      var connect = target.closest("[data-integration]");
      if (connect && !connect.disabled) onConnect(connect);
    });

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.id === "invite-form") { event.preventDefault(); onInvite(form); }
      if (form.id === "profile-form") { event.preventDefault(); toast("Profile saved"); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
