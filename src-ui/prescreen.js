// The login screen, drawn before the app's code has loaded: the web view
// fetches, compiles and starts ~1 MB of wasm before the app can draw
// anything, and a first start with nobody signed in needs none of it to
// show where it begins (issue #17: show the screen first, fill it in after).
//
// Only on a first load whose start hint (`window.__OMSORG_START__`, set by
// the shell before any script runs) says nobody is signed in and the
// device is not enrolled: that is exactly when the app draws this screen
// at once too (`start_hint` in app.rs). Same markup, classes and IDs as
// `pages/login.rs`, same texts (the E2E suite compares them in both
// languages, `tests/e2e/start.rs`).
//
// It decides nothing and calls nothing: a tap is only remembered, in
// `window.__OMSORG_EARLY__` (`lang`: the language chosen here, `go`:
// "login" or "enroll", the first of the two tapped), and the app, once it
// runs, removes this screen and does what was tapped (`take_early_screen`
// in app.rs). A language tap shows its texts here at once.
(function () {
  "use strict";
  var start = window.__OMSORG_START__;
  if (!start || start.enrolled !== false || start.signedIn !== false) {
    return;
  }
  var texts = {
    da: {
      title: "Omsorg",
      toggle: "English",
      lead: "Log ind med din kommunes login for at komme i gang.",
      login: "Log ind med KOMBIT",
      enroll: "Tilmeld som delt enhed",
    },
    en: {
      title: "Omsorg",
      toggle: "Dansk",
      lead: "Sign in with your municipality's login to get started.",
      login: "Sign in with KOMBIT",
      enroll: "Enroll as a shared device",
    },
  };
  var lang = start.lang === "en" ? "en" : "da";
  var early = {};
  window.__OMSORG_EARLY__ = early;

  function el(tag, attrs, parent) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    parent.appendChild(node);
    return node;
  }
  var main = el("main", { "data-early": "" }, document.body);
  var section = el("section", { id: "login-screen", "aria-labelledby": "login-title" }, main);
  var bar = el("div", { class: "topbar" }, section);
  var title = el("h1", { id: "login-title" }, bar);
  var toggle = el("button", { id: "lang-toggle" }, bar);
  var lead = el("p", { class: "lead" }, section);
  var login = el("button", { id: "login-kombit", class: "primary big" }, section);
  var enroll = el("button", { id: "enroll-device", class: "quiet" }, section);

  function draw() {
    var other = lang === "da" ? "en" : "da";
    document.documentElement.setAttribute("lang", lang);
    toggle.setAttribute("lang", other);
    title.textContent = texts[lang].title;
    toggle.textContent = texts[lang].toggle;
    lead.textContent = texts[lang].lead;
    login.textContent = texts[lang].login;
    enroll.textContent = texts[lang].enroll;
  }
  draw();
  if (window.performance && performance.mark) {
    performance.mark("omsorg-early-drawn");
  }
  toggle.addEventListener("click", function () {
    lang = lang === "da" ? "en" : "da";
    early.lang = lang;
    draw();
  });
  function go(where) {
    return function () {
      if (!early.go) {
        early.go = where;
        // Said while the app starts (it moves on within moments).
        section.setAttribute("aria-busy", "true");
      }
    };
  }
  login.addEventListener("click", go("login"));
  enroll.addEventListener("click", go("enroll"));
})();
