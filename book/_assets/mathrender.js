#!/usr/bin/env node
/* Formulas typeset at build time (run by book/_assets/static_math.py after Sphinx has
 * written the HTML; MathJax 3 from npm, package-lock.json, offline).
 *
 * Usage: node mathrender.js --root SITE_ROOT FILE.html...
 *
 * For each page, every formula Sphinx wrote (<span class="math">\(...\)</span> and
 * <div class="math">\[...\]</div> or an amsmath environment) is typeset to MathJax's
 * CHTML with its hidden MathML for screen readers:
 *  - the formulas near the top of the page (within FIRST_SCREEN characters of article
 *    text) are written into the page itself, so the first screen shows typeset math at
 *    once, with no layout shift, and keep their TeX in data-tex (for search snippets);
 *  - every other formula keeps its TeX as its text and gets data-m=k (and class=math: both
 *    written as short as HTML allows, as there are hundreds); its typeset form
 *    is entry k of FILE.math.json, which book/_static/mathlazy.js fetches after the page
 *    has loaded and swaps in as formulas come near the viewport (a page with 400 formulas
 *    would otherwise carry ~0.4 MB more HTML before its first paint);
 *  - the CSS the page's own formulas need (MathJax's base rules and the glyphs they draw)
 *    goes into a <style> in its <head>; what only the formulas swapped in later need goes
 *    into FILE.math.json with them ({"css": ..., "formulas": [...]}), so the page does not
 *    carry 7-18 KB of glyph rules before its first paint. Both are minified (csso).
 * No MathJax runs in the reader's browser.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const csso = require("csso");

const FIRST_SCREEN = 2000;   // characters of article text typeset into the page itself
const FONT_URL = "mathjax/output/chtml/fonts/woff-v2";   // relative to the site root

function unescapeHtml(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
}

/* The TeX of a Sphinx math element's inner HTML, and whether it is a display formula. */
function texOf(inner, isDiv) {
  let tex = unescapeHtml(inner.replace(/<span class="eqno">[\s\S]*?<\/span>/, "").trim());
  let m = /^\\\(([\s\S]*)\\\)$/.exec(tex);
  if (m) return { tex: m[1], display: false };
  m = /^\\\[([\s\S]*)\\\]$/.exec(tex);
  if (m) return { tex: m[1], display: true };
  return { tex: tex, display: isDiv };   // an amsmath environment (\begin{align} ...)
}

// An inline formula takes the punctuation right after it (group 4) into a nowrap box, so no
// line starts with "，" (a formula is one unbreakable box; Chromium breaks before the mark).
const MATH_RE = /(<span class="math notranslate nohighlight")([^>]*)>([\s\S]*?)<\/span>([，。、；：！？）》」』”’,.;:!?)]+)?|(<div class="math notranslate nohighlight")([^>]*)>([\s\S]*?)<\/div>/g;

function textLength(html) {
  return html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<[^>]+>/g, "").replace(/\s+/g, " ").length;
}

/* MathJax's CHTML stylesheet so far, as a list of rules (it writes one per blank-line block). */
function styleRules(MathJax) {
  const text = MathJax.startup.adaptor.textContent(MathJax.chtmlStylesheet());
  return text.split(/\n\s*\n/).map(function (r) { return r.trim(); }).filter(Boolean);
}

function minifyCss(rules) {
  return csso.minify(rules.join("\n"), { restructure: false }).css;
}

function renderPage(MathJax, file) {
  const adaptor = MathJax.startup.adaptor;
  const html = fs.readFileSync(file, "utf8");
  const article = html.indexOf("<article");
  MathJax.startup.output.clearCache();
  const lazy = [];
  let eagerRules = null;   // the stylesheet's rules before the first formula swapped in later
  let textSeen = 0, last = article;
  const out = html.replace(MATH_RE, function (whole, sOpen, sAttrs, sInner, punct, dOpen, dAttrs, dInner, offset) {
    const wrap = function (h) { return punct ? '<span class="math-nobr">' + h + punct + "</span>" : h; };
    const isDiv = !!dOpen;
    // "nohighlight" only tells highlight.js (not on this site) to leave the element alone.
    const open = (isDiv ? dOpen : sOpen).replace(" nohighlight", "");
    const attrs = isDiv ? dAttrs : sAttrs, inner = isDiv ? dInner : sInner;
    const close = isDiv ? "</div>" : "</span>";
    if (/data-(tex|m)=/.test(attrs)) return whole;   // typeset by an earlier run on this file
    const { tex, display } = texOf(inner, isDiv);
    if (article >= 0 && offset > last) {
      textSeen += textLength(html.slice(last, offset));
      last = offset;
    }
    const eager = article < 0 || offset < article || textSeen < FIRST_SCREEN;
    if (!eager && eagerRules === null) eagerRules = styleRules(MathJax);
    const node = MathJax.tex2chtml(tex, { display: display });
    const chtml = adaptor.outerHTML(node);
    if (chtml.indexOf("<mjx-merror") >= 0) ERRORS.push(file + ": TeX error in " + JSON.stringify(tex));
    const eqno = (/<span class="eqno">[\s\S]*?<\/span>/.exec(inner) || [""])[0];
    if (eager) {
      // data-tex keeps the source for search snippets (site.js turns it into plain text); a
      // formula swapped in later keeps its TeX as its text until then, so it needs no copy.
      const texAttr = ' data-tex="' + tex.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;") + '"';
      return wrap(open + attrs + texAttr + ">" + eqno + chtml + close);
    }
    lazy.push(chtml);
    // The shortest markup that holds (a page has up to 700 of these): class "math" alone
    // (mathlazy.js adds "notranslate" when it swaps the formula in), unquoted values.
    const lazyOpen = (isDiv ? "<div" : "<span") + " class=math";
    return wrap(lazyOpen + attrs + " data-m=" + (lazy.length - 1) + ">" + inner + close);
  });
  if (out === html) return 0;
  const fontUrl = path.posix.join(path.relative(path.dirname(file), ROOT).split(path.sep).join("/") || ".", FONT_URL);
  const fonts = function (css) { return css.split(FONT_URL_PLACEHOLDER).join(fontUrl); };
  const allRules = styleRules(MathJax);
  const inPage = eagerRules === null ? allRules : eagerRules;
  const have = new Set(inPage);
  const later = allRules.filter(function (r) { return !have.has(r); });
  const page = out.replace("</head>", '<style id="MJX-CHTML-styles">' + fonts(minifyCss(inPage)) + "</style>\n</head>");
  fs.writeFileSync(file, page);
  if (lazy.length) {
    const data = { css: fonts(minifyCss(later)), formulas: lazy };
    fs.writeFileSync(file.replace(/\.html$/, ".math.json"), JSON.stringify(data));
  }
  return lazy.length;
}

const FONT_URL_PLACEHOLDER = "@@MATHJAX_FONTS@@";
let ROOT = ".";
const ERRORS = [];

function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--root") { ROOT = args[1]; args.splice(0, 2); }
  const files = args;
  require("mathjax").init({
    loader: { load: ["input/tex-full", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"] },
    chtml: { fontURL: FONT_URL_PLACEHOLDER },
    startup: { typeset: false },
  }).then(function (MathJax) {
    let n = 0;
    for (const file of files) {
      const count = (fs.readFileSync(file, "utf8").match(MATH_RE) || []).length;
      renderPage(MathJax, file);
      n += count;
    }
    console.log("mathrender: typeset " + n + " formulas in " + files.length + " pages");
    ERRORS.forEach(function (e) { console.error("mathrender: " + e); });
    if (ERRORS.length) process.exit(3);
  }).catch(function (err) {
    console.error(err && err.stack || err);
    process.exit(1);
  });
}

main();
