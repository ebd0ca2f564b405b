// The paper page's citation network: filter it by concept, framework and intent without a
// page load, and light a node's lines on hover. Without this script the form asks the server
// for the filtered picture (the same query parameters), and the picture is still whole.
(function () {
  "use strict";
  var form = document.getElementById("network-filters");
  var svg = document.getElementById("citation-network");
  if (!form || !svg) return;
  var count = document.getElementById("network-count");
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var works = Array.prototype.slice.call(svg.querySelectorAll("g.work"));
  var concepts = Array.prototype.slice.call(svg.querySelectorAll("g.concept"));

  function has(element, attribute, token) {
    return !token || (element.getAttribute(attribute) || "").split(" ").indexOf(token) >= 0;
  }

  function chosen(kind) {
    return form.querySelector('select[data-filter="' + kind + '"]').value;
  }

  function apply() {
    var concept = chosen("concept"), framework = chosen("framework"), intent = chosen("intent");
    var shownWorks = {}, shownConcepts = {};
    edges.forEach(function (edge) {
      var show = (!concept || edge.getAttribute("data-concept") === concept) &&
        has(edge, "data-frameworks", framework) && has(edge, "data-intents", intent);
      edge.classList.toggle("hidden", !show);
      if (show) {
        shownWorks[edge.getAttribute("data-work")] = true;
        shownConcepts[edge.getAttribute("data-concept")] = true;
      }
    });
    var nWorks = 0, nConcepts = 0;
    works.forEach(function (node) {
      var show = !!shownWorks[node.getAttribute("data-work")];
      node.classList.toggle("hidden", !show);
      if (show) nWorks += 1;
    });
    concepts.forEach(function (node) {
      var show = !!shownConcepts[node.getAttribute("data-concept")];
      node.classList.toggle("hidden", !show);
      if (show) nConcepts += 1;
    });
    Array.prototype.forEach.call(svg.querySelectorAll(".bundle"), function (bundle) {
      bundle.classList.toggle("hidden", !shownConcepts[bundle.getAttribute("data-concept")]);
    });
    count.textContent = nWorks + " of " + works.length + " cited works shown · " +
      nConcepts + " of " + concepts.length + " concepts";
    var params = new URLSearchParams();
    if (concept) params.set("concept", concept);
    if (framework) params.set("framework", framework);
    if (intent) params.set("intent", intent);
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function light(node, on) {
    var key = node.classList.contains("work") ? "data-work" : "data-concept";
    var token = node.getAttribute(key);
    svg.classList.toggle("focus", on);
    node.classList.toggle("lit", on);
    edges.forEach(function (edge) {
      if (edge.getAttribute(key) === token) edge.classList.toggle("lit", on);
    });
  }

  // A picture the server drew whole is filtered here; one it drew filtered lacks the other
  // citations, so a change asks the server again.
  var whole = form.getAttribute("data-whole") === "yes";
  form.addEventListener("change", function () { if (whole) apply(); else form.submit(); });
  form.addEventListener("submit", function (event) {
    if (whole) { event.preventDefault(); apply(); }
  });
  // A node's link takes the keyboard's focus too: focus lights its lines as hover does.
  works.concat(concepts).forEach(function (node) {
    node.addEventListener("mouseenter", function () { light(node, true); });
    node.addEventListener("mouseleave", function () { light(node, false); });
    node.addEventListener("focusin", function () { light(node, true); });
    node.addEventListener("focusout", function () { light(node, false); });
  });
})();
