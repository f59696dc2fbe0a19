/* The book's search ranking (inlined into search.html before Sphinx's searchtools.js, which
 * uses a Scorer defined before it; see book/_assets/search_tuning.py). Sphinx's defaults,
 * plus one rule: a chapter whose own title contains the whole query comes first. Sphinx
 * scores a title hit by how much of the title the query covers (15 x query/title length) and
 * gives a page's own title only +1 over a section title, so for 动量 a short section title
 * of the Adam chapter ("动量") outranked the chapter 动量法 itself. */
var Scorer = {
  score: function (result) {
    var title = result[1] || "", anchor = result[2] || "", score = result[4];
    var query = (new URLSearchParams(window.location.search).get("q") || "").trim().toLowerCase();
    if (query && !anchor && title.indexOf(" > ") < 0 && title.toLowerCase().indexOf(query) >= 0) {
      return score + 100;
    }
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
