/* PB ballot: a running "£X of £Y chosen" total while choosing (knapsack ballots), or the number of
   projects chosen (approval). Enhancement only: the server renders the total on every page and
   checks every ballot, and explains an over-budget choice without this file. */
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form) { return; }
  var status = document.getElementById("budget-status");
  if (form.getAttribute("data-type") === "approval") {
    var count = status.querySelector("[data-count-template]");
    var countUpdate = function () {
      var n = form.querySelectorAll("input[type=checkbox][name=project]:checked").length;
      count.querySelector("strong").textContent = count.getAttribute("data-count-template").replace("{count}", n);
    };
    form.addEventListener("change", countUpdate);
    window.addEventListener("load", countUpdate);
    return;
  }
  if (form.getAttribute("data-type") !== "knapsack") { return; }
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
