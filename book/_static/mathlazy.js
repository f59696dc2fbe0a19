/* Typeset formulas swapped in as they come near the viewport (the site runs no MathJax).
 *
 * book/_assets/mathrender.js typeset every formula at build time: those near the top of
 * a page are in the page; each other one keeps its TeX and has data-m="k", its typeset
 * form being entry k of PAGE.math.json's "formulas", whose "css" holds the glyph rules only
 * those formulas need (added to the page in a <style> once the file has arrived). After
 * the page has loaded, that file is fetched
 * once (its gzipped copy PAGE.math.json.gz where the browser has DecompressionStream) and each formula is swapped in when it comes within half a screen of the viewport
 * (a swap changes only what is off screen; the browser's scroll anchoring keeps the text
 * a reader is looking at in place); so are those of the worked answers when answers.js puts
 * them in ("optim:content"). After each batch, "optim:math" is dispatched on the
 * document (detail.elements: the formulas swapped in) so site.js can measure them for the
 * scroll cues of wide formulas.
 */
(function () {
  "use strict";
  // Formulas also arrive later, inside the worked answers (answers.js, "optim:content").
  if (!document.querySelector("[data-m], section[data-answer]")) return;
  var url = window.location.pathname.replace(/\.html$/, "") + ".math.json";
  var typeset = null, waiting = [], io = null;
  var BATCH = 12;

  function swap(el) {
    var k = Number(el.getAttribute("data-m"));
    if (!typeset || typeset[k] === undefined) return;
    var eqno = el.querySelector(":scope > .eqno");
    el.innerHTML = typeset[k];
    if (eqno) el.insertBefore(eqno, el.firstChild);
    el.classList.add("notranslate");   // left out of the page's markup (mathrender.js)
    el.removeAttribute("data-m");
  }

  var flush = null;
  function later() {
    if (flush) return;
    flush = window.requestAnimationFrame(function () {
      flush = null;
      // A few formulas a frame keeps every task short (no jank while scrolling).
      var batch = waiting.splice(0, BATCH);
      batch.forEach(swap);
      if (waiting.length) later();
      if (batch.length) document.dispatchEvent(new CustomEvent("optim:math", { detail: { elements: batch } }));
    });
  }

  function plain() {
    return fetch(url).then(function (r) { return r.json(); });
  }

  // The gzipped copy (PAGE.math.json.gz, written by static_math.py) where the browser can
  // inflate it; the plain file otherwise, or if anything about the copy goes wrong.
  function load() {
    if (!window.DecompressionStream || !window.Response) return plain();
    return fetch(url + ".gz").then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json();
    }).catch(plain);
  }

  function start() {
    load().then(function (data) {
      if (data.css) {
        var style = document.createElement("style");
        style.id = "MJX-CHTML-lazy-styles";
        style.textContent = data.css;
        document.head.appendChild(style);
      }
      typeset = data.formulas;
      io = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) { io.unobserve(e.target); waiting.push(e.target); }
        });
        later();
      }, { rootMargin: "50% 0px 50% 0px" }) : null;
      watch([document]);
    }).catch(function () { /* offline file missing: the TeX stays readable */ });
  }

  function watch(roots) {
    roots.forEach(function (root) {
      root.querySelectorAll("[data-m]").forEach(function (el) {
        if (io) io.observe(el); else waiting.push(el);
      });
    });
    later();
  }
  // Formulas put into the page later (the worked answers): swapped in like the others, once
  // PAGE.math.json is here (until then start() finds them with the rest).
  document.addEventListener("optim:content", function (ev) {
    if (typeset) watch(ev.detail && ev.detail.roots || [document]);
  });

  // Printing shows every formula typeset.
  window.addEventListener("beforeprint", function () {
    if (typeset) document.querySelectorAll("[data-m]").forEach(swap);
  });

  // After the page has loaded and the browser is idle: reading comes first.
  function soon() {
    if (window.requestIdleCallback) window.requestIdleCallback(start, { timeout: 2000 });
    else window.setTimeout(start, 200);
  }
  if (document.readyState === "complete") soon();
  else window.addEventListener("load", soon);
})();
