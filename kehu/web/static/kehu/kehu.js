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

// Ctrl+Enter (⌘+Enter on a Mac) submits a [data-ctrl-enter] form from any of its fields;
// requestSubmit() fires the submit event, so htmx-powered forms go through htmx.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // [data-autofocus]: focus on screens wide enough to show it without scrolling away
  // from the top of the page (native autofocus would scroll a phone to the middle).
  function autofocus(root) {
    if (!window.matchMedia("(min-width: 981px)").matches) return;
    var field = (root || document).querySelector("[data-autofocus]");
    if (field && document.activeElement === document.body) field.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { autofocus(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var field = event.target.querySelector && event.target.querySelector("[data-autofocus]");
    if (field && window.matchMedia("(min-width: 981px)").matches) field.focus();
  });

  // A button with data-confirm asks before its form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();

// The order form's lines: add and remove rows, fill a row from the catalogue, show totals.
(function () {
  "use strict";

  function number(input) {
    var value = parseFloat(input && input.value);
    return isFinite(value) ? value : 0;
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function setupFormset(box) {
    var body = box.querySelector("[data-lines]");
    var template = box.querySelector("template[data-line-template]");
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var dataNode = document.getElementById("catalogue-data");
    var catalogue = dataNode ? JSON.parse(dataNode.textContent) : {};
    var orderTotal = box.querySelector("[data-order-total]");
    if (!body || !template || !total) return;

    function recompute() {
      var sum = 0;
      body.querySelectorAll("[data-line]").forEach(function (row) {
        var line = number(field(row, "quantity")) * number(field(row, "unit_price")) - number(field(row, "discount"));
        var cell = row.querySelector("[data-line-total]");
        var filled = field(row, "unit_price").value !== "";
        if (cell) cell.textContent = filled ? line.toFixed(2) : "—";
        if (filled) sum += line;
      });
      if (orderTotal) orderTotal.textContent = sum.toFixed(2);
    }

    box.querySelector("[data-add-line]").addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var rows = body.querySelectorAll("[data-line]");
      var select = field(rows[rows.length - 1], "product");
      if (select) select.focus();
      recompute();
    });

    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-line]");
      if (!button) return;
      var row = button.closest("[data-line]");
      if (body.querySelectorAll("[data-line]").length > 1) {
        row.remove(); // the formset skips the missing index
      } else {
        row.querySelectorAll("input, select").forEach(function (input) { input.value = input.name.endsWith("quantity") ? "1" : ""; });
      }
      recompute();
    });

    body.addEventListener("change", function (event) {
      var select = event.target;
      if (select.name && select.name.endsWith("-product")) {
        var product = catalogue[select.value];
        var row = select.closest("[data-line]");
        if (product && row) {
          field(row, "product_name").value = product.name;
          field(row, "category").value = product.category;
          field(row, "unit_price").value = product.price;
        }
      }
      recompute();
    });
    body.addEventListener("input", recompute);
    recompute();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(setupFormset);
  });
})();

// A rate-limited search (429) answers with a message to show in place of the results:
// htmx leaves 4xx answers unswapped unless told otherwise.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr && event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
