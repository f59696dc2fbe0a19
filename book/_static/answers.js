/* Worked answers put back into the page (fetched on the load event: page_speed.LATE_SCRIPTS).
 *
 * book/_assets/lazy_answers.py moved the content of each folded answer into PAGE.answers.json
 * and left its <section data-answer="k"> empty. This fetches that file once and fills each
 * section with entry k, then dispatches "optim:content" on the document (detail.roots: the
 * sections) so that mathlazy.js typesets the formulas in them. If the file cannot be had, each
 * answer says so, and the console says why.
 */
(function () {
  "use strict";
  var slots = Array.prototype.slice.call(document.querySelectorAll("section[data-answer]"));
  if (!slots.length) return;
  var url = window.location.pathname.replace(/\.html$/, "") + ".answers.json";

  function fill(answers) {
    slots.forEach(function (slot) {
      var k = Number(slot.getAttribute("data-answer"));
      if (typeof answers[k] !== "string") throw new Error("no answer " + k + " in " + url);
      slot.innerHTML = answers[k];
      slot.removeAttribute("data-answer");
    });
    document.dispatchEvent(new CustomEvent("optim:content", { detail: { roots: slots } }));
  }

  fetch(url).then(function (r) {
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  }).then(fill).catch(function (err) {
    console.error("answers.js: " + err.message);
    slots.forEach(function (slot) {
      if (!slot.hasAttribute("data-answer")) return;
      var p = document.createElement("p");
      p.textContent = "解答未能加载，请刷新页面，或在本章的 notebook 中查看。";
      slot.replaceChildren(p);
    });
  });
})();
