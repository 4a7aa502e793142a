/* The scanner screen: each code (read by the camera, or typed by a USB/Bluetooth scanner into
   the focused field, which ends with Enter) is posted to the check-in API; the answer is shown
   big (green, amber, red), announced, and beeped. The camera uses the browser's own
   BarcodeDetector when it has one, otherwise the vendored zxing-wasm reader, served from our
   own static files. Without this script the field's form posts to the screen itself. */
(function () {
    "use strict";

    var root = document.querySelector("[data-att-scanner]");
    if (!root) {
        return;
    }
    var form = root.querySelector("[data-att-code-form]");
    if (!form || !window.fetch) {
        return;
    }
    var input = form.querySelector("input[name=code]");
    var panel = root.querySelector("[data-att-result]");
    var announce = root.querySelector("[data-att-announce]");
    var logSection = root.querySelector("[data-att-log-section]");
    var log = root.querySelector("[data-att-log]");
    var sound = root.querySelector("[data-att-sound]");
    var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    var session = parseInt(root.getAttribute("data-session"), 10);
    var day = parseInt(root.getAttribute("data-day"), 10);
    var DEBOUNCE_MS = 3000;
    var recent = {}; // code -> when it was last sent
    var audio = null;

    function text(name) {
        return root.getAttribute("data-" + name) || "";
    }

    function beep(kind) {
        if (!sound || !sound.checked) {
            return;
        }
        try {
            audio = audio || new (window.AudioContext || window.webkitAudioContext)();
            var tones = { checked_in: [880], already: [660, 660], error: [220] }[kind] || [];
            var at = audio.currentTime;
            tones.forEach(function (frequency, index) {
                var oscillator = audio.createOscillator();
                var gain = audio.createGain();
                oscillator.frequency.value = frequency;
                oscillator.type = kind === "error" ? "square" : "sine";
                gain.gain.value = 0.15;
                oscillator.connect(gain);
                gain.connect(audio.destination);
                var start = at + index * 0.18;
                oscillator.start(start);
                oscillator.stop(start + (kind === "error" ? 0.35 : 0.12));
            });
        } catch (error) {
            // no sound: the panel still says it
        }
    }

    function show(kind, message, name, institution) {
        panel.hidden = false;
        panel.className = "att-result att-result--" + kind;
        panel.querySelector("[data-att-result-title]").textContent = text("title-" + kind);
        panel.querySelector("[data-att-result-name]").textContent = name || "";
        panel.querySelector("[data-att-result-institution]").textContent = institution || "";
        panel.querySelector("[data-att-result-message]").textContent = message || "";
        if (kind !== "busy") {
            announce.textContent = "";
            window.setTimeout(function () {
                announce.textContent = message || text("title-" + kind);
            }, 30);
            beep(kind);
            addToLog(kind, message || text("title-" + kind));
        }
    }

    function addToLog(kind, message) {
        if (!log) {
            return;
        }
        var item = document.createElement("li");
        var now = new Date();
        item.textContent =
            String(now.getHours()).padStart(2, "0") +
            ":" +
            String(now.getMinutes()).padStart(2, "0") +
            ":" +
            String(now.getSeconds()).padStart(2, "0") +
            " · " +
            message;
        item.className = "att-log--" + kind;
        log.insertBefore(item, log.firstChild);
        while (log.children.length > 10) {
            log.removeChild(log.lastChild);
        }
        logSection.hidden = false;
    }

    function refreshCount() {
        var url = root.getAttribute("data-status-url");
        if (!url) {
            return;
        }
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) {
                return response.ok ? response.json() : null;
            })
            .then(function (body) {
                if (!body) {
                    return;
                }
                root.querySelectorAll('[data-counter="attended"]').forEach(function (node) {
                    node.textContent = body.attended;
                });
                root.querySelectorAll('[data-counter="confirmed"]').forEach(function (node) {
                    node.textContent = body.confirmed;
                });
            })
            .catch(function () {});
    }

    function submitCode(raw) {
        var code = (raw || "").trim();
        if (!code) {
            return;
        }
        var now = Date.now();
        if (recent[code] && now - recent[code] < DEBOUNCE_MS) {
            return; // the same code read again by the camera: once is enough
        }
        recent[code] = now;
        show("busy", "", "", "");
        fetch(root.getAttribute("data-api-url"), {
            method: "POST",
            credentials: "same-origin",
            headers: {
                "Content-Type": "application/json",
                Accept: "application/json",
                "Accept-Language": document.documentElement.lang || "ro",
                "X-CSRFToken": csrf,
            },
            body: JSON.stringify({ code: code, session: session, day: day }),
        }).then(
            function (response) {
                response
                    .json()
                    .catch(function () {
                        return {};
                    })
                    .then(function (body) {
                        if (response.ok) {
                            show(
                                body.result === "already" ? "already" : "checked_in",
                                body.message,
                                body.name,
                                body.institution
                            );
                        } else {
                            show("error", body.detail || text("msg-network"), "", "");
                        }
                        refreshCount();
                    });
            },
            function () {
                delete recent[code];
                show("error", text("msg-network"), "", "");
            }
        );
    }

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        submitCode(input.value);
        input.value = "";
        input.focus();
    });

    // --- the camera -------------------------------------------------------------------------

    var camera = root.querySelector("[data-att-camera]");
    var video = root.querySelector("[data-att-video]");
    var start = root.querySelector("[data-att-camera-start]");
    var stop = root.querySelector("[data-att-camera-stop]");
    var note = root.querySelector("[data-att-camera-note]");
    var stream = null;
    var running = false;

    if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return; // no camera API (or not a secure context): the code field is there
    }
    camera.hidden = false;

    function nativeDetector() {
        if (!("BarcodeDetector" in window)) {
            return Promise.resolve(null);
        }
        return window.BarcodeDetector.getSupportedFormats()
            .then(function (formats) {
                if (formats.indexOf("qr_code") === -1) {
                    return null;
                }
                var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
                return function (source) {
                    return detector.detect(source).then(function (codes) {
                        return codes.length ? codes[0].rawValue : null;
                    });
                };
            })
            .catch(function () {
                return null;
            });
    }

    var zxingReady = false;

    function zxingDetector() {
        var zxing = window.ZXingWASM;
        if (!zxing) {
            return null;
        }
        if (!zxingReady) {
            var wasmUrl = root.getAttribute("data-zxing-wasm");
            zxing.prepareZXingModule({
                overrides: {
                    locateFile: function (path, prefix) {
                        return path.endsWith(".wasm") ? wasmUrl : prefix + path;
                    },
                },
            });
            zxingReady = true;
        }
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        return function (source) {
            var width = source.videoWidth;
            var height = source.videoHeight;
            if (!width || !height) {
                return Promise.resolve(null);
            }
            var scale = Math.min(1, 800 / Math.max(width, height));
            canvas.width = Math.round(width * scale);
            canvas.height = Math.round(height * scale);
            context.drawImage(source, 0, 0, canvas.width, canvas.height);
            var image = context.getImageData(0, 0, canvas.width, canvas.height);
            return zxing
                .readBarcodes(image, { formats: ["QRCode"], maxNumberOfSymbols: 1, tryHarder: true })
                .then(function (results) {
                    return results.length && results[0].isValid ? results[0].text : null;
                });
        };
    }

    function detectorFor() {
        return nativeDetector().then(function (detector) {
            return detector || zxingDetector();
        });
    }

    function loop(detect) {
        if (!running) {
            return;
        }
        detect(video)
            .then(function (code) {
                if (code) {
                    submitCode(code);
                }
            })
            .catch(function () {})
            .then(function () {
                window.setTimeout(function () {
                    loop(detect);
                }, 150);
            });
    }

    function stopCamera() {
        running = false;
        if (stream) {
            stream.getTracks().forEach(function (track) {
                track.stop();
            });
        }
        stream = null;
        video.hidden = true;
        start.hidden = false;
        stop.hidden = true;
    }

    start.addEventListener("click", function () {
        note.textContent = "";
        if (audio === null && sound && sound.checked) {
            beep(""); // unlock audio on this tap: browsers allow sound only after a gesture
        }
        navigator.mediaDevices
            .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
            .then(function (media) {
                stream = media;
                video.srcObject = media;
                video.hidden = false;
                start.hidden = true;
                stop.hidden = false;
                return video.play();
            })
            .then(detectorFor)
            .then(function (detect) {
                if (!detect) {
                    note.textContent = text("msg-reader");
                    stopCamera();
                    return;
                }
                running = true;
                loop(detect);
            })
            .catch(function () {
                note.textContent = text("msg-camera");
                stopCamera();
            });
    });
    stop.addEventListener("click", function () {
        stopCamera();
        input.focus();
    });
    window.addEventListener("pagehide", stopCamera);
})();
