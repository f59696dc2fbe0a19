/* Scripts that only add interactions, fetched after the page has loaded.
 *
 * book/_assets/page_speed.py writes this file's text into the <head> of each page and turns
 * the <script>s of LATE_SCRIPTS (the theme's Bootstrap and its own script, the copy button,
 * Sphinx's doctools and translations, the playground) into
 * <script type="text/x-optim-late" src="...">, which no browser fetches or runs. On the load
 * event each is replaced by a real <script> with the same attributes, in page order and run
 * in that order (async = false), so that on a slow network they no longer take bandwidth
 * from the page's text, stylesheet and first figures. When all have run (or failed, which
 * the browser reports), <html> gets data-late-scripts="loaded".
 */
(function () {
  "use strict";
  function start() {
    var slots = document.querySelectorAll('script[type="text/x-optim-late"]');
    var left = slots.length;
    function one() {
      left -= 1;
      if (left <= 0) document.documentElement.setAttribute("data-late-scripts", "loaded");
    }
    if (!left) { left = 1; one(); return; }
    slots.forEach(function (slot) {
      var s = document.createElement("script");
      for (var i = 0; i < slot.attributes.length; i++) {
        var a = slot.attributes[i];
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      }
      s.async = false;
      s.onload = s.onerror = one;
      slot.replaceWith(s);
    });
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
