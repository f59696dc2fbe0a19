/* Site script of 《深度学习中的优化算法》 (listed in _config.yml html_js_files).
 *
 * 1. FontAwesome (loaded deferred by sphinx-book-theme) must not watch the DOM:
 *    otherwise it rewrites the <i> icons of ipywidgets (e.g. the Play widget).
 *    This script runs before the deferred theme scripts, so the config is seen.
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

/* ipywidgets' HTML manager typesets widget labels the MathJax 2 way,
 * MathJax.Hub.Queue(["Typeset", MathJax.Hub, el]); the site serves MathJax 3.
 * Give MathJax 3 that entry point, both on the configuration object (the page
 * may render widgets before MathJax loads) and once MathJax is ready. */
(function () {
  "use strict";
  var cfg = window.MathJax;
  if (!cfg || cfg.version) return;  // no math on this page, or MathJax already loaded
  function typeset(job) {
    var el = job && job[2];
    var mj = window.MathJax;
    if (mj && mj.typesetPromise) {
      mj.typesetPromise(el ? [el] : undefined).catch(function () {});
    } else if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(function () { typeset(job); });
    }
  }
  cfg.Hub = { Queue: typeset };
  cfg.startup = cfg.startup || {};
  var ready = cfg.startup.ready;
  cfg.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = { Queue: typeset };
  };
})();

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
      var title = article.querySelector("h1");
      if (title) title.insertAdjacentElement("afterend", box);
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
