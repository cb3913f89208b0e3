/* Comptoir charts: draws each [data-chart] box with Chart.js from the JSON the server
   rendered next to its canvas; clicking a bar, point or slice opens the records behind it. */
(function () {
  "use strict";
  var PALETTE = ["#0b5e8e", "#e07a1f", "#2f9e6e", "#c0392b", "#7b61c9", "#1f9fb4",
                 "#b8860b", "#d35d90", "#5d6d7e", "#6a994e"];

  function color(index, alpha) {
    var hex = PALETTE[index % PALETTE.length];
    if (alpha === undefined) { return hex; }
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function draw(box) {
    var canvas = box.querySelector("canvas");
    var source = box.querySelector('script[type="application/json"]');
    if (!canvas || !source || !window.Chart) { return; }
    var config = JSON.parse(source.textContent);
    var pie = config.type === "pie";
    var datasets = config.datasets.map(function (set, i) {
      var data = {label: set.label, data: set.data};
      if (pie) {
        data.backgroundColor = set.data.map(function (_v, j) { return color(j); });
        data.borderColor = "#fff";
      } else if (config.type === "line") {
        data.borderColor = color(i);
        data.backgroundColor = color(i, 0.15);
        data.fill = config.stacked;
        data.tension = 0.25;
      } else {
        data.backgroundColor = color(i, 0.85);
        data.borderRadius = 3;
      }
      return data;
    });
    var chart = new window.Chart(canvas, {
      type: config.type,
      data: {labels: config.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {display: pie || datasets.length > 1, position: pie ? "right" : "top"}},
        scales: pie ? {} : {
          x: {stacked: config.stacked, grid: {display: false}},
          y: {stacked: config.stacked, beginAtZero: true,
              title: {display: true, text: config.measure}}
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (_event, elements) {
          if (!elements.length) { return; }
          var hit = elements[0];
          var link = config.datasets[hit.datasetIndex].links[hit.index];
          if (link) { window.location.href = link; }
        }
      }
    });
    box.chart = chart;
    box.setAttribute("data-chart-ready", "1");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
