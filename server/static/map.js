// Pan and zoom of the server's SVG maps (map_svg.py): wheel, drag and the +/−/⟲ buttons
// change the viewBox; markers and labels keep their size on screen. No library: the map is
// one SVG and this is all it needs.
(function () {
  "use strict";

  function box(svg) {
    return svg.getAttribute("viewBox").split(/\s+/).map(Number);
  }

  function setBox(svg, b) {
    svg.setAttribute("viewBox", b.map(function (v) { return v.toFixed(3); }).join(" "));
    var size = b[2] / 90;
    svg.style.fontSize = (size * 1.8).toFixed(4) + "px";
    svg.classList.toggle("near", b[2] < Number(svg.getAttribute("data-near")));
    svg.querySelectorAll("circle").forEach(function (c) { c.setAttribute("r", size.toFixed(4)); });
  }

  // Zoom by `factor` (< 1 zooms in) keeping the point at fractions (fx, fy) of the view still.
  function zoom(svg, factor, fx, fy) {
    var b = box(svg);
    var w = b[2] * factor, h = b[3] * factor;
    if (w < 0.05 || w > 5000) { return; }
    setBox(svg, [b[0] + (b[2] - w) * fx, b[1] + (b[3] - h) * fy, w, h]);
  }

  function attach(frame) {
    var svg = frame.querySelector("svg.map");
    if (!svg) { return; }
    var home = svg.getAttribute("data-home").split(/\s+/).map(Number);
    frame.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "home") { setBox(svg, home); } else { zoom(svg, how === "in" ? 0.5 : 2, 0.5, 0.5); }
      });
    });
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var r = svg.getBoundingClientRect();
      zoom(svg, event.deltaY < 0 ? 0.8 : 1.25, (event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height);
    }, { passive: false });
    var start = null, moved = false;
    svg.addEventListener("pointerdown", function (event) {
      start = { x: event.clientX, y: event.clientY, b: box(svg) };
      moved = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!start || !(event.buttons & 1)) { return; }
      var dx = event.clientX - start.x, dy = event.clientY - start.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!moved) { svg.setPointerCapture(event.pointerId); }
      moved = true;
      var r = svg.getBoundingClientRect();
      // preserveAspectRatio "meet": one scale for both axes, the larger of the two.
      var scale = Math.max(start.b[2] / r.width, start.b[3] / r.height);
      setBox(svg, [start.b[0] - dx * scale, start.b[1] - dy * scale, start.b[2], start.b[3]]);
    });
    function end() { start = null; }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    // A drag that ends on a marker is not a click on it.
    svg.addEventListener("click", function (event) {
      if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; }
    }, true);
  }

  function init() { document.querySelectorAll(".map-frame").forEach(attach); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
