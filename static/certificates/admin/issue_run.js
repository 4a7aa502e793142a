/* An issue run's page: asks the server every second how far the run has got, moves the
   progress bar and updates the text read out by screen readers; once the run is done or has
   failed it stops and reloads the page, which then shows the links (or "Start again"). */
(function () {
    "use strict";

    var root = document.querySelector("[data-issue-run]");
    if (!root) {
        return;
    }
    var status = root.getAttribute("data-status");
    if (status !== "queued" && status !== "running") {
        return;
    }
    var url = root.getAttribute("data-status-url");
    var bar = root.querySelector("[data-run-progress]");
    var text = root.querySelector("[data-run-text]");
    var label = root.querySelector("[data-run-status]");

    function show(body) {
        var max = body.total > 0 ? body.total : 1;
        var value = body.total > 0 ? Math.min(body.issued, body.total) : body.status === "done" ? 1 : 0;
        bar.max = max;
        bar.value = value;
        bar.textContent = body.percent + " %";
        if (text.textContent !== body.text) {
            text.textContent = body.text;
        }
        label.textContent = body.status_label;
    }

    function poll() {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) {
                return response.ok ? response.json() : null;
            })
            .then(function (body) {
                if (!body) {
                    window.setTimeout(poll, 1000);
                    return;
                }
                show(body);
                if (body.status === "done" || body.status === "failed") {
                    window.location.reload();
                    return;
                }
                window.setTimeout(poll, 1000);
            })
            .catch(function () {
                window.setTimeout(poll, 1000);
            });
    }
    window.setTimeout(poll, 1000);
})();
