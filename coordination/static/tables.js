// Tables keep their labels on a phone: each cell gets its column's heading as data-label, and app.css
// shows it before the cell when rows are stacked (narrow screens only). Without this script a wide
// table scrolls inside itself instead of stacking.
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table");
  for (var t = 0; t < tables.length; t++) {
    var table = tables[t];
    var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!headRow) continue;
    var labels = [];
    for (var h = 0; h < headRow.cells.length; h++) {
      var heading = headRow.cells[h];
      var text = heading.textContent.replace(/\s+/g, " ").trim();
      for (var span = 0; span < (heading.colSpan || 1); span++) labels.push(text);
    }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          if (labels[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[column]);
          column += cell.colSpan || 1;
        }
      }
    }
    table.classList.add("stacks");
  }
})();
