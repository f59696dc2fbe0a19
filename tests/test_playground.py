"""The browser playground (book/_static/playground/) against the NumPy reference.

1. Equivalence: Python writes fixtures from ``d2lutils.optim.rules`` (every rule on every test
   function of ``d2lutils.analysis.functions``, several hyperparameter settings including diverging
   ones, plus Newton's method); Node loads the very file the site serves (its math core
   has no DOM) through tests/playground_runner.js; every trajectory must match step by
   step to 1e-9 relative, with the same divergence flag and length.
2. Browser tests on a built site that has book/playground.html (skipped if there is none).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from d2lutils.analysis import functions as F
from d2lutils.optim.rules import RULES, newton_trajectory, trajectory

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "book" / "_static" / "playground" / "playground.js"
RUNNER = ROOT / "tests" / "playground_runner.js"
RTOL = 1e-9

# (name, params as the JS takes them, Python constructor call, start point)
FUNCTION_CASES = [
    ("quadratic", {"a": 0.1, "b": 2.0}, lambda: F.quadratic(0.1, 2.0), [-5.0, -2.0]),
    ("quadratic", {"b": 2.0, "kappa": 50.0}, lambda: F.quadratic(2.0 / 50.0, 2.0), [-5.0, -2.0]),
    ("ill_conditioned", {"kappa": 20.0}, lambda: F.ill_conditioned(20.0), [-5.0, -2.0]),
    ("saddle", {}, F.saddle, [-1.5, 0.05]),
    ("rosenbrock", {}, F.rosenbrock, [-1.2, 1.0]),
    ("beale", {}, F.beale, [1.0, 1.5]),
    ("himmelblau", {}, F.himmelblau, [0.5, -0.5]),
    ("xcos", {}, F.xcos, [1.2]),
    ("square", {}, F.square, [3.0]),
]

# Per rule: two converging-style settings and one that diverges on most functions.
HP_CASES = {
    "sgd": [{"lr": 0.01}, {"lr": 0.1}, {"lr": 3.0}],
    "momentum": [{"lr": 0.01, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.5}, {"lr": 3.0, "momentum": 0.9}],
    "nesterov": [{"lr": 0.01, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.5}, {"lr": 3.0, "momentum": 0.9}],
    "adagrad": [{"lr": 0.5, "eps": 1e-6}, {"lr": 0.1}, {"lr": 3e6}],
    "rmsprop": [{"lr": 0.05, "gamma": 0.9, "eps": 1e-6}, {"lr": 0.01, "gamma": 0.99}, {"lr": 3e6}],
    "adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-3}, {"lr": 3e6}],
    "adam": [{"lr": 0.1}, {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps_form": "framework"}, {"lr": 3e6}],
    "amsgrad": [{"lr": 0.1}, {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps_form": "framework"}, {"lr": 3e6}],
}
NEWTON_CASES = [("quadratic", 1.0), ("quadratic", 0.5), ("rosenbrock", 1.0), ("rosenbrock", 0.5),
                ("beale", 1.0), ("himmelblau", 1.0), ("saddle", 1.0), ("xcos", 1.0), ("square", 0.7)]
STEPS = 100


def build_cases():
    """(cases for Node, expected trajectories) from the NumPy reference."""
    cases, expected = [], {}

    def add(name, params, rule, hp, x0, run):
        cid = f"{rule}|{name}|{json.dumps(params, sort_keys=True)}|{json.dumps(hp, sort_keys=True)}"
        cases.append({"id": cid, "fn": name, "fn_params": params, "rule": rule, "hp": hp,
                      "x0": x0, "steps": STEPS})
        expected[cid] = run

    for name, params, make, x0 in FUNCTION_CASES:
        fn = make()
        for rule in RULES:
            # x cos(pi x) is left out of the diverging settings: V8's and glibc's sin/cos may
            # differ in the last bit, and a blowing-up run multiplies that by ~lr·c·|x| per step
            # (measured: 1e-15 at step 1, 1e-3 by step 8), which compares libm, not the rules.
            for hp in HP_CASES[rule][:2] if name == "xcos" else HP_CASES[rule]:
                add(name, params, rule, hp, x0, trajectory(rule, fn.grad, x0, STEPS, **hp))
    for name, lr in NEWTON_CASES:
        params, make, x0 = next((p, m, x) for n, p, m, x in FUNCTION_CASES if n == name)
        add(name, params, "newton", {"lr": lr}, x0, newton_trajectory(make(), x0, STEPS, lr=lr))
    return cases, expected


def test_every_rule_and_function_is_covered():
    assert set(HP_CASES) == set(RULES)
    assert {n for n, *_ in FUNCTION_CASES} == set(F.CATALOG)


def test_fixtures_include_diverging_and_converging_runs():
    _, expected = build_cases()
    flags = [run.diverged for run in expected.values()]
    assert any(flags) and not all(flags), "fixtures need both diverging and converging runs"


def _node():
    node = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if node is None:
        pytest.skip("the playground equivalence test needs Node.js (node not found on PATH)")
    return node


def run_js(cases, tmp_path):
    fixtures = tmp_path / "playground_fixtures.json"
    fixtures.write_text(json.dumps(cases))
    proc = subprocess.run([_node(), str(RUNNER), str(fixtures)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
    return {r["id"]: r for r in json.loads(proc.stdout)}


def mismatch(expected, got):
    """A message for the first step where the JS run leaves the NumPy run, else None."""
    ref = np.asarray(expected.points, dtype=float)
    js = np.asarray(got["points"], dtype=float).reshape(-1, ref.shape[1])
    if got["diverged"] != expected.diverged:
        return f"diverged: JS {got['diverged']}, NumPy {expected.diverged}"
    if js.shape != ref.shape:
        return f"JS has {len(js)} points, NumPy {len(ref)}"
    scale = np.maximum(np.abs(ref), np.abs(js))
    bad = np.abs(js - ref) > RTOL * scale
    if bad.any():
        step = int(np.argwhere(bad)[0][0])
        return f"step {step}: JS {js[step].tolist()} vs NumPy {ref[step].tolist()}"
    return None


def test_js_rules_match_numpy_reference(tmp_path):
    cases, expected = build_cases()
    results = run_js(cases, tmp_path)
    assert set(results) == set(expected)
    failures = [f"{cid}: {msg}" for cid in expected
                if (msg := mismatch(expected[cid], results[cid])) is not None]
    assert not failures, f"{len(failures)} of {len(expected)} trajectories differ:\n" + "\n".join(failures[:20])


# =========================================================================== browser tests
# On a built site that has book/playground.html (SITE_DIR, default _build/html); skipped
# with a message when the site, Chromium or chromedriver is missing.
import re  # noqa: E402
import time  # noqa: E402

import site_support as ss  # noqa: E402

PAGE = "book/playground.html"

# FNV-1a over the pixels of both canvases of playground `i`: changes iff the drawing does.
PIXELS_JS = """
const pg = document.querySelectorAll('.optim-playground')[arguments[0]];
let h = 2166136261 >>> 0;
for (const c of pg.querySelectorAll('canvas')) {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let k = 0; k < d.length; k += 4) {
    h = Math.imul(h ^ (d[k] | (d[k + 1] << 8) | (d[k + 2] << 16)), 16777619) >>> 0;
  }
}
return h;
"""
STATE_JS = """
const p = document.querySelectorAll('.optim-playground')[arguments[0]].optimPlayground;
return {start: p.start, origins: p.runs.map(r => r.points[0]), scrollY: window.scrollY,
        px: p.toPx(p.start[0], p.start[1])};
"""
OVERFLOW_JS = """
const vw = document.documentElement.clientWidth, out = [];
for (const e of document.querySelectorAll('.optim-playground, .optim-playground *')) {
  const r = e.getBoundingClientRect();
  if (r.width && r.right > vw + 0.5) out.push(e.tagName + '.' + e.className + ' right=' + Math.round(r.right));
}
if (document.documentElement.scrollWidth > vw + 0.5) out.push('page scrollWidth ' + document.documentElement.scrollWidth + ' > ' + vw);
return out;
"""


def _playground_site():
    site = ss.require_site()
    if not (site / PAGE).is_file():
        pytest.skip(f"{site} has no {PAGE}: build the book with book/playground in the toc "
                    "(or set SITE_DIR to such a build)")
    return site


@pytest.fixture(scope="module")
def pg_site():
    site = _playground_site()
    with ss.serve(site) as base:
        yield site, base


@pytest.fixture(scope="module")
def embedded(pg_site):
    """The chapter pages' playgrounds (test_every_embedded_playground_runs), checked on a
    Chromium of their own in a background thread while the tests before it run."""
    chromium, driver = ss.require_browser()
    _, base = pg_site
    started = ss.BackgroundPass([("embedded", lambda drv: _embedded_pass(drv, base), False)],
                                chromium, driver)
    yield started
    started.join()  # no browser left running after the module


@pytest.fixture(scope="module")
def desktop(pg_site, embedded):
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as drv:
        yield drv


def _open(driver, base, page=PAGE):
    ss.drain_logs(driver)
    driver.get(base + page)
    ss.settle(driver)
    ss.wait_until(lambda: driver.execute_script(
        "return Array.from(document.querySelectorAll('.optim-playground'))"
        ".every(e => e.optimPlayground && e.optimPlayground.runs)"), 20, message="playgrounds to start")
    return driver.execute_script("return document.querySelectorAll('.optim-playground').length")


def test_script_only_on_pages_that_use_it():
    site = _playground_site()
    pages = list(site.rglob("*.html"))
    users = [p for p in pages if "playground/playground.js" in p.read_text(encoding="utf-8")]
    assert (site / PAGE) in users
    for p in users:
        html = p.read_text(encoding="utf-8")
        assert 'class="optim-playground"' in html, f"{p} loads playground.js but has no playground"
    assert len(users) < len(pages), "playground.js is on every page"


ALL_RULES_JS = """
const d = document.createElement('div');
d.className = 'optim-playground';
Object.assign(d.dataset, {fn: 'quadratic', rules: 'sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,amsgrad,newton',
                          mark: 'optimal', race: '', functions: 'quadratic,rosenbrock'});
document.querySelector('article') .appendChild(d);
OptimPlayground.initAll(true);
return document.querySelectorAll('.optim-playground').length - 1;
"""


def _unchanged_controls(driver, i):
    """Move every visible control of playground ``i`` by keyboard (Home/End: real input
    events) or select another option, from the initial state (reset after each); return
    those after which the canvases are unchanged. Elements are looked up afresh by id
    (the optimizer selector rebuilds the controls)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select
    root = driver.find_elements(By.CSS_SELECTOR, ".optim-playground")[i]
    unchanged, tried = [], 0

    def reset():
        driver.find_elements(By.CSS_SELECTOR, ".optim-playground")[i] \
            .find_element(By.CSS_SELECTOR, "button.opg-reset").click()

    for sid in [e.get_attribute("id") for e in root.find_elements(By.TAG_NAME, "select")]:
        before = driver.execute_script(PIXELS_JS, i)
        Select(driver.find_element(By.ID, sid)).select_by_index(1)
        tried += 1
        if driver.execute_script(PIXELS_JS, i) == before:
            unchanged.append(f"playground {i}: {sid}")
        reset()
    for sid in [e.get_attribute("id") for e in root.find_elements(By.CSS_SELECTOR, "input[type=range]")]:
        slider = driver.find_element(By.ID, sid)
        if not slider.is_displayed():
            continue
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
        low = driver.execute_script(
            "const s = arguments[0]; return +s.value < (+s.min + +s.max) / 2", slider)
        before = driver.execute_script(PIXELS_JS, i)
        slider.send_keys(Keys.END if low else Keys.HOME)
        tried += 1
        if driver.execute_script(PIXELS_JS, i) == before:
            unchanged.append(f"playground {i}: {sid}")
        reset()
    return unchanged, tried


def test_page_loads_cleanly_and_every_control_redraws(desktop, pg_site):
    _, base = pg_site
    n = _open(desktop, base)
    assert n >= 2
    found = ss.problems(ss.drain_logs(desktop), base)
    assert not found, "\n".join(found)
    # the page's playgrounds, and one with every rule and every control added to the page
    n_all = desktop.execute_script(ALL_RULES_JS)
    unchanged, tried = [], 0
    for i in range(n_all + 1):
        u, t = _unchanged_controls(desktop, i)
        unchanged += u
        tried += t
    assert tried >= 30
    assert not unchanged, "controls that did not change the canvas:\n" + "\n".join(unchanged)
    found = ss.problems(ss.drain_logs(desktop), base)
    assert not found, "\n".join(found)


def test_drag_keyboard_reset_and_play(desktop, pg_site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    _, base = pg_site
    _open(desktop, base)
    root = desktop.find_elements(By.CSS_SELECTOR, ".optim-playground")[0]
    canvas = root.find_element(By.CSS_SELECTOR, "canvas.opg-canvas")
    desktop.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    first = desktop.execute_script(STATE_JS, 0)
    pixels = desktop.execute_script(PIXELS_JS, 0)
    # drag with the mouse: press near the left, move right and up
    ActionChains(desktop).move_to_element_with_offset(canvas, -100, 20).click_and_hold() \
        .move_by_offset(60, -40).move_by_offset(60, -10).release().perform()
    moved = desktop.execute_script(STATE_JS, 0)
    assert moved["start"] != first["start"]
    assert all(o == moved["start"] for o in moved["origins"]), "paths do not start at the dragged point"
    rect = desktop.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", canvas)
    # released at centre + (20, -30) px
    assert abs(moved["px"][0] - (rect[0] / 2 + 20)) < 2 and abs(moved["px"][1] - (rect[1] / 2 - 30)) < 2
    assert desktop.execute_script(PIXELS_JS, 0) != pixels
    # keyboard: the focused canvas moves the start with the arrow keys
    canvas.send_keys(Keys.ARROW_RIGHT)
    keyed = desktop.execute_script(STATE_JS, 0)
    assert keyed["start"][0] > moved["start"][0] and keyed["start"][1] == moved["start"][1]
    assert keyed["scrollY"] == moved["scrollY"], "arrow keys on the canvas scrolled the page"
    # reset restores the first drawing
    root.find_element(By.CSS_SELECTOR, "button.opg-reset").click()
    assert desktop.execute_script(STATE_JS, 0)["start"] == first["start"]
    assert desktop.execute_script(PIXELS_JS, 0) == pixels
    # race: rewind to t = 0 (paths hidden), play to the end (all paths drawn again)
    shown = root.find_element(By.CSS_SELECTOR, "input[id$='-shown']")
    shown.send_keys(Keys.HOME)
    assert desktop.execute_script(PIXELS_JS, 0) != pixels
    root.find_element(By.CSS_SELECTOR, "button.opg-play").click()
    ss.wait_until(lambda: desktop.execute_script(PIXELS_JS, 0) == pixels, 10, message="play to reach the end")
    found = ss.problems(ss.drain_logs(desktop), base)
    assert not found, "\n".join(found)


def test_divergence_is_labelled(desktop, pg_site):
    _, base = pg_site
    _open(desktop, base)
    # GD on the quadratic: eta = 0.6 > 2/L = 0.5 diverges
    desktop.execute_script("""
        const p = document.querySelector('.optim-playground').optimPlayground;
        p.hp.sgd.lr = 0.6; p.setControl('sgd.lr', 0.6); p.update();""")
    legend = desktop.execute_script(
        "return document.querySelector('.optim-playground .opg-legend').textContent")
    assert "发散" in legend
    assert desktop.execute_script(
        "return document.querySelector('.optim-playground').optimPlayground.runs[0].diverged")


@pytest.fixture(scope="module")
def phone(pg_site):
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as drv:
        ss.emulate_phone(drv)
        yield drv


def test_phone_width_no_overflow_and_touch_drag(phone, pg_site):
    from selenium.webdriver.common.by import By
    _, base = pg_site
    n = _open(phone, base)
    assert phone.execute_script("return document.documentElement.clientWidth") <= 400
    over = phone.execute_script(OVERFLOW_JS)
    assert not over, "horizontal overflow at phone width:\n" + "\n".join(over)
    for i in range(n):
        width = phone.execute_script(
            "const r = document.querySelectorAll('.optim-playground')[arguments[0]];"
            "return [r.querySelector('canvas').getBoundingClientRect().width, r.getBoundingClientRect().width]", i)
        assert abs(width[0] - width[1]) <= 2, f"canvas {i} does not fill the column: {width}"
    canvas = phone.find_elements(By.CSS_SELECTOR, ".optim-playground canvas.opg-canvas")[0]
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    time.sleep(0.2)
    before = phone.execute_script(STATE_JS, 0)
    r = phone.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height];", canvas)
    x, y = r[0] + r[2] * 0.3, r[1] + r[3] * 0.5
    phone.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 6):   # a vertical finger drag: would scroll the page without touch-action: none
        phone.execute_cdp_cmd("Input.dispatchTouchEvent",
                              {"type": "touchMove", "touchPoints": [{"x": x + 4 * k, "y": y - 12 * k}]})
    phone.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    time.sleep(0.3)
    after = phone.execute_script(STATE_JS, 0)
    assert after["start"] != before["start"], "touch drag did not move the start point"
    assert all(o == after["start"] for o in after["origins"])
    assert after["scrollY"] == before["scrollY"], "touch drag on the canvas scrolled the page"
    found = ss.problems(ss.drain_logs(phone), base)
    assert not found, "\n".join(found)


def _pages_with_playgrounds():
    site = ss.SITE_DIR
    if not site.is_dir():
        return []
    return sorted(str(p.relative_to(site)) for p in (site / "book").glob("*.html")
                  if re.search(r'class="optim-playground"', p.read_text(encoding="utf-8")))


def test_reduced_motion_play_jumps_to_the_end(pg_site):
    """With prefers-reduced-motion, play shows the final race at once (no animation)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    _, base = pg_site
    chromium, driver = ss.require_browser()
    with ss.chromium_driver(chromium, driver) as drv:
        drv.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
        _open(drv, base)
        root = drv.find_elements(By.CSS_SELECTOR, ".optim-playground")[0]
        full = drv.execute_script(PIXELS_JS, 0)
        shown = root.find_element(By.CSS_SELECTOR, "input[id$='-shown']")
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", shown)
        shown.send_keys(Keys.HOME)
        root.find_element(By.CSS_SELECTOR, "button.opg-play").click()
        assert drv.execute_script(PIXELS_JS, 0) == full, "play did not jump to the end at once"
        assert not drv.execute_script(
            "return document.querySelector('.optim-playground').optimPlayground.playing")


def test_rule_selector_shows_every_hyperparameter(desktop, pg_site):
    """The free-experiment playground: each optimizer of the selector gets a slider for each
    of its hyperparameters (names from d2lutils.optim.rules.RULES) and redraws the canvas."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    _, base = pg_site
    _open(desktop, base)
    roots = desktop.find_elements(By.CSS_SELECTOR, ".optim-playground")
    index = next((i for i, r in enumerate(roots) if r.find_elements(By.CSS_SELECTOR, "select.opg-rule")), None)
    assert index is not None, "no playground with an optimizer selector on the page"
    root = roots[index]
    options = [o.get_attribute("value") for o in root.find_elements(By.CSS_SELECTOR, "select.opg-rule option")]
    assert set(options) == set(RULES) | {"newton"}
    problems_ = []
    for name in options:
        Select(root.find_element(By.CSS_SELECTOR, "select.opg-rule")).select_by_value(name)
        ids = {e.get_attribute("id").split("-", 1)[1] for e in root.find_elements(By.CSS_SELECTOR, "input[type=range]")}
        expected = {"lr"} if name == "newton" else set(RULES[name].defaults)
        if not expected | {"steps"} <= ids:
            problems_.append(f"{name}: sliders {sorted(ids)}, expected {sorted(expected)}")
        rules = desktop.execute_script(
            "return document.querySelectorAll('.optim-playground')[arguments[0]].optimPlayground.rules", index)
        if rules != [name]:
            problems_.append(f"{name}: the playground runs {rules}")
        hp = desktop.execute_script(
            "return document.querySelectorAll('.optim-playground')[arguments[0]].optimPlayground.hp", index)[name]
        if name != "newton" and hp != {**RULES[name].defaults}:
            problems_.append(f"{name}: starts at {hp}, not at the reference defaults")
    assert not problems_, "\n".join(problems_)
    unchanged, _ = _unchanged_controls(desktop, index)
    assert not unchanged, unchanged


# (last in the file: it waits for the background pass, which runs while the tests above do)
@pytest.mark.parametrize("page", _pages_with_playgrounds() or ["(none built)"])
def test_every_embedded_playground_runs(embedded, page):
    """Chapter pages: each embedded playground draws, without console errors or off-site requests.
    (Checked by the background pass, one fresh load per page; this re-raises what it raised.)"""
    if page == "(none built)":
        pytest.skip("no built page embeds a playground")
    outcome = embedded.result("embedded")
    assert page in outcome, f"{page} was not checked"
    if outcome[page] is not None:
        raise outcome[page]


def _embedded_playground_runs(desktop, base, page):
    n = _open(desktop, base, page)
    assert n >= 1
    for i in range(n):
        assert desktop.execute_script(
            "return document.querySelectorAll('.optim-playground')[arguments[0]].optimPlayground.runs.length", i) >= 1
        unchanged, _ = _unchanged_controls(desktop, i)
        assert not unchanged, f"{page}: controls that did not change the canvas: {unchanged}"
    found = ss.problems(ss.drain_logs(desktop), base)
    assert not found, f"{page}:\n" + "\n".join(found)


def _embedded_pass(drv, base):
    """{page: None, or the exception _embedded_playground_runs raised} for every chapter page
    with a playground."""
    outcome = {}
    for page in _pages_with_playgrounds():
        try:
            _embedded_playground_runs(drv, base, page)
            outcome[page] = None
        except Exception as exc:
            outcome[page] = exc
    return outcome
