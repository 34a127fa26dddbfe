// The programme page notes how the visitor's own clock differs from the forum's. The
// sentences come translated in data attributes; Intl spells the hours in the page's
// language. Without JavaScript the page still says which zone its times are in.
(function () {
  "use strict";
  var note = document.getElementById("viewer-offset");
  if (!note || typeof Intl === "undefined") {
    return;
  }
  var lang = document.documentElement.lang || "en";
  var forumOffset = parseInt(note.dataset.forumOffset, 10);
  var parts = note.dataset.forumDate.split("-").map(Number);
  // The visitor's offset on the forum's first day, at noon UTC (summer time included).
  var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], 12));
  var ownOffset = -day.getTimezoneOffset();

  function label(minutes) {
    var sign = minutes < 0 ? "-" : "+";
    var hours = Math.floor(Math.abs(minutes) / 60);
    var rest = Math.abs(minutes) % 60;
    return "UTC" + sign + hours + (rest ? ":" + String(rest).padStart(2, "0") : "");
  }

  function amount(value, unit) {
    return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "long" })
      .format(value);
  }

  function span(minutes) {
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var words = [];
    if (hours) {
      words.push(amount(hours, "hour"));
    }
    if (rest) {
      words.push(amount(rest, "minute"));
    }
    return words.join(" ");
  }

  var diff = ownOffset - forumOffset;
  var sentence = diff === 0 ? note.dataset.same : diff > 0 ? note.dataset.ahead : note.dataset.behind;
  note.textContent = sentence
    .replace("{zone}", label(ownOffset))
    .replace("{diff}", span(Math.abs(diff)));
  note.hidden = false;
})();
