/* 一幅图: our own layers (grids, buildings, facilities, people, cases) drawn from /map/layer/*,
 * with a layer switch, measuring, search, the ten-minute service circle and (for the secretary)
 * editing. Every text from the data is put in the page as text, never as HTML. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el) return;
  var config = JSON.parse(el.dataset.config);
  var t = JSON.parse(el.dataset.strings);
  var csrf = (document.querySelector("input[name=csrf_token]") || {}).value || "";
  var map = L.map(el, { preferCanvas: false }).setView([36.691, 117.0616], 16);
  map.pm && map.pm.setGlobalOptions && map.pm.setGlobalOptions({ allowSelfIntersection: false });
  window.gridMap = map;
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 19 }).addTo(map);
  }

  function node(tag, text, cls) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    if (cls) n.className = cls;
    return n;
  }

  function popup(rows, link) {
    var box = node("div", null, "grid-map-popup");
    rows.forEach(function (row) { if (row) box.appendChild(node("div", row)); });
    if (link) { var a = node("a", t.details); a.href = link; box.appendChild(a); }
    return box;
  }

  var colours = {};
  var styles = {
    grids: function (f) { colours[f.properties.id] = f.properties.colour; return { color: f.properties.colour, weight: 2, fillOpacity: 0.08 }; },
    buildings: function () { return { color: "#555", weight: 1, fillOpacity: 0.35 }; },
    patrols: function () { return { color: "#6a3d9a", weight: 3, opacity: 0.8 }; }
  };
  var kindColours = { fire_hydrant: "#d62728", septic_tank: "#8c564b", sewer_manhole: "#7f7f7f",
    power_room: "#ff7f0e", clinic: "#2ca02c", shop: "#1f77b4", kindergarten: "#e377c2", barber: "#9467bd",
    laundry: "#17becf", pharmacy: "#bcbd22" };

  function popupFor(name, p) {
    if (name === "grids") return popup([p.code + " " + p.name]);
    if (name === "buildings") return popup([(p.compound + " " + p.number).trim(), t.households + ": " + p.households,
      t.residents + ": " + p.residents, p.head ? t.head + ": " + p.head : null], p.link);
    if (p.track) return popup([p.label, t.positions + ": " + p.points]);
    if (p.names) return popup(p.names.slice(0, 30));
    if (p.number) return popup([p.number + " " + p.title, p.stage_label], "/caseview/show/" + p.id);
    if (p.address) return popup([p.address]);
    return popup([p.name, config.facility_kinds[p.kind]]);
  }

  /* The legend: each grid's colour (as loaded) and each facility kind's. */
  var legend = L.control({ position: "bottomright" });
  /* On a phone the layer switch starts collapsed and the legend folds behind a button. */
  var phone = window.matchMedia && window.matchMedia("(max-width: 767px)").matches;
  legend.onAdd = function () {
    var box = node("div", null, "grid-map-legend"), toggle = node("button", t.legend, "btn btn-default btn-xs grid-map-legend-toggle");
    toggle.type = "button";
    toggle.addEventListener("click", function () { box.classList.toggle("grid-map-legend-open"); });
    box.appendChild(toggle);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  legend.addTo(map);
  function legendRow(colour, text) {
    var row = node("div"), swatch = node("span", null, "grid-swatch");
    swatch.style.background = colour;
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(" " + text));
    legend.getContainer().appendChild(row);
  }
  config.layers.forEach(function (layer) {
    var kind = layer.name.indexOf("facility-") === 0 ? layer.name.slice(9) : null;
    if (kind) legendRow(kindColours[kind], layer.label);
  });

  var overlays = {}, control = L.control.layers(null, {}, { collapsed: !!phone }).addTo(map);
  config.layers.forEach(function (layer) {
    var group = layer.name === "case_heat" ? null : L.geoJSON(null, {
      style: styles[layer.name],
      pointToLayer: function (f, latlng) {
        var kind = f.properties.kind;
        return L.circleMarker(latlng, { radius: 5, weight: 1, color: "#333",
          fillColor: kindColours[kind] || (layer.name === "cases" ? "#e6550d" : "#3182bd"), fillOpacity: 0.9 });
      },
      onEachFeature: function (f, lyr) {
        lyr.bindPopup(popupFor(layer.name, f.properties));
        lyr.feature.layerName = layer.name;
        if (layer.name === "buildings") lyr.on("click", function () { showCircle(f.properties.id); });
      }
    });
    var holder = group || L.layerGroup();
    overlays[layer.name] = holder;
    holder.gridLayer = layer.name;
    control.addOverlay(holder, layer.label);
    fetch("/map/layer/" + encodeURIComponent(layer.name), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (group) { group.addData(data); }
        else if (L.heatLayer) {
          holder.addLayer(L.heatLayer(data.features.map(function (f) {
            return [f.geometry.coordinates[1], f.geometry.coordinates[0], 0.6]; }), { radius: 25 }));
        }
        if (layer.name === "grids" && group.getLayers().length) {
          map.fitBounds(group.getBounds());
          data.features.forEach(function (f) { legendRow(f.properties.colour, f.properties.code + " " + f.properties.name); });
        }
        if (layer.name === "grids" || layer.name === "buildings" || layer.name.indexOf("facility-") === 0) holder.addTo(map);
        el.dataset["loaded_" + layer.name.replace(/-/g, "_")] = "1";
        if (config.may_edit && (layer.name === "grids" || layer.name.indexOf("facility-") === 0)) enableEditing(group, layer.name);
      });
  });

  /* Measuring: click points; the total follows Leaflet's great-circle distance. */
  var measuring = null;
  document.getElementById("map-measure").addEventListener("click", function () {
    var container = map.getContainer();
    if (measuring) { map.removeLayer(measuring.line); measuring = null; container.classList.remove("grid-measuring"); return; }
    map.closePopup();
    measuring = { points: [], line: L.polyline([], { color: "#000", dashArray: "4", interactive: false }).addTo(map) };
    container.classList.add("grid-measuring");  // clicks reach the map, not the shapes under them
    document.getElementById("map-measure-result").textContent = "";
  });
  map.on("click", function (e) {
    if (!measuring) return;
    measuring.points.push(e.latlng);
    measuring.line.setLatLngs(measuring.points);
    var total = 0;
    for (var i = 1; i < measuring.points.length; i++) total += map.distance(measuring.points[i - 1], measuring.points[i]);
    var out = document.getElementById("map-measure-result");
    out.textContent = t.total + ": " + Math.round(total) + " " + t.metres;
    out.dataset.metres = String(total);
  });

  /* Search: buildings, facilities, residents (for roles that may); a result flies the map there. */
  document.getElementById("map-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("map-search-input").value;
    fetch("/map/search?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var list = document.getElementById("map-search-results");
        list.textContent = "";
        data.results.forEach(function (row, index) {
          var item = node("li"), a = node("a", row.text);
          a.href = "#";
          a.addEventListener("click", function (ev) { ev.preventDefault(); map.flyTo([row.lat, row.lng], 18); });
          item.appendChild(a);
          list.appendChild(item);
          if (index === 0) map.flyTo([row.lat, row.lng], 18);
        });
      });
  });

  /* 十分钟生活服务圈: the database lists service facilities within 800 m of the building. */
  var circleLayer = L.layerGroup().addTo(map);
  function showCircle(buildingId) {
    if (measuring) return;
    fetch("/map/circle/" + buildingId, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        circleLayer.clearLayers();
        L.circle([data.lat, data.lng], { radius: data.radius, color: "#2ca02c", fillOpacity: 0.05 }).addTo(circleLayer);
        var box = document.getElementById("map-circle");
        box.textContent = "";
        box.appendChild(node("h4", t.circle + " · " + data.building));
        var list = node("ol");
        data.facilities.forEach(function (f) { list.appendChild(node("li", f.name + "（" + f.kind + "） " + f.metres + " " + t.metres)); });
        if (!data.facilities.length) list.appendChild(node("li", t.none));
        box.appendChild(list);
      });
  }

  /* Editing for the secretary: drag a grid's corners or a facility; the server validates and audits. */
  function enableEditing(group, name) {
    group.eachLayer(function (lyr) {
      if (!lyr.pm) return;
      lyr.options.pmIgnore = false;
      L.PM.reInitLayer(lyr);
      var kind = name === "grids" ? "grid" : "facility";
      var save = function () {
        var geometry = kind === "facility" ? { type: "Point", coordinates: [lyr.getLatLng().lng, lyr.getLatLng().lat] }
                                            : lyr.toGeoJSON().geometry;
        fetch("/map/save", { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ kind: kind, id: lyr.feature.properties.id, geometry: geometry }) });
      };
      lyr.on("pm:edit", save);
      lyr.on("pm:dragend", save);
    });
    if (!map.pm.controlsVisible()) map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false,
      drawPolyline: false, drawRectangle: false, drawPolygon: false, drawCircle: false, drawText: false,
      cutPolygon: false, removalMode: false, rotateMode: false });
  }
})();
