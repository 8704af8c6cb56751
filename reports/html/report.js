// Sorts a table by a clicked header: numbers by the cells' data-value, text otherwise.
// Without script the page reads the same; the rows stay in the report's own order.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.querySelectorAll("thead th[data-sort]");
  headers.forEach(function (header, column) {
    header.setAttribute("tabindex", "0");
    function sort() {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = header.getAttribute("data-sort") === "number";
      var index = Array.prototype.indexOf.call(header.parentNode.children, header);
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index], y = b.cells[index];
        var left = x.getAttribute("data-value") || x.textContent;
        var right = y.getAttribute("data-value") || y.textContent;
        var order = numeric ? Number(left) - Number(right) : left.localeCompare(right);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    header.addEventListener("click", sort);
    header.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
    });
  });
});
// Printed, every folded section shows: a closed <details> prints as its summary alone.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (section) { section.setAttribute("open", ""); });
});
