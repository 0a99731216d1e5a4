/* PB ballot: a running "£X of £Y chosen" total while choosing (knapsack ballots). Enhancement
   only: the server checks every ballot and explains an over-budget choice without this file. */
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form || form.getAttribute("data-type") !== "knapsack") { return; }
  var status = document.getElementById("budget-status");
  var text = status.querySelector(".budget-text strong");
  var bar = status.querySelector("progress");
  var over = status.querySelector(".budget-over-text");
  var budget = parseInt(form.getAttribute("data-budget"), 10);
  var template = status.getAttribute("data-template");
  var lang = document.documentElement.lang === "cy" ? "cy-GB" : "en-GB";

  function pounds(pence) {
    var whole = pence % 100 === 0;
    return "£" + (pence / 100).toLocaleString(lang, { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 });
  }
  function update() {
    var total = 0;
    form.querySelectorAll("input[type=checkbox][data-cost]").forEach(function (box) {
      if (box.checked) { total += parseInt(box.getAttribute("data-cost"), 10); }
    });
    text.textContent = template.replace("{chosen}", pounds(total)).replace("{budget}", pounds(budget));
    bar.value = Math.min(total, budget);
    var isOver = total > budget;
    bar.classList.toggle("budget-over", isOver);
    over.hidden = !isOver;
  }
  form.addEventListener("change", update);
  // Values restored after a language switch (engage.js) arrive after load: count again then.
  window.addEventListener("load", update);
  update();
}());
