/* The projector: a countdown to the window's end (from the seconds the server counted, so that
   the projecting computer's clock does not matter), the number of people checked in (polled
   every 5 s), and a full-screen button. */
(function () {
    "use strict";

    var root = document.querySelector("[data-att-projector]");
    var stage = root && root.querySelector("[data-att-stage]");
    if (!stage) {
        return;
    }
    var countdown = stage.querySelector("[data-att-countdown]");
    var seconds = parseInt(stage.getAttribute("data-seconds-left"), 10) || 0;
    var deadline = Date.now() + seconds * 1000;

    function tick() {
        var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        var minutes = Math.floor(left / 60);
        var rest = left % 60;
        countdown.textContent = minutes + ":" + String(rest).padStart(2, "0");
        if (left <= 0) {
            window.setTimeout(function () {
                window.location.reload();
            }, 1500);
            return;
        }
        window.setTimeout(tick, 1000);
    }
    tick();

    function poll() {
        fetch(root.getAttribute("data-status-url"), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
        })
            .then(function (response) {
                return response.ok ? response.json() : null;
            })
            .then(function (body) {
                if (!body) {
                    return;
                }
                if (!body.open) {
                    window.location.reload(); // closed elsewhere, or replaced by a new code
                    return;
                }
                var shown = stage.querySelector("[data-att-code]").getAttribute("aria-label");
                if (body.code !== shown) {
                    window.location.reload();
                    return;
                }
                deadline = Date.now() + body.seconds_left * 1000;
                stage.querySelectorAll('[data-counter="attended"]').forEach(function (node) {
                    node.textContent = body.attended;
                });
                stage.querySelectorAll('[data-counter="confirmed"]').forEach(function (node) {
                    node.textContent = body.confirmed;
                });
            })
            .catch(function () {})
            .then(function () {
                window.setTimeout(poll, 5000);
            });
    }
    window.setTimeout(poll, 5000);

    var full = root.querySelector("[data-att-fullscreen]");
    if (full && stage.requestFullscreen) {
        full.hidden = false;
        full.addEventListener("click", function () {
            stage.requestFullscreen().catch(function () {});
        });
    }
})();
