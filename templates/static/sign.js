// Progressive enhancement for petition pages. Everything works without this file;
// each feature below only adds to a page that is complete on its own.
(function () {
  "use strict";

  // "Copy link": shown only when the browser can write to the clipboard.
  function initCopyLinks(root) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(
          function () { if (status) status.textContent = "Copied"; },
          function () {
            field.select();
            if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link";
          }
        );
      });
    });
  }

  // Features run in order once the page is parsed. The live count (the element with
  // data-slug and data-api, #count, #progress, #goal) and JSON signing (#sign-form,
  // #sign-status) plug in here as further functions taking the document.
  var features = [initCopyLinks];

  function start() {
    features.forEach(function (feature) { feature(document); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
