// How the site's search orders its results (html_search_scorer in _config.yml; tested in tests/site/test_site.py).
// Sphinx's own weights, with two changes so that a search lands on the chapter that teaches the word:
//  - a page whose own title holds every word of the query comes first ("backpropagation" → chapter 8, ahead of
//    chapter 12's section "Backpropagation through time");
//  - the glossary and the library reference come after the chapters ("im2col" → chapter 11, then conv.im2col's
//    entry; "mode collapse" → chapter 13, then the glossary's definition).
var Scorer = {
  score: (result) => {
    const [docname, title, anchor, descr, score, filename] = result;
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    const page = (title || "").toLowerCase();
    const ownTitle = !anchor && words.length > 0 && words.every((w) => page.includes(w));
    const reference = docname.startsWith("book/reference/") || docname === "book/glossary";
    return score + (ownTitle ? 200 : 0) - (reference ? 150 : 0); // index entries (glossary terms) score 100
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
