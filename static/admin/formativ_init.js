/*
 * Starts the Wagtail admin's widgets and inline panels from data blocks, so that the admin
 * needs no inline script (its Content-Security-Policy forbids them). See config/admin_scripts.py.
 *
 *   <script type="application/json" data-formativ-init>
 *     {"new": "SnippetChooser", "args": ["id_course", {"modalUrl": "..."}]}
 *   </script>
 *   <input id="id_day" data-formativ-init="{&quot;call&quot;: &quot;initDateChooser&quot;, ...}">
 *
 * A block may only name a function of the lists below (Wagtail's own, defined on window by its
 * scripts); anything else is ignored. Nothing is evaluated. Blocks are run once each: those in
 * the page when it has loaded, then those inserted later (an inline panel's new form, a chooser
 * modal's content), in document order.
 */
(function () {
  "use strict";

  var CONSTRUCTORS = [
    "Chooser",
    "PageChooser",
    "ImageChooser",
    "DocumentChooser",
    "SnippetChooser",
    "InlinePanel",
    "MultipleChooserPanel",
  ];
  var FUNCTIONS = ["initDateChooser", "initTimeChooser", "initDateTimeChooser", "createTaskChooser"];
  var SELECTOR = "[data-formativ-init]";
  var done = new WeakSet();

  function start(block) {
    if (done.has(block)) return;
    done.add(block);
    var spec;
    try {
      // A data block holds the call; an input (a date picker's) carries it in the attribute.
      var isScript = block.tagName === "SCRIPT";
      if (isScript && block.type !== "application/json") return;
      spec = JSON.parse(isScript ? block.textContent : block.getAttribute("data-formativ-init"));
    } catch (error) {
      console.error("formativ-init: unreadable block", error);
      return;
    }
    var args = Array.isArray(spec.args) ? spec.args : [];
    var name = spec["new"] || spec.call;
    var isNew = Object.prototype.hasOwnProperty.call(spec, "new");
    var allowed = isNew ? CONSTRUCTORS : FUNCTIONS;
    if (typeof name !== "string" || allowed.indexOf(name) === -1) {
      console.error("formativ-init: not an allowed start-up function", name);
      return;
    }
    var fn = window[name];
    if (typeof fn !== "function") {
      console.error("formativ-init: " + name + " is not loaded on this page");
      return;
    }
    try {
      if (isNew) {
        Reflect.construct(fn, args);
      } else {
        fn.apply(window, args);
      }
    } catch (error) {
      console.error("formativ-init: " + name + " failed", error);
    }
  }

  function startWithin(root) {
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    if (root.matches(SELECTOR)) {
      start(root);
      return;
    }
    var blocks = root.querySelectorAll(SELECTOR);
    for (var i = 0; i < blocks.length; i += 1) start(blocks[i]);
  }

  function ready() {
    startWithin(document.documentElement);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(startWithin);
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
