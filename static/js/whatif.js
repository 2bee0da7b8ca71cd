// The "what if" panel, enhanced: moving one group's weight rescales the others in proportion
// (so that they add up to 100), and the ranking below is fetched again from the server —
// the scoring core recomputes it; nothing is stored. Without this file the form still works:
// it is a plain GET form with a "Recompute" button.
(function () {
  "use strict";

  var form = document.querySelector("form[data-what-if]");
  var target = document.getElementById("what-if-ranking");
  if (!form || !target || !window.fetch || !window.URLSearchParams) { return; }
  var ranges = Array.prototype.slice.call(form.querySelectorAll("input[type=range][data-group]"));
  var anchor = form.querySelector("input[name=anchor]");
  var panel = form.closest(".what-if");
  var timer = null;
  var pending = null;

  // The server's rounding (app.js, loaded first on every page); a plain fallback without it.
  function round2(value) {
    if (window.Selector && window.Selector.roundHalfUp) { return window.Selector.roundHalfUp(value, 2); }
    return Math.round(value * 100) / 100;
  }

  function show(range) {
    var output = form.querySelector("output[for='" + range.id + "']");
    if (output) { output.textContent = String(round2(parseFloat(range.value))); }
  }

  // The others keep the proportions they had when this slider started to move (rounding
  // each step's values would otherwise drift them apart).
  var basis = { range: null, values: null };

  function rescaleOthers(moved) {
    var others = ranges.filter(function (r) { return r !== moved; });
    if (basis.range !== moved) {
      basis.range = moved;
      basis.values = others.map(function (r) { return parseFloat(r.value); });
      var sum0 = basis.values.reduce(function (t, v) { return t + v; }, 0);
      if (sum0 <= 0) {  // all others at 0: share the rest as the tender's weights do
        basis.values = others.map(function (r) { return parseFloat(r.getAttribute("data-weight")); });
      }
    }
    var rest = 100 - parseFloat(moved.value);
    var sum = basis.values.reduce(function (t, v) { return t + v; }, 0);
    others.forEach(function (r, i) {
      r.value = String(sum > 0 ? round2(basis.values[i] * rest / sum) : round2(rest / others.length));
      show(r);
    });
  }

  function query(extra) {
    var params = new URLSearchParams(new FormData(form));
    Object.keys(extra || {}).forEach(function (key) { params.set(key, extra[key]); });
    return form.getAttribute("action") + "?" + params.toString();
  }

  function refresh() {
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    if (panel) { panel.classList.add("loading"); }
    fetch(query({ fragment: "1" }), {
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      target.innerHTML = html;
      if (panel) { panel.classList.remove("loading"); }
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", query());
      }
    }).catch(function () {
      if (panel) { panel.classList.remove("loading"); }
    });
  }

  ranges.forEach(function (range) {
    range.addEventListener("input", function () {
      if (anchor) { anchor.value = range.getAttribute("data-group"); }
      rescaleOthers(range);
      show(range);
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 150);
    });
  });
})();
