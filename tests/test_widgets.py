"""Kernel-free sliders: precomputed PNG frames in a Stack, linked on the client side."""
import math
import warnings

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ipywidgets.widgets.widget_link import Link

import d2lutils.figures.widgets as dw
from d2lutils import trajectory


def registry():
    """Every live widget (ipywidgets 8 keeps them in a module-level dict)."""
    instances = getattr(ipywidgets.widgets.widget, "_instances", None)
    if instances is None:  # pragma: no cover - older ipywidgets
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            instances = ipywidgets.Widget.widgets
    return list(instances.values())


def linked(source, target):
    """True if a two-way client-side Link (what jslink makes) ties source.index to target.selected_index."""
    return any(type(w) is Link and w.source == (source, "index")
               and w.target == (target, "selected_index") for w in registry())


def draw_line(slope):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, slope])
    ax.set_ylim(0, 3)
    return fig


def test_frame_slider_structure_and_link():
    """One Image per value in a Stack; options are the formatted values; slider index is jslinked."""
    box = dw.frame_slider([0.1, 0.5, 2.0], draw_line, description="s", index=1)
    slider, stack = box.children
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert isinstance(stack, ipywidgets.Stack)
    assert slider.options == ("0.1", "0.5", "2")
    assert slider.index == stack.selected_index == 1
    assert len(stack.children) == 3
    assert all(isinstance(im, ipywidgets.Image) and im.format == "png" for im in stack.children)
    assert all(bytes(im.value).startswith(b"\x89PNG") for im in stack.children)
    assert linked(slider, stack)


def test_frames_differ_and_figures_are_closed():
    """Different values give different pictures, and no figure is left open."""
    plt.close("all")
    box = dw.frame_slider([0.5, 2.5], draw_line)
    first, second = (bytes(im.value) for im in box.children[1].children)
    assert first != second
    assert plt.get_fignums() == []


@pytest.mark.parametrize("values", [[], [0.1, math.nan], [math.inf], [0.5, 0.5]])
def test_frame_slider_rejects_bad_values(values):
    """An empty list, a non-finite value or a repeated value raises ValueError (0 is allowed)."""
    with pytest.raises(ValueError, match=r"values(\[\d\])? must"):
        dw.frame_slider(values, draw_line)


def test_frame_slider_2_grid_and_links():
    """Outer Stack has len(v1) pages of len(v2) frames; slider 1 drives the outer, slider 2 every inner."""
    box = dw.frame_slider_2([0.5, 1.0], [1.0, 2.0, 3.0], lambda a, b: draw_line(a * b))
    slider1, slider2, outer = box.children
    assert slider1.options == ("0.5", "1") and slider2.options == ("1", "2", "3")
    assert len(outer.children) == 2
    assert all(isinstance(page, ipywidgets.Stack) and len(page.children) == 3
               for page in outer.children)
    assert linked(slider1, outer)
    assert all(linked(slider2, page) for page in outer.children)
    # frame (i, j) is draw(v1[i], v2[j]): 0.5*2 and 1.0*1 draw the same line
    frames = [[bytes(im.value) for im in page.children] for page in outer.children]
    assert frames[0][1] == frames[1][0]
    assert frames[0][0] != frames[1][2]


def test_frame_slider_2_rejects_bad_values():
    """Each axis of the grid is validated."""
    with pytest.raises(ValueError, match="values2"):
        dw.frame_slider_2([0.1], [], lambda a, b: draw_line(a))


@pytest.fixture
def titles(monkeypatch):
    """Record (title, diverged) of every frame drawn through show_trace / show_trace_2d."""
    seen = []

    def spy(real):
        def wrapper(*args, **kwargs):
            axes = real(*args, **kwargs)
            seen.append((axes.get_title(), kwargs.get("diverged")))
            return axes
        return wrapper

    monkeypatch.setattr(dw, "show_trace", spy(dw.show_trace))
    monkeypatch.setattr(dw, "show_trace_2d", spy(dw.show_trace_2d))
    return seen


def test_trace_slider_1d_flags_divergence_without_warnings(titles):
    """On x² with η in [0.1, 1.1] the η=1.1 frame is titled as diverging; no RuntimeWarning."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        box = dw.trace_slider_1d(lambda x: x ** 2, lambda x: 2 * x, [0.1, 1.1], x0=1.0, steps=10)
    slider, stack = box.children
    assert slider.options == ("0.1", "1.1") and len(stack.children) == 2
    assert titles == [("eta = 0.1", False), ("eta = 1.1: diverges", True)]
    # the flag agrees with the closed form: |x_10| = 1.2^10 ≈ 6.2 lies outside the window
    run = trajectory("sgd", lambda x: 2 * x, 1.0, 10, lr=1.1)
    assert abs(run.points[-1, 0]) == pytest.approx(1.2 ** 10)


def f2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


def g2d(x):
    return np.array([0.2 * x[0], 4 * x[1]])


def test_trace_slider_2d_frames(titles):
    """One frame per value of the chosen hyperparameter; η=0.6 on 2·x2² (|1-2.4|>1) is flagged."""
    box = dw.trace_slider_2d(f2d, g2d, [0.4, 0.6], x0=[-5.0, -2.0], steps=8)
    slider, stack = box.children
    assert slider.description == "η" and len(stack.children) == 2
    assert titles == [("eta = 0.4", False), ("eta = 0.6: diverges", True)]


def test_trace_slider_2d_grid_frames(titles):
    """Two sliders over (η, γ) give len(η) pages of len(γ) frames, all titled with both values."""
    box = dw.trace_slider_2d_grid(f2d, g2d, "lr", [0.1, 0.4], "momentum", [0.5, 0.9],
                                  x0=[-5.0, -2.0], steps=5, rule="momentum")
    s1, s2, outer = box.children
    assert (s1.description, s2.description) == ("η", "γ")
    assert [len(page.children) for page in outer.children] == [2, 2]
    assert [t for t, _ in titles][0] == "eta = 0.1, gamma = 0.5"
    assert len(titles) == 4


# ----------------------------------------------------------------------------
# frame i is the picture of value i (a reversed or shifted Stack shows η = 1.1 under η = 0.05)

def solid(red, green=0.0):
    """A figure filled with one colour that encodes the value(s) it was drawn for."""
    fig = plt.figure(figsize=(0.5, 0.4))
    fig.patch.set_facecolor((red, green, 0.5))
    return fig


def colour(image_widget):
    """The RGB colour at the centre of a stored PNG frame (decoded with Pillow, not our code)."""
    from io import BytesIO
    from PIL import Image
    image = Image.open(BytesIO(bytes(image_widget.value))).convert("RGB")
    return np.array(image.getpixel((image.width // 2, image.height // 2))) / 255


def test_frame_i_is_the_picture_of_value_i():
    """One slider: option i, frame i and draw(values[i]) belong together, for every i."""
    values = [0.0, 0.2, 0.5, 0.9]
    box = dw.frame_slider(values, solid, index=2)
    slider, stack = box.children
    assert slider.options == ("0", "0.2", "0.5", "0.9")
    assert slider.index == stack.selected_index == 2
    for i, (label, frame) in enumerate(zip(slider.options, stack.children)):
        np.testing.assert_allclose(colour(frame)[0], float(label), atol=0.01,
                                   err_msg=f"frame {i} does not show value {label}")


def test_frame_ij_is_the_picture_of_values_i_and_j():
    """Two sliders: page i of the outer Stack, frame j inside it is draw(values1[i], values2[j])."""
    values1, values2 = [0.1, 0.6, 1.0], [0.0, 0.3]
    box = dw.frame_slider_2(values1, values2, solid, index=(1, 1))
    slider1, slider2, outer = box.children
    assert outer.selected_index == slider1.index == 1
    assert all(page.selected_index == slider2.index == 1 for page in outer.children)
    for i, page in enumerate(outer.children):
        for j, frame in enumerate(page.children):
            np.testing.assert_allclose(colour(frame)[:2], [values1[i], values2[j]], atol=0.01,
                                       err_msg=f"frame ({i}, {j}) is not draw({values1[i]}, "
                                               f"{values2[j]})")


def test_frames_are_light_and_equally_sized():
    """Frames are 64-colour palette PNGs, all of one slider the same pixel size (a wider title too)."""
    from io import BytesIO
    from PIL import Image

    def draw(v):
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.plot([0, 1], [0, v])
        ax.set_title("a much, much wider title: diverges" if v > 1 else "short")
        return fig

    box = dw.frame_slider([0.5, 2.0], draw)
    images = [Image.open(BytesIO(bytes(im.value))) for im in box.children[1].children]
    assert {im.mode for im in images} == {"P"}
    assert all(len(im.getcolors(256)) <= dw.PALETTE_COLORS for im in images)
    assert images[0].size == images[1].size


# ----------------------------------------------------------------------------
# the stored first view: what an untrusted notebook shows before the cell runs

def _first_view(box):
    """The picture and text an untrusted JupyterLab shows for ``box`` (its safe outputs)."""
    import base64
    data = box._repr_mimebundle_()
    # where widgets render (the page, a run cell), the widget view still wins
    assert "application/vnd.jupyter.widget-view+json" in data
    return base64.b64decode(data["image/png"]), data["text/plain"]


@pytest.mark.parametrize("module", ["widgets", "sliderframes"])
def test_one_slider_first_view_is_the_frame_it_starts_at(module):
    """Untrusted, the output shows frame ``index`` and says how to get the slider."""
    import d2lutils.figures.sliderframes as sf
    make = dw.frame_slider if module == "widgets" else sf.slider
    box = make([0.1, 0.5, 2.0], draw_line, description="s", index=2)
    picture, text = _first_view(box)
    assert picture == bytes(box.children[1].children[2].value)
    assert "s" in text and "运行本单元格" in text and "VBox" not in text


@pytest.mark.parametrize("module", ["widgets", "sliderframes"])
def test_two_slider_first_view_is_the_frame_they_start_at(module):
    """With two sliders the first view is frame (index[0], index[1]) of the grid."""
    import d2lutils.figures.sliderframes as sf
    make = dw.frame_slider_2 if module == "widgets" else sf.slider_2
    box = make([1.0, 2.0], [0.5, 1.0, 1.5], lambda a, b: draw_line(a * b),
               descriptions=("a", "b"), index=(1, 2))
    picture, text = _first_view(box)
    assert picture == bytes(box.children[2].children[1].children[2].value)
    assert "a、b" in text


def test_first_view_rejects_a_frame_that_is_not_png():
    """The box is built from PNG bytes; anything else is refused with what was expected."""
    with pytest.raises(TypeError, match="PNG bytes"):
        dw.FrameSliderBox([], b"GIF89a", ["s"])


def test_frames_must_match_the_values():
    """The widget builders refuse a frame list that does not fit the values, saying what fits."""
    frame = dw.png_bytes(draw_line(1.0))
    with pytest.raises(ValueError, match="one frame per value"):
        dw.slider_over_frames([0.1, 0.2], [frame])
    with pytest.raises(ValueError, match="2 x 2 frames"):
        dw.sliders_over_frame_grid([0.1, 0.2], [1.0, 2.0], [frame] * 3)


def test_frames_follow_the_values_in_order_and_first_view_is_index():
    """Frame i is the picture of values[i] (drawn again independently); the stored first view too."""
    values = [0.5, 1.5, 2.5]
    box = dw.frame_slider(values, draw_line, index=1)
    figures = []
    for v in values:
        with dw.book_style():
            figures.append(draw_line(v))
    expected = dw.png_frames(figures)
    assert [bytes(im.value) for im in box.children[1].children] == expected
    assert box._first_frame == expected[1]
    assert box._repr_mimebundle_()["image/png"] == __import__("base64").b64encode(expected[1]).decode()


def test_grid_first_view_is_the_index_pair_not_its_transpose():
    v1, v2 = [0.5, 1.0, 1.5], [0.0, 2.0]
    frames = [f"{a},{b}".encode() for a in v1 for b in v2]
    frames = [b"\x89PNG" + f for f in frames]            # distinct fake PNGs
    box = dw.sliders_over_frame_grid(v1, v2, frames, index=(2, 0))
    assert box._first_frame == b"\x89PNG1.5,0.0"
    box = dw.sliders_over_frame_grid(v1, v2, frames, index=(0, 1))
    assert box._first_frame == b"\x89PNG0.5,2.0"
    outer = box.children[2]
    assert [bytes(im.value) for im in outer.children[1].children] == [b"\x89PNG1.0,0.0", b"\x89PNG1.0,2.0"]
