"""What makes a long chapter quick on a phone (issue 25), checked on the built site.

Nothing here times anything (speed is measured by bench/lighthouse.py, see bench/README.md);
these tests fail when one of the measures is undone:

* code blocks carry no <span> for tokens drawn in the block's own colour (operators included),
  and one class name per colour (code_markup.py);
* Font Awesome's fonts, and MathJax's TeX fonts, are loaded as subsets holding every icon or
  character the site draws (font_subset.py);
* a page's <head> has the MathJax glyph rules of its own formulas only; those of the formulas
  swapped in later come with them in PAGE.math.json (mathrender.js);
* the scripts that only add interactions are fetched after the load event (page_speed.py,
  late.js);
* sections far from the screen are not laid out until needed (content-visibility in site.css),
  and a link to a #section still lands on it;
* code draws its Chinese with the body text's fonts, so a page opens one Chinese face, not two
  (site.css);
* pydata-sphinx-theme's load-time scan of every <pre> and output is off (site.js), and a box
  that scrolls sideways anywhere on the page is still a Tab stop once the reader uses Tab.

Run alone, these tests build the site if _build/html is missing; skipped (one line) only when
Chromium or chromedriver is missing.
"""
from __future__ import annotations

import json
import re
import sys

import pytest

import site_support as ss
from toc import toc_files

ss.ensure_built()
CHAPTERS = [ss.page_path(d) for d in toc_files() if d != "book/index"]
CODE_BLOCK_RE = re.compile(r'<div class="highlight"><pre>(.*?)</pre></div>', re.S)


def _assets():
    path = str(ss.ROOT / "book" / "_assets")
    if path not in sys.path:
        sys.path.insert(0, path)


def _longest():
    """The chapter with the most HTML (the slowest to lay out)."""
    site = ss.require_site()
    return max((p for p in CHAPTERS if (site / p).is_file()), key=lambda p: (site / p).stat().st_size)


def _bundle():
    _assets()
    from css_bundle import built_bundles

    found = built_bundles(ss.require_site())
    assert len(found) == 1, f"expected one bundled stylesheet, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def site_url():
    with ss.serve(ss.require_site()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site_url):
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as drv:
        yield drv


# --------------------------------------------------------------------------- build output
def test_code_blocks_carry_no_plain_token_spans():
    """No code block wraps a token in a span whose colour is the block's own (n, p, w ...): on
    newton.html those spans were 120 KB of 433 KB of HTML."""
    _assets()
    from code_markup import plain_classes

    site = ss.require_site()
    classes = plain_classes((site / "_static" / "pygments.css").read_text(encoding="utf-8"))
    assert {"n", "p"} <= classes, f"names and punctuation should be plain-coloured: {sorted(classes)}"
    span = re.compile(r'<span class="(?:%s)">' % "|".join(sorted(classes)))
    found, blocks = [], 0
    for page in CHAPTERS:
        for code in CODE_BLOCK_RE.findall((site / page).read_text(encoding="utf-8")):
            blocks += 1
            if span.search(code):
                found.append(page)
                break
    assert blocks, "no code block found"
    assert not found, f"code blocks still wrap plain tokens in spans: {found}"


def test_code_token_colours_go_by_one_name_each():
    """Token classes of the same colours are renamed to one (s1, s2, si, sa -> o ...): no code
    block uses a class that has a shorter same-coloured name."""
    _assets()
    from code_markup import colour_classes

    site = ss.require_site()
    canon = colour_classes((site / "_static" / "pygments.css").read_text(encoding="utf-8"))
    assert canon.get("s1") == canon.get("s2") == canon.get("si"), "the string classes should share a colour"
    found = set()
    for page in CHAPTERS:
        for code in CODE_BLOCK_RE.findall((site / page).read_text(encoding="utf-8")):
            found.update(f"{page}: {c}" for c in re.findall(r'<span class="([\w-]+)">', code)
                         if canon.get(c, c) != c)
    assert not found, f"code blocks use {len(found)} non-canonical classes: {sorted(found)[:10]}"


def test_operators_are_drawn_in_the_block_colour():
    """Operators (. = + ** ...) carry no span of their own (code_markup.PLAIN_BY_CHOICE): they
    are drawn in the code block's colour, not the strings' green, and cost no markup."""
    site = ss.require_site()
    operator = re.compile(r'<span class="[\w-]+">[-+*/%=<>!&|^~.@]+</span>')
    found = []
    for page in CHAPTERS:
        hits = [m.group(0) for code in CODE_BLOCK_RE.findall((site / page).read_text(encoding="utf-8"))
                for m in operator.finditer(code)]
        if hits:
            found.append(f"{page}: {len(hits)}, e.g. {hits[0]}")
    assert not found, "operators still wrapped in spans:\n" + "\n".join(found)


def test_figures_have_their_size_and_load_when_near():
    """Every output figure of a chapter has width and height (no layout shift when it arrives)
    and loading="lazy" (page_speed.EAGER_IMAGES is 0: no chapter has a figure on a phone's
    first screen)."""
    site = ss.require_site()
    img = re.compile(r'<img\b[^>]*\bsrc="[^"]*_images/[^"]*"[^>]*>')
    bad, seen = [], 0
    for page in CHAPTERS:
        for tag in img.findall((site / page).read_text(encoding="utf-8")):
            if "frame-slider__image" in tag:
                continue
            seen += 1
            if not all(a in tag for a in (' width="', ' height="', ' loading="lazy"')):
                bad.append(f"{page}: {tag[:120]}")
    assert seen, "no figure found"
    assert not bad, f"{len(bad)} figures without size or lazy loading:\n" + "\n".join(bad[:10])


def test_icon_fonts_are_small_subsets_with_every_icon():
    """The bundle's Font Awesome faces load WOFF subsets of at most 20 KB (the whole solid font is
    156 KB), and each subset maps every icon code point the stylesheet names that the full font
    has."""
    _assets()
    from fontTools.ttLib import TTFont
    from font_subset import icon_code_points

    bundle = _bundle()
    css = bundle.read_text(encoding="utf-8")
    faces = [f for f in re.findall(r"@font-face\s*\{[^}]*\}", css) if "fontawesome" in f]
    assert faces, "no Font Awesome @font-face in the bundle"
    wanted = icon_code_points([css])
    problems = []
    for face in faces:
        urls = re.findall(r"url\(([^)]+)\)", face)
        if len(urls) != 1 or not urls[0].endswith(".woff"):
            problems.append(f"not one subset WOFF: {urls}")
            continue
        path = (bundle.parent / urls[0]).resolve()
        if not path.is_file() or path.stat().st_size > 20_000:
            problems.append(f"{urls[0]}: missing or over 20 KB")
            continue
        full = TTFont(str(path.parent / (path.name.split(".")[0] + ".ttf")))
        have = set(TTFont(str(path)).getBestCmap())
        lost = sorted(hex(c) for c in wanted & set(full.getBestCmap()) - have)
        if lost:
            problems.append(f"{urls[0]} lacks {lost}")
    assert not problems, "\n".join(problems)


def _code_points(path):
    """Every Unicode code point the font at ``path`` maps (its Unicode cmap subtables; the Mac
    Roman one numbers characters differently)."""
    from fontTools.ttLib import TTFont

    return {c for table in TTFont(str(path))["cmap"].tables if table.isUnicode() for c in table.cmap}


MJX_STYLE_RE = re.compile(r'<style id="MJX-CHTML-styles">(.*?)</style>', re.S)


def _math_styles(path):
    """The MathJax CSS of a page: the <style> in its head and the "css" of its PAGE.math.json."""
    style = MJX_STYLE_RE.search(path.read_text(encoding="utf-8"))
    lazy = path.with_suffix(".math.json")
    styles = [style.group(1)] if style else []
    if lazy.is_file():
        styles.append(json.loads(lazy.read_text(encoding="utf-8"))["css"])
    return styles


def test_tex_fonts_are_subsets_with_every_character():
    """Each page's MathJax @font-face rules (in the page and in its PAGE.math.json) load subsets
    (smaller than MathJax's own file), and each subset has every character the page's glyph
    rules draw that the full font has."""
    _assets()
    from font_subset import TINY, math_characters

    site = ss.require_site()
    cmaps, problems, pages = {}, [], 0
    for page in CHAPTERS:
        path = site / page
        styles = _math_styles(path)
        if not styles:
            continue
        pages += 1
        drawn = {ord(c) for c in math_characters(styles)}
        for url in re.findall(r'url\("?([^")]+\.woff)"?\)', " ".join(styles)):
            font = (path.parent / url).resolve()
            full = font.parent / (font.name.split(".")[0] + ".woff")
            if font == full and full.stat().st_size <= TINY:
                continue   # kept whole: nothing to gain
            if font == full or not font.is_file() or font.stat().st_size >= full.stat().st_size:
                problems.append(f"{page}: {url} is not a smaller subset")
                continue
            if font not in cmaps:
                cmaps[font] = (_code_points(font), _code_points(full))
            have, whole = cmaps[font]
            lost = sorted(chr(c) for c in drawn & whole - have)
            if lost:
                problems.append(f"{page}: {font.name} lacks {lost[:10]}")
    assert pages, "no page has typeset formulas"
    assert not problems, "\n".join(problems[:20])


GLYPH_RULE_RE = re.compile(r"mjx-c((?:\.[\w-]+)+)::before")
GLYPH_USE_RE = re.compile(r'<mjx-c class="([^"]+)"')


def _glyphs_used(markup):
    return {frozenset(c.split()) for c in GLYPH_USE_RE.findall(markup)}


def _glyphs_styled(css):
    return {frozenset(c.strip(".").split(".")) for c in GLYPH_RULE_RE.findall(css)}


def test_each_page_carries_the_glyph_rules_of_its_own_formulas_only():
    """MathJax's glyph rules are split: the page's <style> has those of the formulas typeset in
    the page and no others; PAGE.math.json's "css" has the rest its other formulas need. No
    formula lacks the rule of a glyph it draws (it would be drawn empty)."""
    site = ss.require_site()
    problems, pages, split = [], 0, 0
    for page in CHAPTERS:
        path = site / page
        html = path.read_text(encoding="utf-8")
        style = MJX_STYLE_RE.search(html)
        if not style:
            continue
        pages += 1
        body = html[style.end():]
        in_page, head = _glyphs_used(body), _glyphs_styled(style.group(1))
        if in_page - head:
            problems.append(f"{page}: no rule in the page for {len(in_page - head)} glyphs it draws")
        if head - in_page:
            problems.append(f"{page}: {len(head - in_page)} glyph rules in the page for glyphs it does not draw")
        lazy = path.with_suffix(".math.json")
        if lazy.is_file():
            data = json.loads(lazy.read_text(encoding="utf-8"))
            later, styled = _glyphs_used("".join(data["formulas"])), _glyphs_styled(data["css"])
            split += bool(styled)
            missing = later - head - styled
            if missing:
                problems.append(f"{page}: no rule for {len(missing)} glyphs of the formulas swapped in later")
    assert pages, "no page has typeset formulas"
    assert split, "no PAGE.math.json carries glyph rules: the split is undone"
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- in the browser
SECTIONS_JS = """
const secs = Array.from(document.querySelectorAll('.bd-article section > section'));
const fromEnd = s => Array.from(s.parentElement.children).filter(c => c.tagName === 'SECTION').reverse().indexOf(s);
return secs.map(s => ({id: s.id, cv: getComputedStyle(s).contentVisibility, last: fromEnd(s) < 2}));
"""


def test_sections_far_from_the_screen_are_not_laid_out(browser, site_url):
    """On the longest chapter, the sections (but the last two of each level) have
    content-visibility auto, and opening the page at a late #section puts that section's heading
    at the top."""
    page = _longest()
    browser.get(site_url + page)
    ss.settle(browser)
    secs = browser.execute_script(SECTIONS_JS)
    assert len(secs) > 3, f"{page}: too few sections to check"
    wrong = [s["id"] for s in secs if s["cv"] != ("visible" if s["last"] else "auto")]
    assert not wrong, f"{page}: sections without the expected content-visibility: {wrong}"
    target = [s for s in secs if not s["last"]][-1]["id"]
    browser.get(site_url + page + "#" + target)
    ss.settle(browser)
    top = browser.execute_script(
        "return document.getElementById(arguments[0]).querySelector('h2, h3, h4').getBoundingClientRect().top",
        target)
    assert -5 <= top <= 200, f"{page}#{target}: the heading is at {top:.0f} px, not at the top of the window"


# A family name that is a Chinese (or other CJK) font: "Noto Sans Mono CJK SC", "PingFang SC", ...
CJK_FAMILY_RE = re.compile(r"CJK|\b(SC|TC|CN|GB)$|Hei|YaHei|PingFang|Hiragino|Han Sans|Song|Kai|Ming")

FONT_STACKS_JS = """
const code = Array.from(document.querySelectorAll('div.highlight pre'))
  .find(p => /[\\u4e00-\\u9fff]/.test(p.textContent));
return [getComputedStyle(document.body).fontFamily, code ? getComputedStyle(code).fontFamily : null];
"""


def test_code_draws_chinese_with_the_body_fonts(browser, site_url):
    """A code block with Chinese in it names no Chinese font the body text does not: opening a
    second Chinese face ("Noto Sans Mono CJK SC") cost about 50 ms of every page's first layout
    (bench/font_cost.py), for the same ideographs."""
    browser.get(site_url + "book/ch05_momentum.html")
    body, code = browser.execute_script(FONT_STACKS_JS)
    assert code, "ch05_momentum: no code block with Chinese in it to check"
    names = lambda stack: [f.strip().strip('"') for f in stack.split(",")]
    extra = [f for f in names(code) if CJK_FAMILY_RE.search(f) and f not in names(body)]
    assert not extra, f"the code font stack names Chinese fonts the body text does not: {extra}"


THEME_MARKS_JS = """
return Array.from(document.querySelectorAll('pre, .cell_output > .output, .pst-scrollable-table-container'))
  .filter(e => e.getAttribute('tabindex') === '-1').length;
"""

FAR_SCROLLERS_JS = """
const boxes = Array.from(document.querySelectorAll('div.highlight pre, div.math mjx-container[display], .cell_output pre'));
const far = boxes.filter(b => b.getBoundingClientRect().top > 3 * innerHeight);
return far.filter(b => b.scrollWidth > b.clientWidth + 3)
  .map(b => ({tab: b.tabIndex, role: b.getAttribute('role'), label: b.getAttribute('aria-label')}));
"""


def test_theme_scan_is_off_and_wide_boxes_stay_tab_stops(site_url):
    """At phone width, on the longest chapter: the theme's scan (tabindex=-1 on every <pre> and
    output that does not scroll) has not run; after the first Tab, every box that scrolls
    sideways, however far down the page, is a named Tab stop."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = _longest()
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as phone:
        ss.emulate_phone(phone)
        phone.get(site_url + page)
        ss.settle(phone)
        marked = phone.execute_script(THEME_MARKS_JS)
        assert marked == 0, f"{page}: the theme's scan set tabindex=-1 on {marked} boxes"
        ActionChains(phone).send_keys(Keys.TAB).perform()
        boxes = phone.execute_script(FAR_SCROLLERS_JS)
    assert boxes, f"{page}: no box far down the page scrolls sideways at phone width"
    missing = [b for b in boxes if b["tab"] != 0 or b["role"] != "region" or not b["label"]]
    assert not missing, f"{page}: {len(missing)} of {len(boxes)} wide boxes are not named Tab stops: {missing[:3]}"


LATE_JS = """
const nav = performance.getEntriesByType('navigation')[0];
const names = arguments[0];
const fetched = performance.getEntriesByType('resource')
  .map(r => [r.name.split('?')[0].split('/').pop(), r.startTime])
  .filter(r => names.includes(r[0]));
return {load: nav.loadEventStart, fetched: fetched, state: document.documentElement.getAttribute('data-late-scripts'),
        bootstrap: typeof window.bootstrap, copyButtons: document.querySelectorAll('.copybtn').length,
        codeBlocks: document.querySelectorAll('div.cell_input div.highlight').length};
"""


def test_interaction_scripts_wait_for_the_load_event(browser, site_url):
    """On the longest chapter and the playground, the scripts of page_speed.LATE_SCRIPTS are
    fetched only after the load event (not competing with the text, stylesheet and first
    figures), and then all run: Bootstrap is there, every code cell has its copy button."""
    _assets()
    from page_speed import LATE_SCRIPTS

    for page in (_longest(), "book/playground.html"):
        html = (ss.require_site() / page).read_text(encoding="utf-8")
        listed = [n for n in LATE_SCRIPTS if f"/{n}" in html]
        assert "bootstrap.js" in listed, f"{page}: the theme's scripts are not on the page"
        browser.get(site_url + page)
        ss.settle(browser)
        ss.wait_for_late_scripts(browser, page)
        got = browser.execute_script(LATE_JS, listed)
        early = [(n, round(t)) for n, t in got["fetched"] if t < got["load"]]
        assert not early, f"{page}: fetched before the load event ({got['load']:.0f} ms): {early}"
        assert sorted({n for n, _ in got["fetched"]}) == sorted(listed), f"{page}: not all fetched: {got}"
        assert got["bootstrap"] == "object", f"{page}: bootstrap.js did not run"
        assert got["copyButtons"] >= got["codeBlocks"], f"{page}: copy buttons missing: {got}"


def test_code_blocks_get_copy_buttons_without_sphinx_copybutton():
    """sphinx-copybutton's scripts (copybutton.js, clipboard.min.js: an SVG parsed per code block,
    Lighthouse's longest task after ch09's first paint) are on no page; copy_code.py's script is
    on every page with a code block and on no other."""
    _assets()
    from copy_code import CODE_BLOCK, SCRIPT

    site = ss.require_site()
    wrong = []
    for page in CHAPTERS + ["search.html"]:
        html = (site / page).read_text(encoding="utf-8")
        if re.search(r"/(copybutton|clipboard\.min)\.js", html):
            wrong.append(f"{page}: loads sphinx-copybutton")
        store = (site / page).with_suffix(".answers.json")
        answers = store.read_text(encoding="utf-8") if store.is_file() else ""
        has_code = CODE_BLOCK in html or CODE_BLOCK.replace('"', '\\"') in answers
        if (f"/{SCRIPT}" in html) != has_code:
            wrong.append(f"{page}: {SCRIPT} {'missing' if has_code else 'without a code block'}")
    assert not wrong, "\n".join(wrong)


COPY_STATE_JS = """
const pres = [...document.querySelectorAll('div.highlight > pre')];
return {pres: pres.length,
        buttons: pres.filter(p => p.nextElementSibling && p.nextElementSibling.matches('button.copybtn')).length,
        all: document.querySelectorAll('button.copybtn').length,
        unnamed: [...document.querySelectorAll('button.copybtn')].filter(b => !b.getAttribute('aria-label')).length,
        answers: document.querySelectorAll('section[data-answer]').length};
"""

READ_CLIPBOARD_JS = """
const done = arguments[arguments.length - 1];
navigator.clipboard.readText().then(done, e => done('clipboard not readable: ' + e));
"""


HIDE_CLIPBOARD_API_JS = "Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});"
SHOW_CLIPBOARD_API_JS = "delete navigator.clipboard;"


def _copy_and_read(browser, button, without_api):
    """Click a copy button (with the Clipboard API hidden, as on a page opened from a file, if
    `without_api`); what the clipboard then holds, and what the button and the status line say."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    if without_api:
        browser.execute_script(HIDE_CLIPBOARD_API_JS)
    try:
        button.click()
        ss.wait_until(lambda: browser.execute_script(
            "return arguments[0].dataset.tooltip !== '\u590d\u5236'", button), 5,
            message="the copy to be reported")
    finally:
        if without_api:
            browser.execute_script(SHOW_CLIPBOARD_API_JS)
    return (browser.execute_async_script(READ_CLIPBOARD_JS), button.get_attribute("data-tooltip"),
            browser.execute_script("return document.getElementById('copybtn-status').textContent"))


def test_copy_buttons_copy_their_code(browser, site_url):
    """On the longest chapter, once the late scripts and the worked answers are in, every code
    block (the answers' too) has one named copy button, and pressing one puts exactly that
    block's code on the clipboard, by the Clipboard API and, where the page has none (opened
    from a file), by the selection fallback; the button and a status line say it worked."""
    from selenium.webdriver.common.by import By

    page = _longest()
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": site_url.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.get(site_url + page)
    ss.settle(browser)
    ss.wait_for_late_scripts(browser, page)
    ss.wait_until(lambda: browser.execute_script(COPY_STATE_JS)["answers"] == 0, 10,
                  message=f"{page}: the answers to be put back")
    state = browser.execute_script(COPY_STATE_JS)
    assert state["pres"] > 10 and state["buttons"] == state["pres"] == state["all"], f"{page}: {state}"
    assert state["unnamed"] == 0, f"{page}: copy buttons without a name: {state}"

    buttons = browser.find_elements(By.CSS_SELECTOR, "div.cell_input div.highlight > button.copybtn")
    for button, without_api in ((buttons[1], False), (buttons[-1], True)):
        how = "selection fallback" if without_api else "Clipboard API"
        code = browser.execute_script("return arguments[0].previousElementSibling.textContent", button)
        copied, tip, status = _copy_and_read(browser, button, without_api)
        assert copied == code, f"{page}, {how}: the clipboard holds {copied[:80]!r}, not {code[:80]!r}"
        assert tip == status == "\u5df2\u590d\u5236", f"{page}, {how}: the button says {tip!r}, the status {status!r}"


def test_tab_script_only_where_there_are_tabs():
    """sphinx-design's design-tabs.js is on the pages that have its tab sets and no others."""
    site = ss.require_site()
    wrong = []
    for page in CHAPTERS + ["search.html"]:
        html = (site / page).read_text(encoding="utf-8")
        if ("design-tabs.js" in html) != ("sd-tab-set" in html):
            wrong.append(page)
    assert not wrong, f"design-tabs.js loaded without tabs (or missing with tabs): {wrong}"


def test_search_page_keeps_its_scripts_in_order():
    """The search page is left as it was: its search needs doctools.js before searchtools.js
    runs, so none of its scripts is turned into a late one."""
    _assets()
    from page_speed import LATE_TYPE

    html = (ss.require_site() / "search.html").read_text(encoding="utf-8")
    assert LATE_TYPE not in html, "search.html has late scripts"
    assert re.search(r'<script defer="defer" src="[^"]*doctools\.js', html), "doctools.js is not deferred on search.html"


THEME_AT_READY_JS = """
window.__optim = {theme: null, shifts: 0};
document.addEventListener('DOMContentLoaded', function () {
  window.__optim.theme = document.documentElement.dataset.theme;
});
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__optim.shifts += e.value; });
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_mode_is_resolved_before_the_theme_script(site_url, scheme):
    """A first visit (no stored choice) has data-theme "light" or "dark", as the reader's
    system asks, before the theme's script runs (after the load event), and the page does not
    move when that script runs: data-theme "auto" matched no rule (no theme colours, and the
    code blocks' line height changed later, a layout shift of 0.089 on this page at 412 px)."""
    page = "book/gradients_and_landscapes.html"
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as phone:
        ss.emulate_phone(phone, 412, 823)
        phone.execute_cdp_cmd("Emulation.setEmulatedMedia",
                              {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": THEME_AT_READY_JS})
        phone.get(site_url + page)
        ss.settle(phone)
        ss.wait_for_late_scripts(phone, page)
        got = phone.execute_script("return window.__optim")
        final = phone.execute_script("return document.documentElement.dataset.theme")
    assert got["theme"] == scheme == final, f"{page}: data-theme {got['theme']!r} at DOMContentLoaded, then {final!r}"
    assert got["shifts"] < 0.05, f"{page}: layout shift {got['shifts']:.3f} while loading"


ANSWER_SLOT_RE = re.compile(r'<section id="[^"]*-solution-\d+-content" data-answer="(\d+)"><noscript>')


def test_worked_answers_travel_in_their_own_file():
    """No chapter carries the content of its folded answers: each solution's section is an
    empty slot (with a note for readers without JavaScript) whose content is entry k of
    PAGE.answers.json, and every entry is used once (lazy_answers.py)."""
    site = ss.require_site()
    problems, pages = [], 0
    for page in CHAPTERS:
        path = site / page
        html = path.read_text(encoding="utf-8")
        solutions = len(re.findall(r'<div class="solution[^"]*"', html))
        if not solutions:
            continue
        pages += 1
        slots = [int(k) for k in ANSWER_SLOT_RE.findall(html)]
        store = path.with_suffix(".answers.json")
        answers = json.loads(store.read_text(encoding="utf-8")) if store.is_file() else []
        if len(slots) != solutions or sorted(slots) != list(range(len(answers))):
            problems.append(f"{page}: {solutions} solutions, slots {slots}, {len(answers)} stored answers")
        elif not all(a.strip() for a in answers):
            problems.append(f"{page}: an empty stored answer")
    assert pages, "no chapter has worked answers"
    assert not problems, "\n".join(problems)


def test_worked_answers_come_back_and_their_formulas_are_typeset(browser, site_url):
    """On the longest chapter, after the load event every answer is back in its slot, and the
    last one, opened, shows typeset formulas, none left as TeX."""
    from selenium.webdriver.common.by import By

    page = _longest()
    browser.get(site_url + page)
    ss.settle(browser)
    ss.wait_until(lambda: browser.execute_script(
        "return document.querySelectorAll('section[data-answer]').length === 0"), 10,
        message=f"{page}: the answers to be put back")
    solution = browser.find_elements(By.CSS_SELECTOR, ".solution.dropdown")[-1]
    browser.execute_script("arguments[0].scrollIntoView()", solution)
    solution.find_element(By.CSS_SELECTOR, "button.toggle-button").click()
    ss.wait_until(lambda: browser.execute_script(
        "return arguments[0].querySelectorAll('mjx-container').length > 0 && "
        "arguments[0].querySelectorAll('[data-m]').length === 0", solution), 10,
        message=f"{page}: the opened answer's formulas to be typeset")
    text = solution.text
    assert len(text) > 40 and "\\(" not in text, f"{page}: the opened answer shows {text[:120]!r}"


def test_bundling_says_so_when_no_stylesheet_is_common(tmp_path, monkeypatch):
    """css_bundle.bundle warns (an error in the -W build) instead of quietly leaving every page
    with its dozen render-blocking stylesheets when no stylesheet is linked by every page (one
    stray page in the output folder was enough, 2026-12-07)."""
    _assets()
    import css_bundle

    for name, css in (("a.html", "theme.css"), ("b.html", "other.css")):
        (tmp_path / name).write_text(f'<html><head><link rel="stylesheet" href="{css}" /></head></html>',
                                     encoding="utf-8")
    said = []
    monkeypatch.setattr(css_bundle.logger, "warning", lambda msg, **kw: said.append(msg))

    class App:
        outdir = str(tmp_path)

        class builder:
            format = "html"

    css_bundle.bundle(App, None)
    assert said and "nothing bundled" in said[0] and "b.html" in said[0], said
