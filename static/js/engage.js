/* Progressive enhancement only: every page works without this file.
   1. Move focus to an error summary so screen readers announce it.
   2. Carry what has been typed into a form across the language switch. The switch is an
      ordinary link; before following it we keep the form's values in sessionStorage (this tab
      only, gone when it closes) and put them back on the counterpart page. Passwords, one-time
      codes, fields marked data-no-carry (a kiosk PIN) and the CSRF token are never kept. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  var KEY = "engage:carry";
  function pagePath(path) { return path.replace(/^\/(cy|en)(\/|$)/, "/"); }
  function skip(el) {
    return !el.name || el.type === "password" || el.type === "hidden" || el.type === "submit" ||
      el.type === "file" || el.name === "csrf_token" || el.hasAttribute("data-no-carry") ||
      (el.getAttribute("autocomplete") || "").indexOf("one-time-code") !== -1;
  }

  var switchLink = document.querySelector("a[data-carry-form]");
  var forms = document.querySelectorAll("form[data-remember-form]");
  if (switchLink && forms.length && window.sessionStorage) {
    switchLink.addEventListener("click", function () {
      var saved = { path: pagePath(location.pathname), forms: [] };
      forms.forEach(function (form) {
        var values = [];
        Array.prototype.forEach.call(form.elements, function (el) {
          if (skip(el)) { return; }
          if (el.type === "checkbox" || el.type === "radio") {
            values.push([el.name, el.value, el.checked]);
          } else {
            values.push([el.name, el.value, null]);
          }
        });
        saved.forms.push(values);
      });
      try { sessionStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) { /* storage full or off */ }
    });
  }

  var raw = window.sessionStorage && sessionStorage.getItem(KEY);
  if (raw) {
    sessionStorage.removeItem(KEY);
    try {
      var data = JSON.parse(raw);
      if (data.path === pagePath(location.pathname)) {
        data.forms.forEach(function (values, i) {
          var form = forms[i];
          if (!form) { return; }
          values.forEach(function (entry) {
            var els = form.querySelectorAll("[name='" + entry[0].replace(/'/g, "") + "']");
            Array.prototype.forEach.call(els, function (el) {
              if (skip(el)) { return; }
              if (el.type === "checkbox" || el.type === "radio") {
                if (el.value === entry[1]) { el.checked = entry[2]; }
              } else { el.value = entry[1]; }
              // A value put back inside a closed <details> (the optional contact at check-in) is shown.
              var details = el.closest && el.closest("details");
              if (details && (el.checked || (entry[2] === null && entry[1]))) { details.open = true; }
            });
          });
        });
      }
    } catch (e) { /* ignore a damaged entry */ }
  }
}());

/* 3. A print button ([data-print], hidden without this file: the page says how to print instead). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());

/* 4. The menu on a small screen: without this file the "Menu" link opens it (CSS :target); here it
   becomes a button that opens and closes it and says which it is (aria-expanded). */
(function () {
  "use strict";
  var link = document.querySelector("a.menu-toggle");
  var nav = document.getElementById("site-nav");
  if (!link || !nav) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "menu-toggle";
  button.textContent = link.textContent;
  button.setAttribute("aria-controls", "site-nav");
  button.setAttribute("aria-expanded", "false");
  link.replaceWith(button);
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("menu-open", open);
  });
}());
