/* Up/down buttons for ranked ballots (the numbers still work without JavaScript).
   Loaded as a file, not inline, so that the Content-Security-Policy can forbid
   inline script; runs on page load and on every fragment htmx swaps in.

   One rule keeps what is shown and what is submitted the same: after every
   change the rows are in the order of their numbers, the numbered rows first
   (1, 2, 3... from the top, equal numbers kept equal) and the blank ones
   (unranked) after them. The arrows move a row within that order: "up" on an
   unranked row ranks it last among the ranked ones, "down" on the last ranked
   row leaves it unranked. A number typed by hand puts its row in place when
   the field is left. */
(function () {
  "use strict";
  function setUp(list) {
    if (list.dataset.ready) return;
    list.dataset.ready = "1";
    function rows() { return Array.prototype.slice.call(list.children); }
    function num(li) { return li.querySelector("input"); }
    function value(li) {
      var v = parseInt(num(li).value, 10);
      return isNaN(v) || v < 1 ? null : v;
    }
    /* Sort by the numbers in the fields (blank last, ties in their current
       order), then write them back as 1, 2, 3... keeping ties equal. */
    function settle() {
      var sorted = rows()
        .map(function (li, i) { var v = value(li); return [v === null ? Infinity : v, i, li]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      var rank = 0, previous = null;
      sorted.forEach(function (r) {
        list.appendChild(r[2]);
        if (r[0] === Infinity) { num(r[2]).value = ""; return; }
        if (r[0] !== previous) { rank += 1; previous = r[0]; }
        num(r[2]).value = String(rank);
      });
    }
    /* Number the ranked rows 1..k by position: after an arrow, every ranked
       row has its own rank, in the order shown. */
    function renumber(ranked) {
      rows().forEach(function (li) { num(li).value = ""; });
      ranked.forEach(function (li, i) { num(li).value = String(i + 1); });
    }
    function move(li, step) {
      var ranked = rows().filter(function (r) { return value(r) !== null; });
      var p = ranked.indexOf(li);
      if (step < 0) {
        if (p < 0) ranked.push(li);
        else if (p > 0) { ranked.splice(p, 1); ranked.splice(p - 1, 0, li); }
      } else if (p >= 0) {
        ranked.splice(p, 1);
        if (p < ranked.length) ranked.splice(p + 1, 0, li);
      } else {
        var next = li.nextElementSibling;
        if (next) list.insertBefore(next, li);
      }
      renumber(ranked);
      settle();
    }
    settle();
    rows().forEach(function (li) {
      num(li).addEventListener("change", settle);
      [["\u2191", list.dataset.up, -1], ["\u2193", list.dataset.down, 1]].forEach(function (d) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "secondary";
        b.textContent = d[0];
        b.setAttribute("aria-label", d[1] + ": " + li.querySelector("label").textContent);
        b.addEventListener("click", function () {
          move(li, d[2]);
          b.focus();
        });
        li.appendChild(b);
      });
    });
  }
  function scan(root) {
    var lists = root.querySelectorAll ? root.querySelectorAll("ol.ranking[data-up]") : [];
    Array.prototype.forEach.call(lists, setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (e) { scan(e.target.parentNode || document); });
})();
