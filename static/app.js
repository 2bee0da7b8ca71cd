// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The one rounding of selector/scoring/numbers.py, for previews: settle the float's binary
  // noise at 9 decimals, then round half-up (away from zero), so 1.005 shows as 1.01 here as
  // on the server (Math.round(1.005 * 100) gives 1.00). whatif.js uses it too.
  function roundHalfUp(value, places) {
    if (!isFinite(value) || Math.abs(value) >= 1e15) { return value; }  // no noise left to settle
    var settled = Math.abs(value).toFixed(9);
    var rounded = Math.round(Number(settled + "e" + places));
    var result = Number(rounded + "e-" + places);
    return value < 0 && result !== 0 ? -result : result;
  }
  window.Selector = { roundHalfUp: roundHalfUp };

  // Ask before destructive buttons that carry data-confirm; once accepted, the form's hidden
  // "confirmed" field says so, and the server acts (without it, the server asks on a page:
  // selector/web/confirm.py).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (!button) { return; }
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var confirmed = button.form && button.form.querySelector("input[name=confirmed]");
    if (confirmed) { confirmed.value = "1"; }
  });

  // The score sheet: recompute the evaluator's own running total as they choose, and show
  // which comments become required. The server recomputes and enforces both.
  var sheet = document.querySelector("form.score-sheet");
  if (!sheet) { return; }
  var totalOut = sheet.querySelector("[data-running-total]");

  function pointsOf(block) {
    var kind = block.getAttribute("data-kind");
    if (kind === "scale") {
      var input = block.querySelector("input[type=text], input[type=number]");
      var n = input ? parseFloat(input.value) : NaN;
      return isFinite(n) ? n : null;
    }
    var checked = block.querySelector("input[type=radio]:checked");
    if (!checked) { return null; }
    if (kind === "gate") { return null; }
    return parseFloat(checked.getAttribute("data-points"));
  }

  function refresh() {
    var weighted = 0;
    var groups = sheet.querySelectorAll("[data-group]");
    groups.forEach(function (group) {
      var weight = parseFloat(group.getAttribute("data-weight"));
      var max = parseFloat(group.getAttribute("data-max"));
      var sum = 0;
      group.querySelectorAll("[data-criterion]").forEach(function (block) {
        var p = pointsOf(block);
        if (p !== null) { sum += p; }
        var checked = block.querySelector("input[type=radio]:checked");
        var note = block.querySelector(".comment-required-note");
        if (note) {
          var needs = checked && checked.getAttribute("data-comment-required") === "1";
          note.hidden = !needs;
        }
      });
      var out = group.querySelector("[data-group-points]");
      if (out) { out.textContent = roundHalfUp(sum, 2).toString(); }
      if (max > 0) { weighted += weight * sum / max; }
    });
    if (totalOut) { totalOut.textContent = roundHalfUp(weighted, 2).toFixed(2); }
  }

  sheet.addEventListener("change", refresh);
  sheet.addEventListener("input", refresh);
  refresh();
})();
