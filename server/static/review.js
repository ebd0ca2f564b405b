// The review pages' two helpers, with no library (the pages work offline):
// - a field with data-kinds offers the graph's entities as the reviewer types (the /search
//   API), in its datalist: the value chosen is the entity's id;
// - in the paper's text (#paper-text), a selection fills the form beside it: the words
//   selected become the quote (claims, cases), or, for a fact, the sentence of the selected
//   number becomes the quote and the number the value.
(function () {
  "use strict";

  function offer(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var kinds = (input.dataset.kinds || "").split(" ").filter(Boolean);
    var timer = null, asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2 || /^[a-z]+\/[\w.-]+$/.test(text)) return; // an id already
      timer = setTimeout(function () {
        var params = new URLSearchParams({ q: text, format: "json", limit: "12" });
        kinds.forEach(function (k) { params.append("kind", k); });
        var mine = ++asked;
        fetch("/search?" + params.toString(), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
          .then(function (answer) {
            if (mine !== asked) return; // a later keystroke asked again
            list.textContent = "";
            answer.hits.forEach(function (hit) {
              var option = document.createElement("option");
              option.value = hit.id;
              option.label = hit.label + " (" + hit.kind + (hit.matched && hit.matched !== hit.label ? ", " + hit.matched : "") + ")";
              list.appendChild(option);
            });
            list.dataset.ready = String(answer.hits.length);
          });
      }, 200);
    });
  }

  function selectionIn(text) {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) return null;
    var node = selection.anchorNode;
    if (!node || !text.contains(node)) return null;
    return selection;
  }

  function follow(text) {
    var form = document.querySelector("aside form");
    if (!form) return;
    var quote = form.querySelector("[data-role=quote]");
    var value = form.querySelector("[data-role=value]");
    text.addEventListener("mouseup", function () {
      var selection = selectionIn(text);
      if (!selection) return;
      var selected = selection.toString().replace(/\s+/g, " ").trim();
      if (text.dataset.select === "number") {
        var sentence = selection.anchorNode.parentElement.closest(".s");
        var number = selected.match(/-?\d[\d,]*(?:\.\d+)?/);
        if (sentence) quote.value = sentence.textContent.replace(/\s+/g, " ").trim();
        if (number && value) value.value = number[0].replace(/,/g, "");
      } else {
        quote.value = selected;
      }
      quote.dispatchEvent(new Event("change"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-kinds]").forEach(offer);
    var text = document.getElementById("paper-text");
    if (text) follow(text);
  });
})();
