/* Frame sliders of the static site (the HTML is written at build time by
 * book/_assets/frame_sliders.py from the notebooks' stored ipywidgets).
 *
 * Each .frame-slider holds one or more native <input type=range> (disabled in the
 * HTML, since without this script they would do nothing), an <output> with the
 * value, and an <img> showing the current frame. data-frames lists the URL of
 * every frame, row-major over the sliders (the last slider fastest), data-shape
 * the number of positions of each slider. Moving a slider (mouse, touch or
 * keyboard: the browser's own range input) swaps the image's src; frames are
 * fetched when first shown, and the ones a slider can reach from where it is are
 * prefetched the first time a reader touches or focuses it.
 */
(function () {
  "use strict";

  function setup(box) {
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input.frame-slider__input"));
    var img = box.querySelector("img.frame-slider__image");
    var frames = JSON.parse(box.dataset.frames);
    var shape = box.dataset.shape.split(",").map(Number);
    var labels = inputs.map(function (input) { return JSON.parse(input.dataset.labels); });
    var names = inputs.map(function (input) {
      var label = box.querySelector('label[for="' + input.id + '"]');
      return label ? label.textContent : "";
    });
    var prefetched = {};

    function positions() { return inputs.map(function (input) { return Number(input.value); }); }

    function frameIndex(pos) {
      return pos.reduce(function (k, p, n) { return k * shape[n] + p; }, 0);
    }

    function valueText(n, p) { return names[n] ? names[n] + " = " + labels[n][p] : labels[n][p]; }

    function show() {
      var pos = positions();
      inputs.forEach(function (input, n) {
        input.setAttribute("aria-valuetext", valueText(n, pos[n]));
        var out = box.querySelector('output[for="' + input.id + '"]');
        if (out) out.textContent = labels[n][pos[n]];
      });
      img.src = frames[frameIndex(pos)];
      img.alt = "交互图：" + pos.map(function (p, n) { return valueText(n, p); }).join("，") + " 时的结果";
    }

    /* The frames this slider reaches from the other sliders' current positions. */
    function prefetch(n) {
      if (prefetched[n]) return;
      prefetched[n] = true;
      var pos = positions();
      for (var p = 0; p < shape[n]; p++) {
        pos[n] = p;
        new Image().src = frames[frameIndex(pos)];
      }
    }

    inputs.forEach(function (input, n) {
      input.disabled = false;
      input.addEventListener("input", show);
      ["pointerdown", "focus"].forEach(function (type) {
        input.addEventListener(type, function () { prefetch(n); }, { passive: true });
      });
    });
  }

  function init() {
    document.querySelectorAll(".frame-slider").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
