/* A form's place (app/views/fields.py PlaceWidget): the geometry's text stays, and beside it
 * a small map drawn from our own layers (no tile server needed). A point comes from the phone's
 * position ("use my position", its accuracy shown) or a tap on the map; a polygon is drawn with
 * geoman. The server reads every text (validation.parse_geometry): the place typed is sent to
 * /lookup/grid?at=… which answers the point as read and the user's grid there, which the form's
 * grid picker then takes (its row hidden: the grid is shown, not asked). Leaflet and geoman are
 * loaded from /vendor only on pages with a place. */
(function () {
  "use strict";
  var places = document.querySelectorAll(".grid-place");
  if (!places.length) return;

  function load(urls, done) {
    if (!urls.length) { done(); return; }
    var url = urls[0], rest = urls.slice(1), el;
    if (/\.css$/.test(url)) {
      el = document.createElement("link");
      el.rel = "stylesheet";
      el.href = url;
      document.head.appendChild(el);
      load(rest, done);
      return;
    }
    el = document.createElement("script");
    el.src = url;
    el.onload = function () { load(rest, done); };
    document.head.appendChild(el);
  }

  function setup(box) {
    var config = JSON.parse(box.dataset.config);
    var t = config.strings;
    var text = box.querySelector("textarea");
    var status = box.querySelector(".grid-place-status");
    var gridNote = box.querySelector(".grid-place-grid");
    var form = box.closest("form");
    var point = config.geom === "POINT";
    var map = L.map(box.querySelector(".grid-place-map"), { scrollWheelZoom: false, attributionControl: false })
      .setView([36.691, 117.0616], 16);
    var shape = null, accuracy = null, fitted = false;
    box.placeMap = map;  // a property of its element, for tests (no global)

    function say(message) { status.textContent = message || ""; }

    function show(geojson) {
      if (shape) map.removeLayer(shape);
      shape = null;
      if (!geojson) return;
      shape = point
        ? L.circleMarker([geojson.coordinates[1], geojson.coordinates[0]],
          { radius: 8, color: "#c9302c", weight: 3, fillOpacity: 0.6 })
        : L.geoJSON(geojson, { style: { color: "#c9302c", weight: 3 } });
      shape.addTo(map);
      fitted = true;
      if (point) map.setView(shape.getLatLng(), Math.max(map.getZoom(), 17));
      else map.fitBounds(shape.getBounds(), { maxZoom: 18 });
    }

    /* The grid picker of the same form (a select2 picker named "grid") takes the grid found. */
    function takeGrid(found) {
      var picker = form && form.querySelector("select[name='grid']");
      gridNote.textContent = found ? t.grid + "：" + found.text : t.noGrid;
      box.dataset.grid = found ? String(found.id) : "";
      if (!picker) return;
      var row = picker.closest("tr") || picker.closest(".form-group");
      if (row) row.classList.toggle("grid-place-derived", !!found);
      if (!found) return;
      if (!picker.querySelector("option[value='" + found.id + "']")) {
        picker.appendChild(new Option(found.text, found.id, false, false));
      }
      picker.value = String(found.id);
      if (window.jQuery) window.jQuery(picker).trigger("change");
    }

    function askGrid() {
      if (!point || !config.gridAt) return;
      var typed = text.value.trim();
      if (!typed) { gridNote.textContent = ""; return; }
      fetch(config.gridAt + "?at=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) { gridNote.textContent = answer.body.message || ""; return; }
          show({ type: "Point", coordinates: answer.body.point });
          takeGrid(answer.body.results[0]);
          box.dataset.asked = typed;
        });
    }

    function setPoint(lng, lat) {
      text.value = lng.toFixed(6) + " " + lat.toFixed(6);
      show({ type: "Point", coordinates: [lng, lat] });
      askGrid();
    }

    config.layers.forEach(function (url, index) {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        var layer = L.geoJSON(data, { interactive: false, style: function (f) {
          return index === 0 ? { color: f.properties.colour || "#337ab7", weight: 2, fillOpacity: 0.05 }
            : { color: "#777", weight: 1, fillOpacity: 0.2 };
        } }).addTo(map);
        if (shape) shape.bringToFront && shape.bringToFront();
        if (index === 0 && !fitted && layer.getLayers().length) map.fitBounds(layer.getBounds());
        box.dataset["loaded" + index] = "1";  // for tests: the map is drawn and placed
      });
    });
    if (box.dataset.shape) show(JSON.parse(box.dataset.shape));

    if (point) {
      say(t.tap);
      map.on("click", function (e) { setPoint(e.latlng.lng, e.latlng.lat); });
      text.addEventListener("change", askGrid);
      if (text.value.trim()) askGrid();
      var locate = box.querySelector(".grid-place-locate");
      locate.addEventListener("click", function () {
        if (!navigator.geolocation) { say(t.unsupported); return; }
        say(t.locating);
        navigator.geolocation.getCurrentPosition(function (position) {
          var c = position.coords;
          if (accuracy) map.removeLayer(accuracy);
          accuracy = L.circle([c.latitude, c.longitude], { radius: c.accuracy, weight: 1, interactive: false }).addTo(map);
          box.dataset.accuracy = String(Math.round(c.accuracy));
          say(t.accuracy.replace("%(metres)s", String(Math.round(c.accuracy))));
          setPoint(c.longitude, c.latitude);
        }, function () { say(t.denied); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
      });
    } else if (map.pm) {
      say(t.draw);
      map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
        drawRectangle: true, drawPolygon: true, drawCircle: false, drawText: false, cutPolygon: false,
        rotateMode: false, dragMode: false, removalMode: false });
      var keep = function (layer) { text.value = JSON.stringify(layer.toGeoJSON().geometry); };
      map.on("pm:create", function (e) {
        if (shape) map.removeLayer(shape);
        shape = e.layer;
        keep(e.layer);
        e.layer.on("pm:edit", function () { keep(e.layer); });
      });
      map.on("pm:globaleditmodetoggled", function () {
        if (shape && shape.getLayers) shape.eachLayer(function (l) { l.on("pm:edit", function () { keep(l); }); });
      });
    }
    box.classList.add("grid-place-ready");
  }

  var needs = places[0].dataset.config && JSON.parse(places[0].dataset.config).leaflet;
  var urls = (needs || []).filter(function (url) {
    if (/leaflet\/dist\/leaflet\.(js|css)$/.test(url) && window.L) return false;
    if (/geoman/.test(url) && window.L && window.L.PM) return false;
    return true;
  });
  load(urls, function () { Array.prototype.forEach.call(places, setup); });
}());
