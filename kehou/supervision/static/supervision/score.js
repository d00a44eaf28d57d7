// The running total of the scoring form; the server computes the one that counts.
(function () {
  const form = document.getElementById("review-form");
  const out = document.getElementById("running-total");
  if (!form || !out) return;
  function update() {
    let total = 0, filled = 0;
    form.querySelectorAll("input.points").forEach(function (input) {
      const value = parseFloat(input.value);
      if (!isNaN(value)) { total += value; filled += 1; }
      input.setAttribute("aria-invalid", !isNaN(value) && (value < 0 || value > parseFloat(input.dataset.max)) ? "true" : "false");
    });
    out.textContent = filled ? (Math.round(total * 10) / 10).toString() : "—";
  }
  form.addEventListener("input", update);
  update();
})();
