// Progressive enhancement only: every page works without this file.
// Turns [data-tabs] containers (a strip of anchor links + panels) into real tabs,
// opening the first panel that holds an error, or the one named in the URL hash.
(function () {
  "use strict";

  function setupTabs(container) {
    var links = Array.prototype.slice.call(container.querySelectorAll("[data-tab]"));
    if (!links.length) return;
    container.classList.add("js-tabs");

    function show(id) {
      links.forEach(function (link) {
        var panel = document.getElementById(link.dataset.tab);
        var active = link.dataset.tab === id;
        link.setAttribute("aria-selected", active ? "true" : "false");
        if (panel) panel.hidden = !active;
      });
    }

    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.dataset.tab);
      });
    });

    var withError = container.querySelector(".tabpanel.has-error");
    var fromHash = location.hash && container.querySelector(location.hash.replace(/[^#\w-]/g, ""));
    var first = withError || (fromHash && fromHash.classList.contains("tabpanel") ? fromHash : null);
    show(first ? first.id : links[0].dataset.tab);
  }

  function init(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-tabs]:not(.js-tabs)"), setupTabs);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
