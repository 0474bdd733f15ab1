/* Up/down buttons for ranked ballots (the numbers still work without JavaScript).
   Loaded as a file, not inline, so that the Content-Security-Policy can forbid
   inline script; runs on page load and on every fragment htmx swaps in. */
(function () {
  "use strict";
  function setUp(list) {
    if (list.dataset.ready) return;
    list.dataset.ready = "1";
    function rows() { return Array.prototype.slice.call(list.children); }
    function num(li) { return li.querySelector("input"); }
    function renumber() {
      var n = 1;
      rows().forEach(function (li) { if (num(li).value !== "") num(li).value = n++; });
    }
    rows()
      .map(function (li, i) { var v = parseInt(num(li).value, 10); return [isNaN(v) ? 1e9 : v, i, li]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .forEach(function (r) { list.appendChild(r[2]); });
    rows().forEach(function (li) {
      [["\u2191", list.dataset.up, -1], ["\u2193", list.dataset.down, 1]].forEach(function (d) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "secondary";
        b.textContent = d[0];
        b.setAttribute("aria-label", d[1] + ": " + li.querySelector("label").textContent);
        b.addEventListener("click", function () {
          if (num(li).value === "") num(li).value = rows().length;
          var s = d[2] < 0 ? li.previousElementSibling : li.nextElementSibling;
          if (s) {
            if (d[2] < 0) { list.insertBefore(li, s); } else { list.insertBefore(s, li); }
            if (num(s).value === "") num(s).value = rows().length;
          }
          renumber();
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
