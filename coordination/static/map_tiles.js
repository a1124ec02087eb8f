// Lays a tile server's tiles under the maps drawn on the server, only where the deployment names one
// (COORDINATION_MAP_TILE_URL, e.g. https://tiles.example/{z}/{x}/{y}.png). Without it nothing is fetched.
// The map's view box is in Web Mercator units on a square world `data-world` units wide, so tile (x, y)
// of zoom z covers world / 2^z units from (x, y) times that: the tiles line up with the shapes.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var MAX_TILES = 48;

  function lay(figure) {
    var svg = figure.querySelector("svg.map");
    var template = figure.getAttribute("data-tile-url");
    var world = Number(figure.getAttribute("data-world"));
    if (!svg || !template || !world) return;
    var box = svg.viewBox.baseVal;
    var pixels = svg.getBoundingClientRect().width || 800;
    var z = Math.max(0, Math.min(19, Math.ceil(Math.log2((world * pixels) / (box.width * 256)))));
    var size, x0, x1, y0, y1;
    for (; ; z--) {
      size = world / Math.pow(2, z);
      x0 = Math.max(0, Math.floor(box.x / size));
      y0 = Math.max(0, Math.floor(box.y / size));
      x1 = Math.min(Math.pow(2, z) - 1, Math.floor((box.x + box.width) / size));
      y1 = Math.min(Math.pow(2, z) - 1, Math.floor((box.y + box.height) / size));
      if ((x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES || z === 0) break;
    }
    var layer = document.createElementNS(NS, "g");
    layer.setAttribute("class", "tiles");
    layer.setAttribute("aria-hidden", "true");
    for (var x = x0; x <= x1; x++) {
      for (var y = y0; y <= y1; y++) {
        var image = document.createElementNS(NS, "image");
        image.setAttribute("href", template.replace("{s}", "a").replace("{z}", z).replace("{x}", x).replace("{y}", y));
        image.setAttribute("x", x * size);
        image.setAttribute("y", y * size);
        image.setAttribute("width", size);
        image.setAttribute("height", size);
        layer.appendChild(image);
      }
    }
    var sea = svg.querySelector(".sea");
    svg.insertBefore(layer, sea ? sea.nextSibling : svg.firstChild);
  }

  document.querySelectorAll("figure.world-map[data-tile-url]").forEach(lay);
})();
