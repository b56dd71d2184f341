// Keeps an export's progress bar current while the worker loads it, then reloads the
// page to show the result. Without JavaScript the page still offers a refresh link.
(function () {
  "use strict";
  var panel = document.getElementById("export-status");
  if (!panel || panel.dataset.finished === "true") {
    return;
  }
  var find = function (role) {
    return panel.querySelector('[data-role="' + role + '"]');
  };
  var poll = function () {
    fetch(panel.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        find("bar").value = data.percent;
        find("bar").textContent = data.percent + "%";
        find("percent").textContent = data.percent;
        find("rows").textContent = data.rows_processed.toLocaleString();
        find("status").textContent = data.status_label;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 500);
})();
