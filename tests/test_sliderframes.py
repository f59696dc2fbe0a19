"""Fixed-size, palette-reduced slider frames and equal-aspect contour panels."""
import io

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from d2lutils.figures import sliderframes as sf
from d2lutils.analysis.functions import quadratic


def draw(value, other=0.0):
    fig, ax = plt.subplots(figsize=(3.0, 2.0))
    sf.contour_panel(ax, quadratic(0.1, 2.0).on_grid, [[-5, -2], [value, other]],
                     (-5.5, 3.0), (-3.0, 3.0), title=f"$\\eta = {value:g}$")
    return fig


def size(png):
    return Image.open(io.BytesIO(png)).size


def test_frames_same_pixel_size_even_when_one_diverges():
    """A red 'diverges' title (point outside the window) must not change the frame size."""
    box = sf.slider([0.5, 100.0], draw)
    sizes = {size(bytes(im.value)) for im in box.children[1].children}
    assert sizes == {(300, 200)}
    assert plt.get_fignums() == []


def test_palette_frames_are_smaller_than_full_colour():
    fig = draw(0.5)
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=100)
    assert len(sf.png_palette(fig)) < len(full.getvalue())


def test_two_sliders_grid_and_links():
    box = sf.slider_2([0.1, 0.2], [0.0, 0.5, 0.9], draw, index=(1, 2))
    s1, s2, outer = box.children
    assert isinstance(outer, ipywidgets.Stack) and len(outer.children) == 2
    assert all(len(page.children) == 3 for page in outer.children)
    assert s2.options == ("0", "0.5", "0.9") and outer.selected_index == 1


def test_contour_panel_equal_aspect_and_red_title_when_outside():
    fig, ax = plt.subplots()
    sf.contour_panel(ax, quadratic().on_grid, np.array([[0, 0], [10, 0]]), (-1, 1), (-1, 1), title="t")
    assert ax.get_aspect() == 1.0 and ax.get_title().endswith("diverges")
    plt.close(fig)


@pytest.mark.parametrize("bad, message", [([], "at least 1"), ([np.nan], "finite"),
                                          ([0.1, 0.1], "distinct")])
def test_bad_values_rejected(bad, message):
    """Slider values are checked (as by d2lutils.figures.widgets) before any frame is drawn."""
    plt.close("all")
    with pytest.raises(ValueError, match=message):
        sf.slider(bad, draw)
    assert plt.get_fignums() == []


def test_bad_index_rejected_before_drawing():
    """An index outside the values is refused before any frame is drawn."""
    plt.close("all")
    with pytest.raises(ValueError, match="index"):
        sf.slider_2([0.1, 0.2], [0.0, 0.5], draw, index=(0, 2))
    assert plt.get_fignums() == []


def frames_of(box):
    """The PNG bytes a box's stack shows, in slider order (grids: row-major over (i, j))."""
    stack = box.children[-1]
    pages = stack.children
    if pages and isinstance(pages[0], ipywidgets.Stack):
        return [bytes(im.value) for page in pages for im in page.children]
    return [bytes(im.value) for im in pages]


def test_frames_follow_the_values_in_order():
    """Frame i is the picture of values[i] (drawn again independently); the first view is frame index."""
    values = [0.5, 1.0, 2.0]
    box = sf.slider(values, draw, index=2)
    expected = [sf.png_palette(draw(v)) for v in values]
    assert frames_of(box) == expected
    assert box._first_frame == expected[2]


def test_grid_frames_are_row_major_and_first_view_is_index_pair():
    """Frame (i, j) is draw(values1[i], values2[j]); page i of the outer stack follows slider 1."""
    v1, v2 = [0.5, 1.0], [0.0, 1.5, 2.5]
    box = sf.slider_2(v1, v2, draw, index=(1, 2))
    expected = [sf.png_palette(draw(a, b)) for a in v1 for b in v2]
    assert frames_of(box) == expected
    assert box._first_frame == expected[1 * len(v2) + 2]      # not the transposed (2, 1)
    s1, s2, outer = box.children
    assert (s1.index, s2.index, outer.selected_index) == (1, 2, 1)
    assert all(page.selected_index == 2 for page in outer.children)


@pytest.mark.parametrize("colors", [1, 0, 257, 2.5])
def test_palette_size_is_checked(colors):
    fig = draw(0.5)
    with pytest.raises((ValueError, TypeError), match="colors"):
        sf.png_palette(fig, colors=colors)
    plt.close(fig)


def test_a_palette_of_two_colours_is_allowed():
    assert sf.png_palette(draw(0.5), colors=2).startswith(b"\x89PNG")


def test_draw_that_returns_nothing_is_explained():
    def forgot(value):
        fig, ax = plt.subplots()
        ax.plot([0, value])

    with pytest.raises(TypeError, match="return fig"):
        sf.slider([0.1], forgot)
    plt.close("all")


def test_contour_panel_needs_a_point_and_colours_the_path_by_optimizer():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="k >= 1"):
        sf.contour_panel(ax, quadratic().on_grid, np.zeros((0, 2)), (-1, 1), (-1, 1))
    sf.contour_panel(ax, quadratic().on_grid, [[0.5, 0.5], [0.1, 0.1]], (-1, 1), (-1, 1),
                     color="adam")
    assert ax.lines[-1].get_color() == "#000000"
    plt.close(fig)
