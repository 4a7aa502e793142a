/* The room QR page: the number of participants who answered, polled every 15 s (counts only),
   and a full-screen button for the projector. */
(function () {
    "use strict";

    var root = document.querySelector("[data-eval-qr]");
    if (!root) {
        return;
    }
    var stage = root.querySelector("[data-eval-stage]");
    var counter = root.querySelector("[data-answered]");
    var template = counter.getAttribute("data-template");
    var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 15;

    function show(body) {
        counter.textContent = template
            .replace("%(submitted)s", String(body.submitted))
            .replace("%(eligible)s", String(body.eligible));
    }

    function poll() {
        fetch(root.getAttribute("data-status-url"), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
        })
            .then(function (response) {
                return response.ok ? response.json() : null;
            })
            .then(function (body) {
                if (body) {
                    show(body);
                }
            })
            .catch(function () {})
            .then(function () {
                window.setTimeout(poll, seconds * 1000);
            });
    }
    window.setTimeout(poll, seconds * 1000);

    var full = root.querySelector("[data-eval-fullscreen]");
    if (full && stage.requestFullscreen) {
        full.hidden = false;
        full.addEventListener("click", function () {
            stage.requestFullscreen().catch(function () {});
        });
    }
})();
