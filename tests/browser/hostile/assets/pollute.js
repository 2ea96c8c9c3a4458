/* What legacy libraries leave on the built-ins before any other script runs
 * (flag pollute=1). Each line is something a real product still ships. */
(function () {
  // Prototype 1.6: arrays, strings, numbers and dates serialize themselves to JSON
  // *text*, so JSON.stringify([1, 2]) is the string "[1, 2]", not an array.
  Array.prototype.toJSON = function () {
    return "[" + this.map(function (x) { return JSON.stringify(x); }).join(", ") + "]";
  };
  String.prototype.toJSON = function () {
    return '"' + String(this).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  };
  Number.prototype.toJSON = function () {
    return isFinite(this) ? this.toString() : "null";
  };
  Date.prototype.toJSON = function () {
    return '"' + this.getUTCFullYear() + "-" + (this.getUTCMonth() + 1) + "-" + this.getUTCDate() + "T" +
      this.getUTCHours() + ":" + this.getUTCMinutes() + ":" + this.getUTCSeconds() + 'Z"';
  };

  // Enumerable properties on Object.prototype (no toJSON): every for-in loop sees them.
  Object.prototype.legacyVersion = "1.2.4";
  Object.prototype.extendWith = function (other) {
    for (var k in other) if (Object.prototype.hasOwnProperty.call(other, k)) this[k] = other[k];
    return this;
  };

  // Old MooTools-style extensions: enumerable methods on arrays and functions.
  Array.prototype.contains = function (item) { return this.indexOf(item) !== -1; };
  Array.prototype.each = function (fn, bind) {
    for (var i = 0; i < this.length; i++) fn.call(bind, this[i], i, this);
    return this;
  };
  Array.prototype.erase = function (item) {
    for (var i = this.length; i--;) if (this[i] === item) this.splice(i, 1);
    return this;
  };
  Function.prototype.pass = function (args, bind) {
    var self = this;
    return function () { return self.apply(bind, args || []); };
  };
  Function.prototype.delay = function (ms, bind, args) {
    return setTimeout(this.pass(args, bind), ms);
  };
})();
