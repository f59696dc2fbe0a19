"""The #@save export (.ci/export.py): notebooks are the one source of the code they teach."""
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_exporter():
    spec = importlib.util.spec_from_file_location("export", ROOT / ".ci" / "export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


export = _load_exporter()


def test_generated_modules_equal_the_notebooks():
    """Fails when a #@save cell was edited without re-running .ci/export.py (or the reverse)."""
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "export.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_every_generated_module_imports_and_names_its_notebook():
    generated = export.generate()
    for path in generated:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        imported = importlib.import_module(module)
        assert "book/" in imported.__doc__, module
        for name in export.public_names(generated[path].split('"""', 2)[2]):
            assert hasattr(imported, name), (module, name)


def test_split_cell_keeps_imports_and_definitions():
    source = "import numpy as np\nfrom math import pi\n\n\ndef f(x):\n    return np.sin(pi * x)\n\nK = 3\n"
    imports, body = export.split_cell(source, "here")
    assert imports == ["import numpy as np", "from math import pi"]
    assert body.startswith("def f(x):") and body.endswith("K = 3")


@pytest.mark.parametrize("source, message", [
    ("def f():\n    pass\nprint(f())\n", "may hold only imports, definitions"),
    ("def f():\n    pass\nimport numpy\n", "put the imports"),
    ("for i in range(3):\n    pass\n", "may hold only imports, definitions"),
])
def test_split_cell_refuses_code_that_would_run_on_import(source, message):
    with pytest.raises(SystemExit, match=message):
        export.split_cell(source, "here")


def test_a_bad_target_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("#@save numpy.linalg\ndef f():\n    pass\n"))
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(SystemExit, match="expected '#@save d2lutils"):
        export.saved_cells(path)


def test_render_orders_imports_and_lists_public_names():
    parts = [("a.ipynb", 3, ["from d2lutils.validation import check_scalar", "import numpy as np"],
              "def f(x):\n    return x"),
             ("a.ipynb", 5, ["import numpy as np", "import math"], "def _g():\n    pass\n\n\nclass H:\n    pass")]
    text = export.render("d2lutils.x", parts)
    assert text.startswith(export.HEADER)
    lines = text.splitlines()
    order = [lines.index(i) for i in ("import math", "import numpy as np",
                                      "from d2lutils.validation import check_scalar")]
    assert order == sorted(order)
    assert "Public names: f, H." in text and "book/a.ipynb" in text


def test_a_generated_file_no_notebook_generates_is_stale(tmp_path):
    (tmp_path / "old.py").write_text(export.HEADER + "\nx = 1\n", encoding="utf-8")
    (tmp_path / "hand.py").write_text('"""Written by hand."""\n', encoding="utf-8")
    kept = tmp_path / "kept.py"
    kept.write_text(export.HEADER + "\n", encoding="utf-8")
    assert export.stale_files({kept: ""}, tmp_path) == [tmp_path / "old.py"]


def test_imports_from_one_module_are_merged():
    merged = export.merge_imports(["from d2lutils.validation import check_scalar",
                                   "import numpy as np",
                                   "from d2lutils.validation import check_callable, check_scalar",
                                   "from math import pi as PI"])
    assert merged == ["import numpy as np",
                      "from d2lutils.validation import check_scalar, check_callable",
                      "from math import pi as PI"]
