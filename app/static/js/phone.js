/* Lists on a phone: each row becomes a card of its key facts (css/grid.css, below 768 px).
 * The list's page names the key columns (ScopedView.card_columns, data-card-columns); each cell
 * gets its column's label to show before it; the other cells are marked to hide on a phone.
 * The table stays the same HTML as FAB's (tests/test_fab_contract.py). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".grid-list[data-card-columns]"), function (list) {
    var table = list.querySelector("table");
    if (!table) return;
    var key = JSON.parse(list.dataset.cardColumns);
    var heads = table.querySelectorAll("thead th");
    var lead = 0;  // the action checkbox and the row buttons come before the columns
    while (lead < heads.length && !heads[lead].textContent.trim()) lead++;
    table.classList.add("grid-cards");
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr, tr:not(:first-child)"), function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName !== "TD") return;
        if (index < lead) {
          cell.classList.add(cell.querySelector("input[type=checkbox]") ? "grid-card-check" : "grid-card-buttons");
          return;
        }
        cell.dataset.label = heads[index] ? heads[index].textContent.trim() : "";
        if (key.indexOf(index - lead) < 0) cell.classList.add("grid-card-more");
        else if (key.indexOf(index - lead) === 0) cell.classList.add("grid-card-first");
      });
    });
  });
}());
