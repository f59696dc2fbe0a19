/* A copy button on every code block (book/_assets/copy_code.py; one of page_speed.LATE_SCRIPTS,
 * so it runs after the load event).
 *
 * It replaces sphinx-copybutton, whose two scripts (copybutton.js and clipboard.js, 17 KB) parsed
 * an SVG icon per code block and made one of the longest tasks after a long chapter's first paint.
 * Here a button is one empty element (its icon and tooltip are drawn by site.css), and copying
 * uses the browser's own clipboard. Code blocks that arrive later (the worked answers,
 * "optim:content" from answers.js) get their buttons too.
 */
(function () {
  "use strict";
  var LABEL = "复制代码";
  var TIP = "复制";
  var DONE = "已复制";
  var FAILED = "复制失败，请手动选择代码";
  var SHOWN_MS = 2000;

  function addButtons(root) {
    root.querySelectorAll("div.highlight > pre").forEach(function (pre) {
      var next = pre.nextElementSibling;
      if (next && next.classList.contains("copybtn")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copybtn";
      button.setAttribute("aria-label", LABEL);
      button.dataset.tooltip = TIP;
      pre.insertAdjacentElement("afterend", button);
    });
  }

  /* For a page opened from a file or plain http, where navigator.clipboard does not exist. */
  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.cssText = "position:fixed;top:0;left:0;opacity:0;";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("execCommand('copy') refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    return copyBySelection(text);
  }

  /* One polite live region per page, so a screen reader hears whether the copy worked. */
  function announce(message) {
    var status = document.getElementById("copybtn-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "copybtn-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = message;
  }

  function report(button, ok) {
    button.dataset.tooltip = ok ? DONE : FAILED;
    button.classList.toggle("success", ok);
    announce(ok ? DONE : FAILED);
    window.clearTimeout(button._copyTimer);
    button._copyTimer = window.setTimeout(function () {
      button.dataset.tooltip = TIP;
      button.classList.remove("success");
    }, SHOWN_MS);
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("div.highlight > button.copybtn");
    if (!button) return;
    var pre = button.parentNode.querySelector(":scope > pre");
    copyText(pre.textContent).then(function () { report(button, true); }, function (err) {
      console.error("copycode.js: " + err.message);
      report(button, false);
    });
  });
  document.addEventListener("optim:content", function (ev) {
    (ev.detail && ev.detail.roots || []).forEach(addButtons);
  });
  addButtons(document);
})();
