/* Charts of a survey's results (Apache ECharts, vendored): a bar per choice, the 1–5
   distribution as bars. The numbers are also in the tables beside each chart. */
(function () {
  var el = document.getElementById("survey-charts");
  if (!el || !window.echarts) return;
  var charts = JSON.parse(el.textContent);
  var zh = (document.documentElement.lang || "zh-hans").indexOf("zh") === 0;
  var T = zh ? {count: "人数", score: "分值"} : {count: "Answers", score: "Score"};
  var colors = ["#b91c1c", "#ea580c", "#ca8a04", "#65a30d", "#0b6e4f"];
  charts.forEach(function (c) {
    var node = document.getElementById(c.id);
    if (!node) return;
    if (c.kind === "choices") node.style.height = Math.max(140, 36 * c.labels.length + 50) + "px";
    var chart = echarts.init(node);
    var horizontal = c.kind === "choices";
    var category = {type: "category", data: c.labels, inverse: horizontal,
      axisLabel: {width: 110, overflow: "truncate"}};
    if (!horizontal) {
      category.name = T.score;
      category.nameLocation = "middle";
      category.nameGap = 28;
    }
    var value = {type: "value", minInterval: 1};
    if (!horizontal) value.name = T.count;
    chart.setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      grid: {left: 10, right: 36, top: 30, bottom: horizontal ? 10 : 30, containLabel: true},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        type: "bar", name: T.count, data: c.counts.map(function (n, i) {
          return c.kind === "scale" ? {value: n, itemStyle: {color: colors[i]}} : n;
        }),
        label: {show: true, position: horizontal ? "right" : "top"},
        itemStyle: {color: "#0b6e4f"}
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
