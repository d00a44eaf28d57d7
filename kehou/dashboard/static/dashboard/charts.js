/* The dashboard's charts (Apache ECharts, vendored). The page gives every chart as JSON
   (#dashboard-charts): id, kind (bar, hbar, line), categories, series [{name, data}], and
   where it applies unit "%", a target line {value, name} and urls (a click opens the
   category's page). Every word comes translated from the page. */
(function () {
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) return;
  var specs = JSON.parse(source.textContent);
  function narrow() { return window.innerWidth < 600; }
  var drawn = [];

  function valueAxis(spec) {
    var axis = {type: "value", minInterval: 1};
    if (spec.unit === "%") {
      axis.max = 100;
      axis.axisLabel = {formatter: "{value}%"};
    }
    return axis;
  }

  function option(spec, width) {
    var horizontal = spec.kind === "hbar";
    // Long names wrap under a column, or are cut with an ellipsis beside a bar.
    var slot = horizontal ? (narrow() ? 96 : 170)
      : Math.max(36, Math.floor((width - 60) / Math.max(spec.categories.length, 1)) - 6);
    var label = spec.months
      ? {interval: "auto", hideOverlap: true}
      : {interval: 0, width: slot, overflow: horizontal ? "truncate" : "break", lineHeight: 14};
    var category = {type: "category", data: spec.categories, axisLabel: label};
    if (horizontal) category.inverse = true;
    if (spec.urls) category.triggerEvent = true;
    var series = spec.series.map(function (s, i) {
      var item = {
        name: s.name,
        type: spec.kind === "line" ? "line" : "bar",
        data: s.data,
        connectNulls: false,
        barMaxWidth: 36,
        label: {show: spec.series.length === 1 && spec.kind !== "line", position: horizontal ? "right" : "top",
                formatter: function (p) { return p.value == null ? "" : p.value + (spec.unit || ""); }}
      };
      if (i === 0 && spec.target) {
        item.markLine = {
          symbol: "none",
          label: {formatter: spec.target.name, position: horizontal ? "start" : "insideEndTop"},
          lineStyle: {type: "dashed", color: "#9a3412"},
          data: [horizontal ? {xAxis: spec.target.value} : {yAxis: spec.target.value}]
        };
      }
      return item;
    });
    return {
      color: ["#0b6e4f", "#2563eb", "#d97706", "#7c3aed"],
      tooltip: {trigger: "axis", confine: true},
      legend: spec.series.length > 1 ? {top: 0, itemGap: 8} : undefined,
      grid: {left: 8, right: horizontal ? 48 : 16, bottom: 8, containLabel: true,
             top: spec.series.length > 2 && narrow() ? 44 : spec.series.length > 1 ? 36 : 24},
      xAxis: horizontal ? valueAxis(spec) : category,
      yAxis: horizontal ? category : valueAxis(spec),
      series: series
    };
  }

  specs.forEach(function (spec) {
    var node = document.getElementById(spec.id);
    if (!node) return;
    var chart = echarts.init(node);
    chart.setOption(option(spec, node.clientWidth));
    if (spec.urls) {
      node.style.cursor = "pointer";
      chart.on("click", function (event) {
        var index = event.componentType === "series"
          ? event.dataIndex : spec.categories.indexOf(event.value);
        if (spec.urls[index]) window.location.href = spec.urls[index];
      });
      // A click on a school's name on the axis opens it too.
      chart.getZr().on("click", function (event) {
        if (event.target) return;
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) return;
        var index = chart.convertFromPixel({seriesIndex: 0}, point)[1];
        if (spec.urls[index]) window.location.href = spec.urls[index];
      });
    }
    drawn.push({chart: chart, spec: spec});
  });

  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      drawn.forEach(function (d) {
        d.chart.setOption(option(d.spec, d.chart.getDom().clientWidth));
        d.chart.resize();
      });
    }, 150);
  });
})();
