/* The door page, enhanced: scans go to the JSON API without reloading, the camera reads ticket QR
   codes, and scans made with no signal wait on the phone (localStorage) and are sent later with
   their own nonce and time, so nothing is counted twice. A queued scan is sent marked "queued" (only
   then does the server believe its time) and kept no longer than the server believes one
   (data-queue-life, services.QUEUE_LIFE): an older one is dropped, and the page says so. Without
   this file the forms still work. */
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root || !window.fetch || !window.JSON) { return; }
  var cfg = root.dataset;
  var text = JSON.parse(document.getElementById("door-messages").textContent);
  var QUEUE_KEY = "engage:door:" + cfg.event + ":queue";
  var QUEUE_LIFE_MS = Number(cfg.queueLife) * 1000;
  var resultArea = document.getElementById("result-area");
  var nowArea = document.getElementById("door-now");
  var countEl = document.getElementById("live-count");
  var queueStatus = document.getElementById("queue-status");
  var conflicts = document.getElementById("queue-conflicts");
  var sending = false;

  function nonce() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (content) { node.textContent = content; }
    return node;
  }
  // The answer is drawn at the top of the page, above the form just used: on a phone that is off
  // the screen, so bring the count and the answer into view (the live region has already spoken).
  function reveal() {
    var box = resultArea.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) { nowArea.scrollIntoView({ block: "start" }); }
  }
  // A scan's colour and words come from the server (checkin/presenter.py), as on the page without
  // this script: nothing here maps a result to either.
  // A group ticket (result "group", nothing recorded yet): ask how many of its people have arrived,
  // suggesting all still to come, then send the same scan again with that number ("people").
  function askHowMany(msg, data, body) {
    var most = data.group.to_come;
    var form = el("form", "group-form");
    form.setAttribute("data-group-form", "");
    form.noValidate = true;
    var group = el("div", "form-group");
    var label = el("label", "", msg.how_many);
    label.htmlFor = "people";
    var input = el("input", "input-people");
    input.type = "number"; input.id = "people"; input.name = "people"; input.min = "1"; input.max = String(most);
    input.inputMode = "numeric"; input.value = String(most);
    var button = el("button", "button button-large", msg.check_in);
    button.type = "submit";
    group.appendChild(label);
    group.appendChild(input);
    form.appendChild(group);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var n = Number(input.value);
      if (!(n >= 1 && n <= most && Math.floor(n) === n)) {
        group.className = "form-group form-group-error";
        var old = group.querySelector(".error-message");
        if (old) { old.remove(); }
        var error = el("p", "error-message", msg.bad_number);
        error.id = "people-error";
        label.insertAdjacentElement("afterend", error);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "people-error");
        input.focus();
        return;
      }
      var again = { method: body.method, people: n };
      ["token", "code", "ticket_id"].forEach(function (key) { if (body[key]) { again[key] = body[key]; } });
      form.remove();
      scan(again);
    });
    resultArea.insertAdjacentElement("afterend", form);
    input.focus({ preventScroll: true });
  }

  function showResult(data, body) {
    var msg = data.messages[cfg.lang];
    // #result-area is a live region that stays in the page: only its contents change, so screen
    // readers announce every answer (a region inserted already full is often missed).
    var box = el("div", "scan-result scan-" + data.colour);
    box.id = "scan-result";
    box.appendChild(el("p", "scan-message", msg.message));
    if (data.ticket && (data.ticket.name || data.ticket.code)) {
      box.appendChild(el("p", "scan-who", [data.ticket.name, data.ticket.code].filter(Boolean).join(" · ")));
    }
    if (msg.detail) { box.appendChild(el("p", "", msg.detail)); }
    resultArea.replaceChildren(box);
    document.querySelectorAll("[data-undo-form], [data-group-form]").forEach(function (old) { old.remove(); });
    if (data.result === "group" && data.group && body) { askHowMany(msg, data, body); }
    if (data.result === "ok" && data.scan_id) {
      var undo = el("button", "button button-secondary", text.undo);
      undo.type = "button";
      undo.setAttribute("data-undo-form", "");
      undo.addEventListener("click", function () { sendUndo(data.scan_id, undo); });
      resultArea.insertAdjacentElement("afterend", undo);
    }
    if (typeof data.count === "number") { countEl.textContent = data.count; }
    reveal();
    if (navigator.vibrate) { navigator.vibrate(data.colour === "green" ? 80 : [60, 60, 60]); }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  // --- the offline queue -------------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(items) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
    // A status region that is always there and empty when nothing waits, so changes are announced.
    queueStatus.textContent = items.length ? text.queued.replace("{n}", items.length) : "";
  }
  function noteConflict(data) {
    // Scans sent late that the server answered with something other than "ok": show them.
    if (data.result === "ok") { return; }
    var msg = data.messages[cfg.lang];
    conflicts.hidden = false;
    if (!conflicts.firstChild) { conflicts.appendChild(el("li", "", text.sent)); }
    conflicts.appendChild(el("li", "recent-" + data.result,
      [msg.message, data.ticket && data.ticket.code, msg.detail].filter(Boolean).join(" · ")));
  }
  function dropTooOld() {
    // Judged now, a scan from long ago would be wrong either way: counted at the wrong time, or
    // refused. Staff see which it was (its code, if typed) and can check the person in again.
    var now = Date.now(), kept = [];
    loadQueue().forEach(function (item) {
      if (now - Date.parse(item.scanned_at) <= QUEUE_LIFE_MS) { kept.push(item); return; }
      conflicts.hidden = false;
      conflicts.appendChild(el("li", "", [text.too_old, item.code].filter(Boolean).join(" · ")));
    });
    saveQueue(kept);
    return kept;
  }
  function flush() {
    if (sending) { return; }
    var items = dropTooOld();
    if (!items.length) { return; }
    sending = true;
    var item = items[0];
    item.queued = true;  // only now, from the queue: a scan sent at once happened when it arrives
    post(cfg.scanUrl, item).then(function (response) {
      if (response.status >= 500) { throw new Error("server"); }
      return response.json().then(function (data) {
        saveQueue(loadQueue().filter(function (q) { return q.nonce !== item.nonce; }));
        if (response.ok) { noteConflict(data); countEl.textContent = data.count; }
      });
    }).then(function () { sending = false; flush(); }, function () { sending = false; });
  }

  function showProblem(message) {
    resultArea.replaceChildren(el("div", "scan-result scan-red", message));
    reveal();
  }
  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }
  // Why the server refused, in the page's language (never a raw code or a browser's English).
  function refusal(response) {
    if (response.status === 429) { return Promise.resolve(text.errors.too_many); }
    if (response.redirected || response.status === 401) { return Promise.resolve(text.errors.signed_out); }
    if (!isJson(response)) { return Promise.resolve(text.errors.failed); }
    return response.json().then(function (data) {
      // A refused CSRF token means the session it belonged to has gone (signed out, expired).
      return data.error && data.error.code === "form_expired" ? text.errors.signed_out : text.errors.failed;
    }, function () { return text.errors.failed; });
  }

  function scan(body) {
    body.nonce = body.nonce || nonce();
    body.scanned_at = new Date().toISOString();
    body.device = (navigator.userAgent || "").slice(0, 60);
    return post(cfg.scanUrl, body).then(function (response) {
      if (response.status >= 500) { throw new Error("server"); }
      if (!response.ok || !isJson(response)) { return refusal(response).then(showProblem); }
      return response.json().then(function (data) { showResult(data, body); });
    }).catch(function () {
      // No signal (or the server is unreachable): keep it, with its nonce and its real time.
      var items = loadQueue();
      items.push(body);
      saveQueue(items);
      resultArea.replaceChildren(el("div", "scan-result scan-amber", text.offline));
      reveal();
    });
  }

  function sendUndo(scanId, button) {
    post(cfg.undoUrl.replace(/\/0\/undo$/, "/" + scanId + "/undo"), {}).then(function (response) {
      if (!response.ok || !isJson(response)) { throw new Error("refused"); }
      return response.json();
    }).then(function (data) {
      if (typeof data.count === "number") { countEl.textContent = data.count; }
      resultArea.replaceChildren(el("div", "scan-result scan-amber", text.undone));
      button.remove();
      resultArea.focus({ preventScroll: true });  // the button that had focus is gone: keep the user's place
      reveal();
    }).catch(function () { showProblem(text.errors.undo_failed); });
  }

  // --- forms -------------------------------------------------------------------------------------
  document.querySelectorAll("form[data-scan-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var method = form.dataset.scanForm;
      var body = { method: method };
      var nonceField = form.querySelector("[name=nonce]");
      body.nonce = nonceField && nonceField.value;
      if (nonceField) { nonceField.value = nonce(); }  // the next submission is a new scan
      if (method === "typed_code") {
        var input = form.querySelector("[name=code]");
        body.code = input.value;
        input.value = "";
        input.focus();
      } else if (method === "walk_in") {
        var audience = form.querySelector("[name=audience]");
        if (audience && Number(audience.value)) { body.audience_id = Number(audience.value); }
        var people = form.querySelector("[name=people]");
        if (people) {
          var n = Number(people.value || 1);
          if (!(n >= 1 && n <= 50 && Math.floor(n) === n)) { showProblem(text.bad_people.replace("{n}", 50)); return; }
          body.people = n;
          people.value = "1";
        }
      } else if (method === "name_search") {
        body.ticket_id = Number(form.dataset.ticketId);
      }
      scan(body);
    });
  });
  document.querySelectorAll("form[data-undo-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendUndo(Number(form.dataset.scanId), form);
    });
  });

  // --- camera ------------------------------------------------------------------------------------
  var video = document.getElementById("camera");
  var toggle = document.getElementById("camera-toggle");
  var status = document.getElementById("camera-status");
  var stream = null, detector = null, reader = null, lastToken = "", lastAt = 0;
  var canvas = document.createElement("canvas");

  function loadDecoder() {
    // BarcodeDetector where the browser has it; otherwise zxing-wasm, loaded only now.
    if ("BarcodeDetector" in window) {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve();
    }
    if (reader) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = cfg.decoder;
      s.onload = function () {
        window.ZXingWASM.prepareZXingModule({
          overrides: { locateFile: function () { return cfg.wasm; } }, fireImmediately: true
        });
        reader = window.ZXingWASM;
        resolve();
      };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function decodeFrame() {
    if (!stream) { return Promise.resolve(null); }
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width) { return Promise.resolve(null); }
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return reader.readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 })
      .then(function (found) { return found.length && found[0].isValid ? found[0].text : null; });
  }
  function loop() {
    if (!stream) { return; }
    decodeFrame().then(function (value) {
      var now = Date.now();
      if (value && (value !== lastToken || now - lastAt > 3000)) {
        lastToken = value;
        lastAt = now;
        scan({ method: "ticket_scan", token: value });
      }
    }).catch(function () { /* a frame that could not be read */ }).then(function () {
      setTimeout(loop, 200);
    });
  }
  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    toggle.textContent = toggle.dataset.start;
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    document.getElementById("camera-section").hidden = false;
    toggle.addEventListener("click", function () {
      if (stream) { stop(); return; }
      loadDecoder().then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        toggle.textContent = toggle.dataset.stop;
        status.textContent = text.pointing;
        return video.play();
      }).then(loop).catch(function () { status.textContent = text.no_camera; stop(); });
    });
  }

  // --- keep the count and the queue moving -------------------------------------------------------
  saveQueue(loadQueue());
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  setInterval(function () {
    if (document.hidden) { return; }
    fetch(cfg.countsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { countEl.textContent = data.checked_in; } })
      .catch(function () {});
  }, 10000);
  flush();
}());
