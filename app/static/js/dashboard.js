/* The dashboard's charts: data aggregated by the server; a click opens the rows behind a bar or slice. */
(function () {
  "use strict";
  var holder = document.getElementById("grid-charts");
  if (!holder || !window.echarts) return;
  JSON.parse(holder.dataset.charts).forEach(function (chart) {
    var box = document.createElement("div");
    box.className = "grid-chart";
    box.dataset.key = chart.key;
    holder.appendChild(box);
    var option = { title: { text: chart.title, textStyle: { fontSize: 14 } }, tooltip: {}, animation: false };
    if (chart.type === "bar") {
      option.legend = { top: 24, type: "scroll" };
      option.grid = { top: 64, left: 48, right: 16, bottom: 32 };
      option.xAxis = { type: "category", data: chart.x };
      option.yAxis = { type: "value" };
      option.series = chart.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, stack: chart.stack ? "total" : undefined };
      });
    } else {
      option.legend = { top: 24, type: "scroll" };
      option.series = [{ type: chart.type === "funnel" ? "funnel" : "pie", top: 56, data: chart.data,
                         radius: chart.type === "pie" ? "55%" : undefined, sort: "none" }];
    }
    var instance = echarts.init(box, null, { renderer: "svg" });
    instance.setOption(option);
    instance.on("click", function (params) {
      var link = chart.links && chart.links[params.dataIndex];
      if (link) window.location.href = link;
    });
    box.dataset.ready = "1";
  });
})();
