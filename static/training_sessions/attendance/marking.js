/* The day's marking screen: live search (diacritics-insensitive), taps saved in place.
   Without this script every row is a plain form and the search a GET form; with it, the same
   forms are posted with fetch and the row is replaced by the server's rendering. */
(function () {
    "use strict";

    var screen = document.querySelector("[data-att-day]");
    if (!screen) {
        return;
    }
    document.documentElement.classList.add("att-js");

    var list = screen.querySelector("[data-att-list]");
    var live = document.getElementById("att-live");
    var search = screen.querySelector("[data-att-search]");
    var none = screen.querySelector("[data-att-none]");

    function fold(text) {
        return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }

    function say(text, isError) {
        if (!live) {
            return;
        }
        live.textContent = "";
        live.classList.toggle("att-live--error", Boolean(isError));
        // A fresh text node, so that screen readers announce the same message twice in a row.
        window.setTimeout(function () {
            live.textContent = text;
        }, 30);
    }

    function rows() {
        return list ? Array.prototype.slice.call(list.querySelectorAll("[data-att-row]")) : [];
    }

    function filter(announce) {
        if (!search) {
            return;
        }
        var words = fold(search.value).split(/\s+/).filter(Boolean);
        var all = rows();
        var shown = 0;
        all.forEach(function (row) {
            var text = fold(row.getAttribute("data-search"));
            var match = words.every(function (word) {
                return text.indexOf(word) !== -1;
            });
            row.hidden = !match;
            if (match) {
                shown += 1;
            }
        });
        if (none) {
            none.hidden = shown > 0;
        }
        if (announce && words.length) {
            say(
                (screen.getAttribute("data-msg-shown") || "%(count)s / %(total)s")
                    .replace("%(count)s", shown)
                    .replace("%(total)s", all.length)
            );
        }
    }

    if (search) {
        var searchForm = search.form;
        var timer = null;
        searchForm.addEventListener("submit", function (event) {
            event.preventDefault();
            filter(true);
        });
        search.addEventListener("input", function () {
            filter(false);
            window.clearTimeout(timer);
            timer = window.setTimeout(function () {
                filter(true);
            }, 600);
        });
        filter(false);
    }

    function csrfToken(form) {
        var field = form.querySelector("[name=csrfmiddlewaretoken]");
        return field ? field.value : "";
    }

    function updateCounters(counters) {
        Object.keys(counters || {}).forEach(function (key) {
            screen.querySelectorAll('[data-counter="' + key + '"]').forEach(function (node) {
                node.textContent = counters[key];
            });
        });
    }

    if (!list) {
        return;
    }

    // "Late / partial" first reveals the minutes field; it saves once minutes are typed.
    list.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-att-partial]");
        if (!button) {
            return;
        }
        var box = button.form.querySelector("[data-att-minutes]");
        if (!box) {
            return;
        }
        var input = box.querySelector("input");
        if (box.hasAttribute("data-att-collapsed") || !input.value) {
            event.preventDefault();
            box.removeAttribute("data-att-collapsed");
            button.setAttribute("aria-expanded", "true");
            input.focus();
            say(screen.getAttribute("data-msg-minutes"));
        }
    });

    list.addEventListener("submit", function (event) {
        var form = event.target;
        var submitter = event.submitter;
        if (!form.matches("[data-att-form]") || !submitter || !window.fetch) {
            return; // an old browser posts the form itself
        }
        event.preventDefault();
        var row = form.closest("[data-att-row]");
        var data = new FormData(form);
        data.set("status", submitter.value);
        if (submitter.value === "partial" && !data.get("minutes")) {
            var box = form.querySelector("[data-att-minutes]");
            if (box) {
                box.removeAttribute("data-att-collapsed");
                box.querySelector("input").focus();
            }
            say(screen.getAttribute("data-msg-minutes"));
            return;
        }
        var focusValue = submitter.classList.contains("att-default") ? "partial" : submitter.value;
        var buttons = Array.prototype.filter.call(form.querySelectorAll("button"), function (b) {
            return !b.disabled;
        });
        buttons.forEach(function (b) {
            b.disabled = true;
        });
        row.setAttribute("aria-busy", "true");

        function fail(message) {
            row.removeAttribute("aria-busy");
            buttons.forEach(function (b) {
                b.disabled = false;
            });
            var slot = form.querySelector("[data-att-error]");
            if (slot) {
                slot.textContent = message;
            }
            say(message, true);
        }

        fetch(form.action, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: {
                Accept: "application/json",
                "X-CSRFToken": csrfToken(form),
            },
        }).then(
            function (response) {
                response
                    .json()
                    .catch(function () {
                        return {};
                    })
                    .then(function (body) {
                        if (!response.ok || !body.row) {
                            fail(body.detail || screen.getAttribute("data-msg-network"));
                            return;
                        }
                        var holder = document.createElement("div");
                        holder.innerHTML = body.row.trim();
                        var fresh = holder.firstElementChild;
                        row.replaceWith(fresh);
                        updateCounters(body.counters);
                        filter(false);
                        say(body.detail || "");
                        var again = fresh.querySelector(
                            '.att-btn[name=status][value="' + focusValue + '"]'
                        );
                        if (again) {
                            again.focus();
                        }
                    });
            },
            function () {
                fail(screen.getAttribute("data-msg-network"));
            }
        );
    });
})();
