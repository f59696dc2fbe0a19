#!/usr/bin/env node
/* One small stylesheet instead of twelve (run by book/_assets/css_bundle.py after the build).
 *
 * Usage: node cssbundle.js SITE_ROOT OUT.css IN1.css IN2.css ...   (paths under SITE_ROOT)
 *
 * Every page's <head> links twelve stylesheets (theme, Bootstrap and Font Awesome classes,
 * extensions), 0.55 MB in all, of which a page uses about a fifth; the browser shows no text
 * until all have arrived, one round trip each on a phone's network. PurgeCSS (npm, pinned)
 * keeps the rules whose selectors occur in the built HTML or in any of the site's scripts
 * (so classes the theme's JavaScript adds stay, e.g. Bootstrap's "show"); the rest are
 * concatenated, in the pages' order, into OUT.css, with relative url()s rewritten for its
 * folder, and minified (csso, pinned; rules are not reordered). Rules for a colour mode
 * (html[data-theme=dark] .x) are kept or dropped like the others, by .x (the attribute and its
 * values are in every page); custom properties no kept rule reads are dropped.
 *
 * Two vendor bundles are not read for selectors: Bootstrap's script names every component it
 * could build (popover, toast, carousel, modal, offcanvas ...) and Font Awesome's names every
 * icon, which kept 31 KB of rules for elements no page has. What Bootstrap does add at run time
 * on these pages, the header's dropdown menus and the buttons' tooltips, is kept by name
 * (BOOTSTRAP_RUNTIME).
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { PurgeCSS } = require("purgecss");
const csso = require("csso");

// Scripts that list far more classes than the site uses (see above).
const VENDOR_SCRIPTS = /[\\/](bootstrap|fontawesome)\.js$/;
// The classes and attributes Bootstrap adds to the header's dropdowns and the tooltips.
const BOOTSTRAP_RUNTIME = {
  standard: ["show", "fade", "showing", "hiding", "collapsing", "collapse"],
  greedy: [/tooltip/, /popper/],
};

function scripts(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(function (e) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return scripts(p);
    return e.name.endsWith(".js") && !VENDOR_SCRIPTS.test(p) ? [p] : [];
  });
}

async function main() {
  const [root, outRel, ...inputs] = process.argv.slice(2);
  const out = path.join(root, outRel);
  // @import inside a bundle would be ignored (it must come first): inline the imported
  // files in their place, in order (the theme's theme.css imports basic.css).
  const files = [];
  function add(file) {
    const text = fs.readFileSync(file, "utf8");
    const body = text.replace(/@import\s+(?:url\(\s*(['"]?)([^'")]+)\1\s*\)|(['"])([^'"]+)\3)\s*;?/g, function (m, q1, u1, q2, u2) {
      add(path.resolve(path.dirname(file), u1 || u2));
      return "";
    });
    files.push({ file: file, text: body });
  }
  inputs.forEach(function (p) { add(path.resolve(root, p)); });
  const result = await new PurgeCSS().purge({
    content: [root + "/**/*.html"].concat(scripts(path.join(root, "_static"))),
    css: files.map(function (f) { return { raw: f.text, name: f.file }; }),
    safelist: {
      standard: BOOTSTRAP_RUNTIME.standard,
      greedy: [/^mjx-/].concat(BOOTSTRAP_RUNTIME.greedy),
    },
    fontFace: true,
    keyframes: true,
    variables: true,
  });
  const parts = files.map(function (f, i) {
    const file = f.file, rel = path.relative(root, file);
    const css = result[i].css;
    // url(x) relative to the source file -> relative to OUT.css
    return "/* " + rel + " */\n" + css.replace(/url\((['"]?)(?!data:|https?:|\/|#)([^'")]+)\1\)/g, function (m, q, u) {
      const target = path.resolve(path.dirname(file), u);
      return "url(" + q + path.relative(path.dirname(out), target).split(path.sep).join("/") + q + ")";
    }).replace(/^@charset "UTF-8";/, "");
  });
  // restructure: false keeps every rule where it was (merging rules can change the cascade).
  const minified = csso.minify(parts.join("\n"), { restructure: false, comments: false }).css;
  fs.writeFileSync(out, '@charset "UTF-8";\n' + minified.replace(/^@charset "UTF-8";/, ""));
  const before = inputs.reduce(function (n, p) { return n + fs.statSync(path.join(root, p)).size; }, 0);
  console.log("cssbundle: " + inputs.length + " stylesheets, " + before + " -> " + fs.statSync(out).size + " bytes");
}

main().catch(function (err) { console.error(err && err.stack || err); process.exit(1); });
