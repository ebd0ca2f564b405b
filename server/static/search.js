// The search box of every page (base.html): type-ahead over GET /search, no library, offline.
// From two characters on, a pause of DELAY ms asks /search for JSON and lists the hits under
// the box (label, kind, the alternative label that matched); the first is highlighted, arrows
// move, Enter or a click opens the hit's page, Escape closes the list. Without this script the
// box is a plain form that submits to /search, which lists the same hits on a page.
(function () {
  "use strict";
  var DELAY = 200;
  var MIN_LENGTH = 2;
  var LIMIT = 10;

  var form = document.getElementById("site-search");
  var box = document.getElementById("site-search-q");
  if (!form || !box || !window.fetch) return;

  var list = document.createElement("ul");
  list.id = "site-search-hits";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  form.appendChild(list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("autocomplete", "off");

  var timer = null;
  var asked = 0; // the number of the latest request: an older answer arriving late is dropped
  var active = -1;

  function pageOf(hit) {
    // An id under the graph's base is a page of this server; anything else is its IRI.
    return hit.id.indexOf(":") === -1 ? "/id/" + hit.id : hit.iri;
  }

  function items() {
    return list.querySelectorAll("li[data-href]");
  }

  function highlight(index) {
    var all = items();
    active = all.length ? (index + all.length) % all.length : -1;
    for (var i = 0; i < all.length; i++) {
      all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    if (active >= 0) box.setAttribute("aria-activedescendant", all[active].id);
    else box.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function open(href) {
    window.location.href = href;
  }

  function show(text, hits) {
    list.textContent = "";
    hits.forEach(function (hit, i) {
      var item = document.createElement("li");
      item.id = "site-search-hit-" + i;
      item.setAttribute("role", "option");
      item.dataset.href = pageOf(hit);
      var label = document.createElement("span");
      label.className = "hit-label";
      label.textContent = hit.label;
      var kind = document.createElement("span");
      kind.className = "hit-kind";
      kind.textContent = hit.kind;
      item.appendChild(label);
      item.appendChild(kind);
      if (hit.matched !== hit.label) {
        var matched = document.createElement("span");
        matched.className = "hit-matched";
        matched.textContent = hit.matched;
        item.appendChild(matched);
      }
      list.appendChild(item);
    });
    var all = document.createElement("li");
    all.className = "hit-all";
    all.dataset.href = form.action + "?q=" + encodeURIComponent(text);
    all.id = "site-search-hit-all";
    all.setAttribute("role", "option");
    all.textContent = hits.length ? "All hits for \u201c" + text + "\u201d" : "Nothing found for \u201c" + text + "\u201d";
    list.appendChild(all);
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlight(hits.length ? 0 : -1);
  }

  function ask() {
    var text = box.value.trim();
    if (text.length < MIN_LENGTH) {
      close();
      return;
    }
    var number = ++asked;
    var url = form.action + "?q=" + encodeURIComponent(text) + "&limit=" + LIMIT;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("search answered " + answer.status);
        return answer.json();
      })
      .then(function (body) {
        if (number === asked) show(text, body.hits);
      })
      .catch(function () {
        if (number === asked) close(); // the form still submits to the search page
      });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });

  box.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      open(items()[active].dataset.href);
    } else if (event.key === "Escape") {
      close();
    }
  });

  // mousedown, not click: the box's blur would close the list before a click lands.
  list.addEventListener("mousedown", function (event) {
    var item = event.target.closest("li[data-href]");
    if (item) {
      event.preventDefault();
      open(item.dataset.href);
    }
  });

  box.addEventListener("blur", close);
})();
