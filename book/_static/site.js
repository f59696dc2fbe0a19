/* Site script of 《深度学习中的优化算法》 (listed in _config.yml html_js_files).
 *
 * 1. FontAwesome's SVG script must not watch the DOM (it rewrote the <i> icons
 *    of widgets). The book's layout template
 *    (book/_assets/templates/layout.html) no longer loads that script at all;
 *    the setting stays in case a theme upgrade brings it back.
 * 2. Framework tabs: adjacent code cells tagged `mxnet` / `tensorflow` (MyST-NB
 *    renders a cell tag X as the class `tag_X`) are grouped into tabs. One
 *    page-wide switch in the article header (and every tab bar, which mirrors
 *    it) selects the framework for the whole page; the choice is kept in
 *    localStorage, so it holds across pages. Without JavaScript nothing is
 *    grouped and both cells show in order.
 */
window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, {
  observeMutations: false,
});

/* pydata-sphinx-theme 0.17, on the load event and again 300 ms after every change inside the
 * article (each formula mathlazy.js swaps in is one), reads the size of every <pre> and output
 * of the page to make the ones that scroll Tab stops and set tabindex=-1 on all the others: on
 * a long chapter that lays out the whole page each time (0.4 s of main thread on a fast desktop,
 * the largest block of Lighthouse's total blocking time). The scroll cues below do the same
 * job without it (measuring boxes as they come near the screen, and all of them when a reader
 * starts using Tab). So the theme's query, recognised by its exact selector, finds nothing.
 * Check this when the theme is upgraded: tests/test_site.py fails if the theme's scan runs. */
(function () {
  "use strict";
  var THEME_SCAN = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container";
  var query = document.querySelectorAll;
  document.querySelectorAll = function (selectors) {
    if (selectors === THEME_SCAN) return query.call(document, ":not(*)");
    return query.apply(document, arguments);
  };
})();

/* The ☰ (chapters) and ☷ (contents) buttons. pydata-sphinx-theme 0.17 and
 * sphinx-book-theme bind their handlers to the FIRST .primary-toggle /
 * .secondary-toggle of the page, a copy in the hidden #pst-header; the buttons
 * a reader sees (in the article header) get none (pydata-sphinx-theme #2451).
 * Forward a click (or tap) on any other copy to that bound one, which then does
 * what the theme means: at >= 992 px collapse/expand the sidebar, below that
 * open the sidebar as a drawer (<dialog>). Capture phase on the document, so it
 * runs before anything else and works for buttons added later. */
document.addEventListener("click", function (ev) {
  "use strict";
  var button = ev.target && ev.target.closest && ev.target.closest(".primary-toggle, .secondary-toggle");
  if (!button) return;
  var kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
  var bound = document.querySelector(kind);
  if (!bound || bound === button) return;
  ev.preventDefault();
  ev.stopPropagation();
  bound.click();
}, true);

/* On a phone the ☷ (page contents) and ☰ (chapters) drawers are <dialog>s over three
 * quarters of the screen; the theme leaves them open after a section is tapped, so the
 * reader lands under the drawer. Close the drawer once the link has been followed (after
 * the click's own navigation, so the jump to the section still happens). */
document.addEventListener("click", function (ev) {
  "use strict";
  var link = ev.target && ev.target.closest && ev.target.closest("a[href]");
  var drawer = link && link.closest("dialog[open]#pst-secondary-sidebar-modal, dialog[open]#pst-primary-sidebar-modal");
  if (!drawer) return;
  window.setTimeout(function () { if (drawer.open) drawer.close(); }, 0);
});

/* The visible toggles carry English tooltips ("Toggle primary sidebar") that, after a
 * tap on a phone, stay on screen over the page (the button keeps focus). Name them in
 * Chinese and let the browser's own title tooltip do (no Bootstrap tooltip): this runs
 * before the theme's scripts initialise their tooltips. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  // A search button that shows "搜索 Ctrl+K" is named by what it shows (its aria-label "搜索"
  // did not match its visible label); the icon-only one keeps its aria-label.
  document.querySelectorAll(".search-button__button").forEach(function (b) {
    if (b.querySelector(".search-button__default-text")) b.removeAttribute("aria-label");
  });
  // The primary sidebar (logo, book title, search, chapters) is a landmark of its own, so
  // the logo and title are not outside every landmark.
  var side = document.getElementById("pst-primary-sidebar");
  if (side && !side.getAttribute("role")) {
    side.setAttribute("role", "complementary");
    side.setAttribute("aria-label", "书名与章节");
  }
  [[".primary-toggle", "章节目录"], [".secondary-toggle", "本页目录"]].forEach(function (pair) {
    document.querySelectorAll(pair[0]).forEach(function (b) {
      b.removeAttribute("data-bs-toggle");
      b.setAttribute("title", pair[1]);
      b.setAttribute("aria-label", pair[1]);
    });
  });
});

(function () {
  "use strict";

  var STORAGE_KEY = "optim-book:framework";
  var FRAMEWORKS = [
    { id: "mxnet", label: "MXNet" },
    { id: "tensorflow", label: "TensorFlow" },
  ];
  var IDS = FRAMEWORKS.map(function (f) { return f.id; });
  var groupCount = 0;

  function readChoice() {
    try {
      var v = window.localStorage.getItem(STORAGE_KEY);
      return IDS.indexOf(v) >= 0 ? v : IDS[0];
    } catch (e) {
      return IDS[0];
    }
  }

  function saveChoice(id) {
    try {
      window.localStorage.setItem(STORAGE_KEY, id);
    } catch (e) {
      /* private mode or storage disabled: the choice holds for this page only */
    }
  }

  function frameworkOf(el) {
    if (!el || !el.classList || !el.classList.contains("cell")) return null;
    var found = IDS.filter(function (id) { return el.classList.contains("tag_" + id); });
    return found.length === 1 ? found[0] : null;  // a cell tagged with both is shared
  }

  function makeTabBar(ids, groupId, isSwitch) {
    var bar = document.createElement("div");
    bar.className = isSwitch ? "fw-switch__buttons" : "fw-tabs__bar";
    bar.setAttribute("role", isSwitch ? "radiogroup" : "tablist");
    bar.setAttribute("aria-label", isSwitch ? "整页代码使用的框架" : "框架");
    FRAMEWORKS.forEach(function (fw) {
      if (ids.indexOf(fw.id) < 0) return;
      var b = document.createElement("button");
      b.type = "button";
      b.className = isSwitch ? "fw-switch__button" : "fw-tabs__tab";
      b.dataset.framework = fw.id;
      b.textContent = fw.label;
      if (isSwitch) {
        b.setAttribute("role", "radio");
      } else {
        b.setAttribute("role", "tab");
        b.id = groupId + "-tab-" + fw.id;
        b.setAttribute("aria-controls", groupId + "-panel-" + fw.id);
      }
      bar.appendChild(b);
    });
    bar.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-framework]");
      if (b) choose(b.dataset.framework, true, b);
    });
    bar.addEventListener("keydown", function (ev) {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(ev.key) < 0) return;
      var buttons = Array.prototype.slice.call(bar.querySelectorAll("button[data-framework]"));
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      if (ev.key === "ArrowLeft") i = (i + buttons.length - 1) % buttons.length;
      else if (ev.key === "ArrowRight") i = (i + 1) % buttons.length;
      else if (ev.key === "Home") i = 0;
      else i = buttons.length - 1;
      ev.preventDefault();
      buttons[i].focus();
      choose(buttons[i].dataset.framework, true, buttons[i]);
    });
    return bar;
  }

  /* Wrap one run of adjacent framework cells into a tab group. */
  function buildGroup(cells) {
    var groupId = "fw-group-" + ++groupCount;
    var present = IDS.filter(function (id) {
      return cells.some(function (c) { return frameworkOf(c) === id; });
    });
    var group = document.createElement("div");
    group.className = "fw-tabs";
    group.id = groupId;
    cells[0].parentNode.insertBefore(group, cells[0]);
    group.appendChild(makeTabBar(present, groupId, false));
    present.forEach(function (id) {
      var panel = document.createElement("div");
      panel.className = "fw-tabs__panel";
      panel.id = groupId + "-panel-" + id;
      panel.dataset.framework = id;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", groupId + "-tab-" + id);
      cells.forEach(function (c) {
        if (frameworkOf(c) === id) panel.appendChild(c);
      });
      group.appendChild(panel);
    });
    return group;
  }

  function buildGroups() {
    var done = new Set();
    var groups = [];
    document.querySelectorAll(".cell.tag_mxnet, .cell.tag_tensorflow").forEach(function (cell) {
      if (done.has(cell) || !frameworkOf(cell)) return;
      var run = [];
      for (var el = cell; el && frameworkOf(el); el = el.nextElementSibling) {
        run.push(el);
        done.add(el);
      }
      groups.push(buildGroup(run));
    });
    return groups;
  }

  /* The page-wide switch: in the sticky article header next to the theme's
   * buttons; on a phone, where that header is full, at the top of the article. */
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 575.98px)") : null;

  function placeSwitch(box) {
    var end = document.querySelector(".bd-header-article .header-article-items__end");
    var article = document.querySelector("article.bd-article");
    if (end && !(PHONE && PHONE.matches)) {
      box.classList.remove("fw-switch--inline");
      box.classList.add("header-article-item");
      end.insertBefore(box, end.firstChild);
    } else if (article) {
      box.classList.remove("header-article-item");
      box.classList.add("fw-switch--inline");
      // The build left a slot of the switch's height after the title (no layout shift).
      var slot = article.querySelector(".fw-switch-slot");
      var title = article.querySelector("h1");
      if (slot) slot.appendChild(box);
      else if (title) title.insertAdjacentElement("afterend", box);
      else article.insertBefore(box, article.firstChild);
    }
  }

  function buildSwitch() {
    var box = document.createElement("div");
    box.className = "fw-switch";
    box.id = "fw-switch";
    var label = document.createElement("span");
    label.className = "fw-switch__label";
    label.textContent = "代码框架";
    box.appendChild(label);
    box.appendChild(makeTabBar(IDS, "fw-switch", true));
    placeSwitch(box);
    if (PHONE) {
      var replace = function () { placeSwitch(box); };
      if (PHONE.addEventListener) PHONE.addEventListener("change", replace);
      else if (PHONE.addListener) PHONE.addListener(replace);
    }
    return box;
  }

  function choose(id, remember, anchor) {
    if (IDS.indexOf(id) < 0) return;
    if (remember) saveChoice(id);
    // The panels above a clicked tab may change height: keep the tab where it was on screen.
    var before = anchor ? anchor.getBoundingClientRect().top : null;
    document.documentElement.dataset.framework = id;
    document.querySelectorAll(".fw-tabs").forEach(function (group) {
      var panels = group.querySelectorAll(":scope > .fw-tabs__panel");
      var shown = id;
      // A group without this framework keeps showing what it has.
      if (!group.querySelector(':scope > .fw-tabs__panel[data-framework="' + id + '"]')) {
        shown = panels.length ? panels[0].dataset.framework : id;
      }
      panels.forEach(function (p) { p.hidden = p.dataset.framework !== shown; });
      group.querySelectorAll(".fw-tabs__tab").forEach(function (t) {
        var on = t.dataset.framework === shown;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
      });
    });
    document.querySelectorAll(".fw-switch__button").forEach(function (b) {
      var on = b.dataset.framework === id;
      b.setAttribute("aria-checked", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    if (anchor && anchor.closest(".fw-tabs")) {
      var shift = anchor.getBoundingClientRect().top - before;
      if (Math.abs(shift) > 1) window.scrollBy(0, shift);
    }
  }

  function init() {
    var groups = buildGroups();
    if (!groups.length) return;
    document.documentElement.classList.add("has-fw-tabs");
    buildSwitch();
    choose(readChoice(), false);
    // Another tab of the site changed the choice: follow it.
    window.addEventListener("storage", function (ev) {
      if (ev.key === STORAGE_KEY && ev.newValue) choose(ev.newValue, false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Phone layout: wide content scrolls sideways inside its own box and shows it
 * (data-scroll-cue, faded edge in site.css); inline math keeps the Chinese
 * punctuation after it on its line; a figure scaled down to the column opens
 * full size on a tap (or Enter), in a dialog where it can be scrolled. */
(function () {
  "use strict";

  var SCROLLERS = [
    "div.math mjx-container[display]", "span.math.math-wide", "div.highlight pre", "div.cell_output",
    ".cell_output pre", ".pst-scrollable-table-container",
    ".table-wrapper", ".bd-article .output pre",
  ].join(", ");
  var watched = new WeakSet();

  /* Reads and writes are done in two passes over all elements (measure everything, then
   * set attributes): interleaving them made the browser lay out the page once per
   * formula (1.2 s of main thread on ch05 on a phone). */
  function cueOf(el) {
    var max = el.scrollWidth - el.clientWidth;
    if (max <= 3) return "";  // a formula's italic overhang of a pixel or two is no hidden content
    var left = el.scrollLeft > 1, right = el.scrollLeft < max - 1;
    return left && right ? "both" : right ? "right" : left ? "left" : "";
  }

  /* A box that scrolls sideways is a Tab stop (keyboard readers can scroll it with the
   * arrow keys) and says what it is; one that fits is not. */
  function applyCue(el, cue) {
    if (cue) el.setAttribute("data-scroll-cue", cue);
    else el.removeAttribute("data-scroll-cue");
    var scrolls = el.scrollWidth - el.clientWidth > 3;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.tabIndex = 0;
      el.dataset.scrollFocus = "";
      if (!el.getAttribute("role")) el.setAttribute("role", "region");
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", el.closest(".math") ? "公式（可左右滚动）" : "可左右滚动的内容");
    } else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("data-scroll-focus");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  }

  function updateCue(el) { applyCue(el, cueOf(el)); }

  function updateCues(els) {
    var cues = els.map(cueOf);
    els.forEach(function (el, i) { applyCue(el, cues[i]); });
  }

  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    updateCues(entries.map(function (e) { return e.target; }));
  }) : null;

  /* An inline formula gets its own scroll box only when it is wider than its line (or, kept
   * with the punctuation after it in a math-nobr pair, than the room site.css leaves it). */
  function markWideMath(spans) {
    var sizes = spans.map(function (m) {
      // (A formula still waiting to be swapped in by mathlazy.js is measured as its TeX text.)
      var line = m.parentElement, pair = null;
      if (line && line.classList.contains("math-nobr")) { pair = line; line = line.parentElement; }
      if (!line) return null;
      var cs = getComputedStyle(line);
      var room = line.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (room <= 0) return null;
      var inner = m.querySelector("mjx-container") || m;
      var alone = inner.getBoundingClientRect().width > room + 1;
      var both = !!pair && (inner.getBoundingClientRect().width + pair.getBoundingClientRect().width -
                            m.getBoundingClientRect().width) > room + 1;
      return {alone: alone, both: both, pair: pair};
    });
    spans.forEach(function (m, i) {
      var s = sizes[i];
      if (!s) return;
      m.classList.toggle("math-wide", s.alone || s.both);
    });
  }

  /* Measuring a box makes the browser lay out the page, and a long chapter has hundreds of
   * formulas and outputs (and site.css lets the browser skip the layout of sections far from
   * the screen). So boxes are measured as they come near the viewport (an IntersectionObserver
   * reports that without forcing a layout), a few at a time; everything is measured at once
   * only when a reader starts moving with Tab, so that every box that scrolls is a Tab stop
   * before the keyboard gets there. */
  var MATH = ".bd-article span.math";
  var near = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    var els = entries.filter(function (e) { return e.isIntersecting; }).map(function (e) { return e.target; });
    if (els.length) measure(els);
  }, { rootMargin: "100% 0px 100% 0px" }) : null;
  var everything = false;

  function measure(els) {
    markWideMath(els.filter(function (el) { return el.matches(MATH); }));
    markZoomable(els.filter(function (el) { return el.matches(FIGURES); }));
    var boxes = [];
    els.forEach(function (el) {
      if (el.matches(FIGURES)) return;
      if (el.matches(MATH)) {
        if (el.matches(SCROLLERS)) boxes.push(el);
        var inner = el.querySelector("mjx-container[display]");
        if (inner) boxes.push(inner);
      } else {
        boxes.push(el);
      }
    });
    boxes.forEach(function (el) {
      if (!watched.has(el)) {
        watched.add(el);
        el.addEventListener("scroll", function () { updateCue(el); }, { passive: true });
        if (observer) observer.observe(el);
      }
    });
    updateCues(boxes);
  }

  function targets() {
    return Array.prototype.slice.call(document.querySelectorAll([SCROLLERS, MATH, FIGURES].join(", ")));
  }

  function refresh() {
    var els = targets();
    if (everything || !near) measure(els);
    else els.forEach(function (el) { near.unobserve(el); near.observe(el); });
  }

  function measureEverything() {
    if (everything) return;
    everything = true;
    refresh();
  }

  /* "$x$，" -> <span class="math-nobr">$x$，</span>: no line may start with the
   * punctuation that follows a formula (a formula is one unbreakable box and
   * Chromium breaks before "，" after it). */
  var PUNCT = /^[，。、；：！？）》」』”’,.;:!?)]+/;
  function keepPunctuation() {
    document.querySelectorAll(".bd-article span.math").forEach(function (m) {
      var next = m.nextSibling;
      if (!next || next.nodeType !== 3 || m.parentNode.classList.contains("math-nobr")) return;
      var hit = PUNCT.exec(next.data);
      if (!hit) return;
      var wrap = document.createElement("span");
      wrap.className = "math-nobr";
      m.parentNode.insertBefore(wrap, m);
      wrap.appendChild(m);
      var rest = next.splitText(hit[0].length);
      wrap.appendChild(next);
      void rest;
    });
  }

  /* ---- figures: tap to enlarge ---- */
  var dialog = null;
  function openZoom(img) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "fig-zoom";
      dialog.setAttribute("aria-label", "放大的图");
      dialog.innerHTML = '<div class="fig-zoom__bar"><span class="fig-zoom__hint">原始大小，可左右滑动</span>' +
        '<button type="button" class="fig-zoom__close">关闭</button></div><div class="fig-zoom__scroll"></div>';
      dialog.querySelector(".fig-zoom__close").addEventListener("click", function () { dialog.close(); });
      dialog.addEventListener("click", function (ev) { if (ev.target === dialog) dialog.close(); });
      document.body.appendChild(dialog);
    }
    var box = dialog.querySelector(".fig-zoom__scroll");
    box.textContent = "";
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt || "";
    big.width = img.naturalWidth;
    big.height = img.naturalHeight;
    box.appendChild(big);
    dialog.showModal();
    box.scrollLeft = 0;
    if (!watched.has(box)) {
      watched.add(box);
      box.addEventListener("scroll", function () { updateCue(box); }, { passive: true });
    }
    updateCue(box);
    dialog.querySelector(".fig-zoom__close").focus();
  }

  var FIGURES = ".bd-content div.cell_output img, .bd-content figure img, .bd-content img.align-center";
  /* (An image still loading, e.g. a lazy one, is looked at again when it has arrived.) */
  function markZoomable(imgs) {
    imgs.forEach(function (img) {
      if (img.closest(".frame-slider")) return;
      if (!img.complete || !img.naturalWidth) {
        img.addEventListener("load", function () { markZoomable([img]); }, { once: true });
        return;
      }
      var shown = img.getBoundingClientRect().width;
      var zoom = shown > 0 && img.naturalWidth > shown * 1.15;
      if (zoom === img.classList.contains("fig-zoomable")) return;
      img.classList.toggle("fig-zoomable", zoom);
      if (zoom) {
        img.tabIndex = 0;
        img.setAttribute("role", "button");
        img.setAttribute("aria-label", "放大：" + (img.alt || "图"));
      } else {
        img.removeAttribute("tabindex");
        img.removeAttribute("role");
        img.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("click", function (ev) {
    var img = ev.target.closest && ev.target.closest("img.fig-zoomable");
    if (img) openZoom(img);
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.matches && ev.target.matches("img.fig-zoomable")) {
      ev.preventDefault();
      openZoom(ev.target);
    }
  });

  var pending = null;
  function later() {
    if (pending) return;
    pending = window.setTimeout(function () { pending = null; refresh(); }, 120);
  }

  function init() {
    keepPunctuation();
    // After the page has loaded and the browser is idle, not before: measuring costs layout time.
    window.addEventListener("load", function () {
      if (window.requestIdleCallback) window.requestIdleCallback(refresh, { timeout: 1500 });
      else window.setTimeout(refresh, 0);
    });
    // Formulas mathlazy.js has just swapped in are near the screen: measured at once.
    document.addEventListener("optim:math", function (ev) {
      var swapped = (ev.detail && ev.detail.elements) || [];
      measure(swapped.map(function (el) {
        return el.matches(MATH) ? el : el.querySelector("mjx-container[display]");
      }).filter(Boolean));
      later();
    });
    window.addEventListener("resize", later);
    // Capture phase: before the browser moves the focus.
    document.addEventListener("keydown", function (ev) { if (ev.key === "Tab") measureEverything(); }, true);
    // Opening a solution or switching a framework tab shows boxes that had no size.
    document.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("button")) later();
    });
  }
  window.optimBookRefreshLayout = refresh;
  window.optimBookMeasureEverything = measureEverything;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* Accessibility of what the theme renders: sphinx-togglebutton's buttons say what
 * they do, in Chinese (its label is the English "Toggle hidden content"). A
 * MutationObserver keeps this true when a button opens or closes. */
(function () {
  "use strict";

  function set(el, attr, value) {
    if (el.getAttribute(attr) !== value) el.setAttribute(attr, value);
  }

  function fixToggles() {
    document.querySelectorAll("button.toggle-button").forEach(function (b) {
      var open = b.getAttribute("aria-expanded") === "true";
      var what = b.closest(".solution") ? "解答" : b.closest(".cell") ? "代码" : "内容";
      set(b, "aria-label", (open ? "隐藏" : "显示") + what);
    });
  }

  function init() {
    fixToggles();
    new MutationObserver(function (records) {
      if (records.some(function (r) { return r.attributeName === "aria-expanded" || r.addedNodes.length; })) {
        fixToggles();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-expanded"] });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* Search result snippets (Sphinx's searchtools.js takes them from the page's
 * [role=main], which in this theme also holds the article toolbar, the page's
 * table of contents and the prev/next links, and shows formulas as raw LaTeX).
 * Drop the page furniture and turn formulas into plain text before the snippet
 * is cut. Only the search page uses this. */
(function () {
  "use strict";
  var FURNITURE = [".bd-header-article", ".header-article-items", ".bd-sidebar-secondary", ".prev-next-area",
    ".bd-footer-article", ".bd-footer-content", "button", ".dropdown-menu", ".fw-switch", ".toggle-hidden-hint",
    ".frame-slider", "script", "style", ".copybtn", "nav",
    // the print-only copy of the page title and contents ("动量法 目录 ..." in title hits)
    ".onlyprint", "#jb-print-docs-body"].join(", ");
  var GREEK = {alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ",
    phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ",
    Sigma: "Σ", Phi: "Φ", Omega: "Ω", nabla: "∇", partial: "∂", infty: "∞", sum: "Σ", prod: "Π",
    cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈",
    to: "→", rightarrow: "→", leftarrow: "←", in: "∈", odot: "⊙", sqrt: "√", top: "ᵀ", ldots: "…",
    cdots: "…", dots: "…", mid: "|", pm: "±", Rightarrow: "⇒", Leftarrow: "⇐", mapsto: "↦",
    lVert: "‖", rVert: "‖", Vert: "‖", lvert: "|", rvert: "|", langle: "⟨", rangle: "⟩", prime: "′",
    preceq: "⪯", succeq: "⪰", subseteq: "⊆", forall: "∀", exists: "∃", ell: "ℓ"};
  var FUNCTIONS = ["sin", "cos", "tan", "log", "ln", "exp", "max", "min", "arg", "argmin", "argmax", "det",
    "sup", "inf", "lim", "sign", "tr", "diag", "min", "E", "Var"];

  function texToText(tex) {
    tex = tex.replace(/\\(?:begin|end)\{[^}]*\}/g, " ");
    // Innermost groups first, until nothing changes: \frac{a}{\sqrt{b}} -> (a)/(√(b)).
    for (var i = 0, before = null; i < 8 && before !== tex; i++) {
      before = tex;
      tex = tex
        .replace(/\\(?:mathbf|boldsymbol|mathrm|mathit|mathcal|operatorname|text|textrm|bm|hat|bar|tilde|vec)\s*\{([^{}]*)\}/g, "$1")
        .replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)")
        .replace(/\\[td]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)");
    }
    return tex
      // (?![A-Za-z]): \leftarrow is an arrow, not \left + "arrow"
      .replace(/\\(?:left|right|big|Big|bigg|Bigg|displaystyle|tfrac|dfrac|quad|qquad|nonumber)(?![A-Za-z])|\\label\{[^}]*\}/g, " ")
      .replace(/\\([A-Za-z]+)/g, function (m, name) {
        if (GREEK[name] !== undefined) return GREEK[name];
        return FUNCTIONS.indexOf(name) >= 0 ? " " + name + " " : "";   // \sin -> sin
      })
      .replace(/\\[,;:! ]|&|\\\\/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function install() {
    if (typeof Search === "undefined") {
      // On the search page searchtools.js is deferred after this script: patch at
      // DOMContentLoaded, before Search.init (which searchtools registers later) runs.
      if (document.readyState !== "complete" && !install.waiting) {
        install.waiting = true;
        document.addEventListener("DOMContentLoaded", install);
      }
      return;
    }
    if (!Search.htmlToText || Search.htmlToText.optimBook) return;
    var original = Search.htmlToText;
    var patched = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(FURNITURE).forEach(function (el) { el.remove(); });
      // A typeset formula keeps its TeX in data-tex (book/_assets/mathrender.js); one swapped in
      // later (data-m) keeps it as its text, between \( \) or \[ \], after its equation number.
      doc.querySelectorAll(".math").forEach(function (m) {
        var tex = m.getAttribute("data-tex");
        if (tex === null) {
          m.querySelectorAll(".eqno").forEach(function (e) { e.remove(); });
          tex = m.textContent.trim().replace(/^\\[(\[]/, "").replace(/\\[)\]]$/, "");
        }
        m.textContent = " " + texToText(tex) + " ";
      });
      return original.call(this, "<!DOCTYPE html>" + doc.documentElement.outerHTML, anchor);
    };
    patched.optimBook = true;
    Search.htmlToText = patched;
  }
  window.optimBookTexToText = texToText;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();
})();

/* The search terms, marked on the page a search result opened. Sphinx's
 * sphinx_highlight.js marks them only on pages without searchtools.js, and
 * pydata-sphinx-theme loads searchtools.js on every page (for its search field),
 * so the terms the search page leaves in localStorage were never used. Here they
 * are marked in the article only (not the sidebars, not inside formulas or
 * widgets), the page scrolls to the first one unless the link has its own #anchor,
 * and a bar above the article counts them and clears them (Esc clears them too). */
(function () {
  "use strict";
  var KEY = "sphinx_highlight_terms";
  var SKIP = ".math, mjx-container, script, style, textarea, button, svg, .frame-slider, .search-hits";

  function takeTerms() {
    var url = new URL(window.location.href);
    var text = localStorage.getItem(KEY) || url.searchParams.get("highlight") || "";
    localStorage.removeItem(KEY);
    if (url.searchParams.has("highlight")) {
      url.searchParams.delete("highlight");
      history.replaceState(history.state, "", url);
    }
    return text.toLowerCase().split(/\s+/).filter(function (t) { return t; });
  }

  function mark(root, term) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var el = node.parentElement;
        return el && !el.closest(SKIP) && !el.classList.contains("highlighted") &&
          node.data.toLowerCase().indexOf(term) >= 0 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var at;
      while (node && (at = node.data.toLowerCase().indexOf(term)) >= 0) {
        var hit = node.splitText(at);
        node = hit.splitText(term.length);
        var span = document.createElement("span");
        span.className = "highlighted";
        hit.parentNode.replaceChild(span, hit);
        span.appendChild(hit);
      }
    });
  }

  function clear(bar) {
    document.querySelectorAll("article.bd-article span.highlighted").forEach(function (span) {
      span.replaceWith(document.createTextNode(span.textContent));
    });
    if (bar) bar.remove();
  }

  function showBar(article, count, terms) {
    var bar = document.createElement("div");
    bar.className = "search-hits";
    bar.setAttribute("role", "status");
    bar.textContent = "本页有 " + count + " 处“" + terms.join(" ") + "”已高亮。";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "清除高亮";
    button.addEventListener("click", function () { clear(bar); });
    bar.appendChild(button);
    article.insertBefore(bar, article.firstChild);
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && bar.isConnected) clear(bar);
    });
  }

  function init() {
    if (document.getElementById("search-results")) return;  // the search page keeps its query
    var terms = takeTerms();
    var article = document.querySelector("article.bd-article");
    if (!terms.length || !article) return;
    terms.forEach(function (term) { mark(article, term); });
    var hits = article.querySelectorAll("span.highlighted");
    if (!hits.length) return;
    showBar(article, hits.length, terms);
    var first = Array.prototype.find.call(hits, function (h) { return h.offsetParent !== null; });
    if (window.location.hash || !first) return;
    first.scrollIntoView({block: "center"});
    // formulas typeset later change the layout: look again once MathJax is done
    var mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    if (mj) mj.then(function () { first.scrollIntoView({block: "center"}); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
