/* Borealis (the hostile host): loaded first. Collects what the page's own code
 * can observe, for the tests: CSP violations and errors thrown into the page. */
(function () {
  "use strict";
  var probe = (window.__probe = {
    errors: [], completed: [], progress: [], ready: 0, nudges: [], tour: [], ends: [],
    csp: [], api: null,
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    probe.csp.push({ uri: String(e.blockedURI), directive: String(e.effectiveDirective || e.violatedDirective) });
  });
})();
