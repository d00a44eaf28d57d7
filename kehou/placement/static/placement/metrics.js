/* Charts of the allocation metrics page (Apache ECharts, vendored). */
(function () {
  var el = document.getElementById("placement-charts");
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.textContent);
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;
  var T = zh
    ? {children: "人数", share: "占比 %", first: "第一志愿 %", top3: "前三志愿 %", demand: "第一志愿人数", capacity: "名额", fill: "满额率 %", rank: "志愿名次"}
    : {children: "Children", share: "Share %", first: "First choice %", top3: "Top three %", demand: "First-choice demand", capacity: "Capacity", fill: "Fill rate %", rank: "Rank"};

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node);
    option.tooltip = option.tooltip || {trigger: "axis"};
    option.grid = option.grid || {left: 50, right: 50, bottom: 60, top: 40, containLabel: true};
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function bars(id, dim) {
    chart(id, {
      legend: {},
      xAxis: {type: "category", data: dim.labels, axisLabel: {interval: 0, rotate: dim.labels.length > 8 ? 45 : 0}},
      yAxis: {type: "value", max: 100, name: "%"},
      series: [
        {name: T.first, type: "bar", data: dim.first},
        {name: T.top3, type: "bar", data: dim.top3}
      ]
    });
  }
  chart("chart-ranks", {
    xAxis: {type: "category", data: d.rank_labels, name: T.rank},
    yAxis: {type: "value", name: T.children},
    series: [{name: T.children, type: "bar", data: d.overall_ranks}]
  });
  var groups = Object.keys(d.priority.ranks);
  chart("chart-ranks-group", {
    legend: {},
    xAxis: {type: "category", data: d.rank_labels, name: T.rank},
    yAxis: {type: "value", name: T.share, max: 100},
    series: groups.map(function (g) {
      var row = d.priority.ranks[g];
      var total = row.reduce(function (a, b) { return a + b; }, 0) || 1;
      return {name: g, type: "bar", data: row.map(function (n) { return Math.round(1000 * n / total) / 10; })};
    })
  });
  bars("chart-group", d.priority);
  bars("chart-grade", d.grade);
  bars("chart-class", d["class"]);
  chart("chart-offerings", {
    legend: {},
    xAxis: {type: "category", data: d.offerings.labels, axisLabel: {interval: 0, rotate: 45}},
    yAxis: [{type: "value", name: T.children}, {type: "value", name: T.fill, max: 100}],
    series: [
      {name: T.demand, type: "bar", data: d.offerings.demand},
      {name: T.capacity, type: "bar", data: d.offerings.capacity},
      {name: T.fill, type: "line", yAxisIndex: 1, data: d.offerings.fill}
    ]
  });
})();
