/* While the check or the import is under way: ask the server every second how far it
   has got, move the bar; once it has ended, reload the page (which shows the result). */
(function () {
    "use strict";
    var root = document.querySelector("[data-import-batch]");
    if (!root) { return; }
    var url = root.getAttribute("data-status-url");
    var bar = root.querySelector("[data-import-progress]");
    var text = root.querySelector("[data-import-progress-text]");
    var label = root.querySelector("[data-import-status]");
    var busy = ["uploaded", "checking", "running"];
    function poll() {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (body) {
                if (body) {
                    bar.max = body.total;
                    bar.value = body.done;
                    text.textContent = body.text;
                    label.textContent = body.status_label;
                    if (busy.indexOf(body.status) === -1) {
                        window.location.reload();
                        return;
                    }
                }
                window.setTimeout(poll, 1000);
            })
            .catch(function () { window.setTimeout(poll, 1000); });
    }
    window.setTimeout(poll, 1000);
})();
