/* Analytics tools (flag analytics=1) wrap fetch, XMLHttpRequest, sendBeacon,
 * WebSocket (a subclass that calls through) and history.pushState/replaceState. */
(function () {
  "use strict";
  var seen = (window.__analytics = { fetch: 0, xhr: 0, beacon: 0, sockets: [], frames: 0, nav: [] });

  var nativeFetch = window.fetch;
  window.fetch = function (input, init) {
    seen.fetch += 1;
    return nativeFetch.apply(this, arguments);
  };

  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function () {
    seen.xhr += 1;
    return open.apply(this, arguments);
  };

  if (navigator.sendBeacon) {
    var beacon = navigator.sendBeacon;
    navigator.sendBeacon = function () {
      seen.beacon += 1;
      return beacon.apply(navigator, arguments);
    };
  }

  var NativeSocket = window.WebSocket;
  class TrackedWebSocket extends NativeSocket {
    constructor(url, protocols) {
      if (protocols === undefined) super(url);
      else super(url, protocols);
      seen.sockets.push(String(url));
    }
    send(data) {
      seen.frames += 1;
      return super.send(data);
    }
  }
  window.WebSocket = TrackedWebSocket;

  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      seen.nav.push(name);
      var result = original.apply(this, arguments);
      window.dispatchEvent(new Event("borealis:navigate"));
      return result;
    };
  });
})();
