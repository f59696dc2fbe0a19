"""Figures and kernel-free sliders (matplotlib only; no framework).

* :mod:`~d2lutils.figures.plotting`: the book's plots and figure style;
* :mod:`~d2lutils.figures.bands`: curves over seeds drawn as median and spread;
* :mod:`~d2lutils.figures.widgets`: sliders over precomputed frames (ipywidgets), which work
  on the static page;
* :mod:`~d2lutils.figures.sliderframes`: the slider recipe of chapters 5-9 (palette PNGs).
"""
