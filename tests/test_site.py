"""Browser tests of the built HTML site (headless Chromium + Selenium 4).

Run after the build (`bash .ci/test` builds first). Skipped with a message when Chromium
or chromedriver is missing, or when _build/html (or $SITE_DIR) has not been built.
"""
from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest

import site_support as ss
from toc import toc_files

TOC_DOCS = toc_files()
# Pages that are not in the toc but every reader reaches.
EXTRA_PAGES = ["search.html", "genindex.html", "index.html"]
ALL_PAGES = [ss.page_path(d) for d in TOC_DOCS] + EXTRA_PAGES


def _read(page):
    return (ss.SITE_DIR / page).read_text(encoding="utf-8")


def _pages_with(pattern):
    site = ss.SITE_DIR
    if not site.is_dir():
        return []
    return [p for p in ALL_PAGES
            if (site / p).is_file() and re.search(pattern, (site / p).read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def site_url():
    site = ss.require_site()
    with ss.serve(site) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site_url):
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as drv:
        yield drv


def _load(browser, url):
    ss.drain_logs(browser)  # discard what earlier pages left behind
    browser.get(url)
    views, rendered = ss.settle(browser)
    return ss.drain_logs(browser), views, rendered


# --------------------------------------------------------------------------- pages load cleanly
@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_cleanly(browser, site_url, page):
    """Zero console errors, zero off-site requests, zero failed requests; widgets render."""
    assert (ss.SITE_DIR / page).is_file(), f"{page} is in the toc but was not built"
    record, views, rendered = _load(browser, site_url + page)
    assert record.requests, "no request was recorded (performance log not working?)"
    found = ss.problems(record, site_url)
    assert not found, f"{page}:\n  " + "\n  ".join(found)
    assert rendered == views, f"{page}: only {rendered} of {views} widget outputs rendered"
    # A widget output saved without its view (or state) falls back to its repr as text.
    text_reprs = browser.execute_script(WIDGET_REPR_JS)
    assert not text_reprs, f"{page}: widget outputs shown as text, not widgets: {text_reprs}"


WIDGET_REPR_JS = r"""
const pattern = /^\s*(VBox|HBox|Box|Stack|Tab|Accordion|SelectionSlider|IntSlider|FloatSlider|Play|Image|Output|interactive)\(children=|^\s*(SelectionSlider|IntSlider|FloatSlider|Play|Image)\((value|index|options)=/;
return Array.from(document.querySelectorAll('.cell_output pre'))
  .map(p => p.textContent).filter(t => pattern.test(t)).map(t => t.slice(0, 80));
"""


# --------------------------------------------------------------------------- sliders
SLIDER_PAGES = _pages_with(r"application/vnd\.jupyter\.widget-view\+json")

VISIBLE_IMAGES_JS = """
const root = arguments[0];
return Array.from(root.querySelectorAll('img'))
  .filter(img => img.offsetParent !== null && img.getBoundingClientRect().width > 0)
  .map(img => img.src);
"""


@pytest.mark.parametrize("page", SLIDER_PAGES or [pytest.param(None, marks=pytest.mark.skip(
    reason="no page has widget outputs yet (chapters are drafts)"))])
def test_sliders_change_the_image(browser, site_url, page):
    """Every slider on the page changes the image it controls (ArrowRight on its handle)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    record, views, rendered = _load(browser, site_url + page)
    assert views and rendered == views, f"{page}: only {rendered} of {views} widget outputs rendered"
    outputs = browser.find_elements(By.CSS_SELECTOR, ".widget-subarea")
    handles_total = 0
    for area in outputs:
        handles = area.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle, "
                                                      ".widget-hslider .noUi-handle")
        for i, handle in enumerate(handles):
            handles_total += 1
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
            before = browser.execute_script(VISIBLE_IMAGES_JS, area)
            assert before, f"{page}: slider {i} has no visible image next to it"
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.click()
            handle.send_keys(Keys.ARROW_LEFT if at_end else Keys.ARROW_RIGHT)
            after = ss.wait_until(
                lambda: (lambda now: now if now and now != before else None)(
                    browser.execute_script(VISIBLE_IMAGES_JS, area)),
                timeout=10, message=f"slider {i} on {page} to change the shown image")
            assert after != before
    assert handles_total, f"{page} has widget outputs but no slider was found"
    found = ss.problems(ss.drain_logs(browser), site_url)
    assert not found, f"{page} after moving sliders:\n  " + "\n  ".join(found)


# --------------------------------------------------------------------------- framework tabs
TAB_PAGES = _pages_with(r'class="cell tag_tensorflow')

SHOWN_FRAMEWORKS_JS = """
return Array.from(document.querySelectorAll('.fw-tabs')).map(g => {
  const shown = Array.from(g.querySelectorAll(':scope > .fw-tabs__panel'))
    .filter(p => !p.hidden && p.offsetParent !== null);
  return shown.map(p => p.dataset.framework).join(',');
});
"""


def _switch_state(browser):
    return browser.execute_script(
        "const b = document.querySelector('#fw-switch [aria-checked=\"true\"]');"
        "return b ? b.dataset.framework : null;")


@pytest.mark.skipif(len(TAB_PAGES) < 1, reason="no page has MXNet/TensorFlow cells yet")
def test_framework_switch_changes_all_tabs_and_persists(browser, site_url):
    from selenium.webdriver.common.by import By

    first = TAB_PAGES[0]
    browser.get(site_url + first)
    browser.execute_script("localStorage.clear()")
    browser.get(site_url + first)
    ss.settle(browser)
    labels = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#fw-switch button")]
    assert labels == ["MXNet", "TensorFlow"]
    groups = ss.wait_until(lambda: browser.execute_script(SHOWN_FRAMEWORKS_JS), 10,
                           message="framework tab groups")
    assert set(groups) == {"mxnet"}, f"default should show MXNet in every group: {groups}"
    assert _switch_state(browser) == "mxnet"
    tab_labels = {t.text for t in browser.find_elements(By.CSS_SELECTOR, ".fw-tabs__tab")}
    assert tab_labels == {"MXNet", "TensorFlow"}

    browser.find_element(By.CSS_SELECTOR, '#fw-switch button[data-framework="tensorflow"]').click()
    assert set(browser.execute_script(SHOWN_FRAMEWORKS_JS)) == {"tensorflow"}
    assert _switch_state(browser) == "tensorflow"

    # The choice holds on the next page (another chapter with tabs if there is one).
    second = TAB_PAGES[1] if len(TAB_PAGES) > 1 else first
    browser.get(site_url + second)
    ss.settle(browser)
    assert _switch_state(browser) == "tensorflow"
    assert set(browser.execute_script(SHOWN_FRAMEWORKS_JS)) == {"tensorflow"}

    # A tab bar inside a group is the same switch: it changes every group on the page.
    tab = browser.find_element(By.CSS_SELECTOR, '.fw-tabs .fw-tabs__tab[data-framework="mxnet"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", tab)
    tab.click()
    assert set(browser.execute_script(SHOWN_FRAMEWORKS_JS)) == {"mxnet"}
    assert _switch_state(browser) == "mxnet"
    browser.execute_script("localStorage.clear()")


@pytest.mark.skipif(len(TAB_PAGES) < 1, reason="no page has MXNet/TensorFlow cells yet")
def test_without_javascript_both_frameworks_show_in_order():
    """The static HTML keeps both cells, MXNet first, nothing hidden."""
    html = _read(TAB_PAGES[0])
    first_mx = html.index('class="cell tag_mxnet')
    first_tf = html.index('class="cell tag_tensorflow')
    assert first_mx < first_tf
    assert "fw-tabs__panel" not in html and " hidden" not in html[first_mx:first_tf]


# --------------------------------------------------------------------------- math
MATH_PAGES = _pages_with(r'class="math')


@pytest.mark.skipif(not MATH_PAGES, reason="no page has math yet")
def test_math_renders(browser, site_url):
    from selenium.webdriver.common.by import By

    page = MATH_PAGES[0]
    browser.get(site_url + page)
    ss.settle(browser)
    containers = browser.find_elements(By.CSS_SELECTOR, "mjx-container")
    assert containers, f"{page}: MathJax rendered nothing"
    assert not browser.find_elements(By.CSS_SELECTOR, "mjx-merror"), f"{page}: MathJax errors"
    src = browser.execute_script(
        "return document.querySelector('script[src*=\"mathjax\"]').src")
    assert src.startswith(site_url), f"MathJax not served by the site: {src}"


# --------------------------------------------------------------------------- search
def _search(browser, site_url, term):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "search.html?q=" + quote(term))

    def results():
        summary = browser.find_elements(By.CSS_SELECTOR, "#search-results .search-summary, "
                                                         "#search-results > p")
        links = browser.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")
        if links or (summary and summary[0].text.strip()):
            return [a.get_attribute("href") for a in links] or ["<none>"]
        return None

    return ss.wait_until(results, timeout=30, message=f"search results for {term}")


@pytest.mark.parametrize("term, expected", [
    ("动量", "ch05_momentum.html"),
    ("学习率", None),
], ids=["momentum-term", "learning-rate-term"])
def test_chinese_search(browser, site_url, term, expected):
    if expected and not (ss.SITE_DIR / "book" / expected).is_file():
        pytest.skip(f"{expected} is not built")
    links = _search(browser, site_url, term)
    assert links != ["<none>"], f"searching {term} found nothing"
    pages = [re.sub(r"[?#].*$", "", link) for link in links]
    if expected:
        assert any(p.endswith("book/" + expected) for p in pages), f"{term}: {pages}"
    else:
        assert any("/book/ch" in p for p in pages), f"{term}: {pages}"


# --------------------------------------------------------------------------- exercises
EXERCISE_PAGES = _pages_with(r'class="[^"]*solution[^"]*dropdown')


@pytest.mark.skipif(not EXERCISE_PAGES, reason="no page has exercises with hidden solutions yet")
def test_solutions_are_hidden_until_clicked(browser, site_url):
    from selenium.webdriver.common.by import By

    page = EXERCISE_PAGES[0]
    browser.get(site_url + page)
    ss.settle(browser)
    solutions = browser.find_elements(By.CSS_SELECTOR, ".solution.dropdown")
    assert solutions
    sol = solutions[0]
    body = sol.find_elements(By.CSS_SELECTOR, ".admonition-title ~ *")
    assert body and not body[0].is_displayed(), "the solution shows before it is clicked"
    button = sol.find_element(By.CSS_SELECTOR, "button.toggle-button")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    ss.wait_until(lambda: body[0].is_displayed(), 5, message="the solution to open")
    time.sleep(0.2)
    found = ss.problems(ss.drain_logs(browser), site_url)
    assert not found, "\n".join(found)
