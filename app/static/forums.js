// The programme page notes how the visitor's own clock differs from the forum's. The
// sentences, and the hours and minutes in words, come translated in data attributes.
// Without JavaScript the page still says which zone its times are in.
(function () {
  "use strict";
  var note = document.getElementById("viewer-offset");
  if (!note) {
    return;
  }
  var words = JSON.parse(note.dataset.words);
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

  // "2 hours 30 minutes"; null for a difference no real pair of zones has.
  function span(minutes) {
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var pieces = [hours ? words.hours[hours] : "", rest ? words.minutes[rest] : ""];
    if (pieces.indexOf(undefined) !== -1) {
      return null;
    }
    return pieces.filter(Boolean).join(" ");
  }

  var diff = ownOffset - forumOffset;
  var amount = span(Math.abs(diff));
  if (amount === null) {
    return;
  }
  var sentence = diff === 0 ? note.dataset.same : diff > 0 ? note.dataset.ahead : note.dataset.behind;
  note.textContent = sentence
    .replace("{zone}", label(ownOffset))
    .replace("{diff}", amount);
  note.hidden = false;
})();
