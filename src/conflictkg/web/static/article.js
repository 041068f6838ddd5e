// Hovering a highlighted span lights up every span of the same event, and its row in the events table.
(function () {
  "use strict";
  const text = document.getElementById("article-text");
  if (!text) return;
  function toggle(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('[data-events~="' + CSS.escape(id) + '"]').forEach((el) => el.classList.toggle("lit", on));
      document.querySelectorAll('tr a[href$="' + CSS.escape(id.split("/resource/")[1] || id) + '"]').forEach(
        (a) => a.closest("tr").classList.toggle("lit", on));
    });
  }
  text.addEventListener("mouseover", function (ev) {
    const el = ev.target.closest("[data-events]");
    if (el) toggle(el.dataset.events.split(" "), true);
  });
  text.addEventListener("mouseout", function (ev) {
    const el = ev.target.closest("[data-events]");
    if (el) toggle(el.dataset.events.split(" "), false);
  });
})();
