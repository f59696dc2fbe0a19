"""The site's own interface in Simplified Chinese (a local Sphinx extension).

Sphinx, pydata-sphinx-theme and sphinx-book-theme leave some of their interface in English
in a zh_CN build (tooltips such as "Link to this heading", "Color mode", "Launch on
Binder", landmark names such as "Main"), and one in Taiwan wording ("列印成 PDF" for
print). After the build, each page's attributes that a reader sees or hears (title,
aria-label, alt, data-bs-title) and the footer text are rewritten from the table below.
``tests/test_site.py::test_interface_is_chinese`` scans every page for English left over.
"""
from __future__ import annotations

import re
from pathlib import Path

#: English (or Taiwan) interface string -> what this book shows.
STRINGS = {
    "Link to this heading": "链接到本标题",
    "Link to this equation": "链接到本公式",
    "Link to this image": "链接到本图",
    "Link to this table": "链接到本表",
    "Link to this code": "链接到本代码",
    "Color mode": "颜色模式",
    "System Settings": "跟随系统设置",
    "Light": "浅色",
    "Dark": "深色",
    "Main": "章节导航",
    "Page": "本页",
    "Toggle primary sidebar": "章节目录",
    "Toggle secondary sidebar": "本页目录",
    "Launch interactive content": "启动交互环境",
    "Launch on Binder": "在 Binder 上启动",
    "Binder logo": "Binder 标志",
    "列印成 PDF": "打印成 PDF",
}
_ATTR_RE = re.compile(r'\b(title|aria-label|alt|data-bs-title)="([^"]*)"')
# MyST-NB's folded code cells: <summary aria-label="Toggle hidden content"> around the visible
# "显示代码" / "隐藏代码". A name that differs from the label a reader sees is what voice control
# cannot click (Lighthouse: label-content-name-mismatch); without it the name is that text.
_SUMMARY_LABEL_RE = re.compile(r'<summary aria-label="[^"]*">')
_COPYRIGHT_RE = re.compile(r"©\s*Copyright\s+([^<]*?)\.?(\s*<)")


def translate(html):
    """``html`` with the interface strings of :data:`STRINGS` in Chinese."""
    html = _ATTR_RE.sub(lambda m: f'{m.group(1)}="{STRINGS.get(m.group(2).strip(), m.group(2))}"', html)
    html = _SUMMARY_LABEL_RE.sub("<summary>", html)
    return _COPYRIGHT_RE.sub(lambda m: f"© {m.group(1)} 版权所有{m.group(2)}", html)


def rewrite(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        new = translate(html)
        if new != html:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("build-finished", rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
