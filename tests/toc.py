"""Read the notebooks listed in _toc.yml (used by tests and by .ci/test)."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _stem(name):
    """A toc entry without its extension (Jupyter Book accepts ``book/notation.md`` and ``book/notation``)."""
    path = Path(name)
    return str(path.with_suffix("")) if path.suffix in (".md", ".ipynb") else name


def toc_files():
    """Every document in the table of contents, as paths relative to the root (no extension)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            names.append(chapter["file"])
            names.extend(section["file"] for section in chapter.get("sections", []))
    return [_stem(name) for name in names]


def toc_notebooks():
    """The notebooks (``.ipynb``) in the table of contents."""
    return [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").exists()]


if __name__ == "__main__":
    for path in toc_notebooks():
        print(path.relative_to(ROOT))
