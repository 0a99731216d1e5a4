/* The changing check-in QR: fetch a fresh code every 30 seconds (each is valid for about a minute). */
(function () {
  "use strict";
  var box = document.querySelector("[data-rotating]");
  var img = document.getElementById("rotating-qr");
  if (!box || !img) { return; }
  var base = img.getAttribute("src").split("?")[0];
  var seconds = Number(box.dataset.seconds) || 30;
  setInterval(function () { img.src = base + "?t=" + Date.now(); }, seconds * 1000);
}());
