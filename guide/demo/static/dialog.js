/* ?dialog=1: "Rename dashboard" opens a modal <dialog> (showModal) holding a
 * form, the way real products ask for a value. Saving counts submissions on
 * the dialog (data-submitted), so tests can tell whether the form was sent. */
(function () {
  "use strict";

  function init() {
    var dialog = document.getElementById("rename-dialog");
    var form = document.getElementById("rename-form");
    if (!dialog || !form) return;
    document.getElementById("open-rename").addEventListener("click", function () {
      dialog.showModal();
    });
    document.getElementById("rename-cancel").addEventListener("click", function () {
      dialog.close();
    });
    form.addEventListener("submit", function () {
      dialog.setAttribute("data-submitted", String(Number(dialog.getAttribute("data-submitted") || 0) + 1));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
