/* A json2-style JSON.stringify installed over the native one (flag json2=1), the
 * way old bundles did. It honours toJSON, so with Prototype's Array#toJSON loaded
 * an array comes out as a string. Replacer functions are honoured; indentation is not. */
(function () {
  "use strict";
  var escapable = /[\\"\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g;
  var meta = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

  function quote(string) {
    escapable.lastIndex = 0;
    return '"' + string.replace(escapable, function (a) {
      var c = meta[a];
      return typeof c === "string" ? c : "\\u" + ("0000" + a.charCodeAt(0).toString(16)).slice(-4);
    }) + '"';
  }

  function str(key, holder, replacer) {
    var value = holder[key];
    if (value && typeof value === "object" && typeof value.toJSON === "function") value = value.toJSON(key);
    if (typeof replacer === "function") value = replacer.call(holder, key, value);
    switch (typeof value) {
      case "string": return quote(value);
      case "number": return isFinite(value) ? String(value) : "null";
      case "boolean": return String(value);
      case "object": {
        if (!value) return "null";
        var partial = [];
        if (Object.prototype.toString.apply(value) === "[object Array]") {
          for (var i = 0; i < value.length; i += 1) partial[i] = str(i, value, replacer) || "null";
          return "[" + partial.join(",") + "]";
        }
        for (var k in value) {
          if (Object.prototype.hasOwnProperty.call(value, k)) {
            var v = str(k, value, replacer);
            if (v) partial.push(quote(k) + ":" + v);
          }
        }
        return "{" + partial.join(",") + "}";
      }
      default: return undefined;
    }
  }

  JSON.stringify = function (value, replacer) {
    return str("", { "": value }, replacer);
  };
})();
