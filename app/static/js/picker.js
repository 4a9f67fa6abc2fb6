/* Searchable, dependent pickers (select2 4 with server search).
 *
 * <select class="grid-picker" data-endpoint="/lookup/building" data-depends="grid">
 * asks the server as the user types, narrowed by the value of the field named "grid" in the same
 * form (a search filter's "_flt_0_grid" counts too). FAB's search form clones fields into filter
 * rows after load, so new pickers are found by a MutationObserver.
 */
(function ($) {
  "use strict";

  function parentValue($el, kind) {
    var $form = $el.closest("form");
    var $parent = $form.find("[name='" + kind + "'], [name$='_" + kind + "']").not($el).first();
    return $parent.length ? $parent.val() : "";
  }

  function restoreFilterValue($el) {
    // FAB sets an active filter's value with .val(), which a select without that option ignores.
    if ($el.val()) return;
    var value = new URLSearchParams(window.location.search).get($el.attr("name"));
    if (!value) return;
    $.getJSON($el.data("endpoint"), { id: value }, function (data) {
      if (data.results.length) {
        var row = data.results[0];
        $el.append(new Option(row.text, row.id, true, true)).trigger("change");
      }
    });
  }

  function init(el) {
    var $el = $(el);
    if ($el.data("pickerReady")) return;
    $el.data("pickerReady", true);
    var depends = $el.data("depends");
    $el.select2({
      theme: "bootstrap",
      allowClear: true,
      placeholder: $el.data("placeholder") || "",
      minimumInputLength: 0,
      ajax: {
        url: $el.data("endpoint"),
        dataType: "json",
        delay: 250,
        data: function (params) {
          var query = { q: params.term || "", page: params.page || 1 };
          if (depends) query[depends] = parentValue($el, depends);
          return query;
        },
        processResults: function (data) { return data; }
      }
    });
    if (depends) {
      // A new parent makes the child's choice meaningless: clear it.
      $el.closest("form").on("change", "[name='" + depends + "'], [name$='_" + depends + "']",
        function () { if (this !== el) $el.val(null).trigger("change"); });
    }
    restoreFilterValue($el);
  }

  function scan(root) {
    $(root).find("select.grid-picker").addBack("select.grid-picker").each(function () { init(this); });
  }

  $(function () {
    scan(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(function (n) { if (n.nodeType === 1) scan(n); }); });
    }).observe(document.body, { childList: true, subtree: true });
  });
})(jQuery);
