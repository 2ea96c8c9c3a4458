/* An AMD loader on the page (flag amd=1): a UMD bundle that checks
 * `typeof define === "function" && define.amd` registers itself here instead of
 * on window. */
(function () {
  var modules = {};
  function define(name, deps, factory) {
    if (typeof name !== "string") { factory = deps; deps = name; name = "anonymous"; }
    if (typeof deps === "function") { factory = deps; deps = []; }
    modules[name] = typeof factory === "function" ? factory() : factory;
  }
  define.amd = { jQuery: true };
  window.define = define;
  window.require = function (deps, callback) {
    var list = typeof deps === "string" ? [deps] : deps;
    var found = [];
    for (var i = 0; i < list.length; i++) found.push(modules[list[i]]);
    if (typeof callback === "function") callback.apply(null, found);
    return found[0];
  };
  window.__amdModules = modules;
})();
