// Learning-rate explorer (learning-rate page): gradient descent on the mean squared error of a
// line y = w·x + b, the loss surface of the gradient-descent notebook, with the data and the
// start that snippets/lr_explorer.py uses. The path is recomputed, in float64 like the Python
// code, whenever the learning rate changes.
"use strict";

function descend(x, y, lr, steps, start) {
  let [w, b] = start;
  const path = [[w, b]];
  const n = x.length;
  for (let s = 0; s < steps; s++) {
    // gradient of mean((w x + b - y)^2): 2 mean(r x) for w, 2 mean(r) for b, with r the residual
    let gw = 0, gb = 0;
    for (let i = 0; i < n; i++) {
      const r = w * x[i] + b - y[i];
      gw += r * x[i];
      gb += r;
    }
    w -= lr * (2 * gw / n);
    b -= lr * (2 * gb / n);
    path.push([w, b]);
  }
  return path;
}

function mse(x, y, w, b) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (w * x[i] + b - y[i]) ** 2;
  return sum / x.length;
}

dl.onPage(".dl-lr-explorer", async function (root) {
  const data = await dl.loadJSON(root.dataset.src);
  const { x, y, start, steps } = data;
  const W = [-1, 7], B = [-3.5, 4.5]; // the notebook's view of the surface
  const MIN_EXP = -3, MAX_EXP = 0.3;

  // the optimum, from the normal equations (x has mean 0 here, but solve the general 2×2 system)
  const n = x.length;
  const sx = x.reduce((a, v) => a + v, 0), sy = y.reduce((a, v) => a + v, 0);
  const sxx = x.reduce((a, v) => a + v * v, 0), sxy = x.reduce((a, v, i) => a + v * y[i], 0);
  const wOpt = (n * sxy - sx * sy) / (n * sxx - sx * sx), bOpt = (sy - wOpt * sx) / n;
  const lossOpt = mse(x, y, wOpt, bOpt);

  root.innerHTML = `
    <div class="dl-controls">
      <label for="${root.id}-slider">Learning rate (log scale)</label>
      <input type="range" id="${root.id}-slider" class="dl-slider" min="${MIN_EXP}" max="${MAX_EXP}" step="0.01">
      <label>exactly <input type="number" class="dl-lr" min="0" step="any" inputmode="decimal"></label>
    </div>
    <p class="dl-verdict" aria-live="polite"></p>
    <div class="dl-images">
      <figure><canvas class="dl-surface" width="320" height="320" role="img"></canvas>
        <figcaption>Loss surface over (w, b), and the path of ${steps} steps from (${start.join(", ")}); ★ the optimum</figcaption></figure>
      <figure><canvas class="dl-curve" width="320" height="320" role="img"></canvas>
        <figcaption>Loss after each step (log scale)</figcaption></figure>
    </div>`;
  const slider = root.querySelector(".dl-slider");
  const exact = root.querySelector(".dl-lr");
  const surface = root.querySelector(".dl-surface");
  const curve = root.querySelector(".dl-curve");

  // The surface image is the same for every learning rate: compute it once.
  const background = (() => {
    const size = surface.width;
    const off = document.createElement("canvas");
    off.width = off.height = size;
    const ctx = off.getContext("2d");
    const img = ctx.createImageData(size, size);
    const lo = Math.log(lossOpt), hi = Math.log(40);
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const w = W[0] + ((px + 0.5) / size) * (W[1] - W[0]);
        const b = B[1] - ((py + 0.5) / size) * (B[1] - B[0]);
        const t = Math.min(1, Math.max(0, (Math.log(mse(x, y, w, b)) - lo) / (hi - lo)));
        const band = Math.floor(t * 12) / 12; // bands of equal loss ratio, like contour lines
        // from a light yellow-green at the bottom of the bowl to a dark blue on the rim
        const rgb = [253 - 215 * band, 231 - 160 * band, 37 + 103 * band];
        img.data.set([...rgb, 255], 4 * (py * size + px));
      }
    }
    ctx.putImageData(img, 0, 0);
    return off;
  })();

  const toPx = (w, b) => [
    ((w - W[0]) / (W[1] - W[0])) * surface.width,
    ((B[1] - b) / (B[1] - B[0])) * surface.height,
  ];

  function drawSurface(path) {
    const ctx = surface.getContext("2d");
    ctx.drawImage(background, 0, 0);
    ctx.strokeStyle = "#d62728";
    ctx.fillStyle = "#d62728";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    path.forEach(([w, b], i) => {
      const [px, py] = toPx(w, b);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
    for (const [w, b] of path) {
      const [px, py] = toPx(w, b);
      ctx.beginPath();
      ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    const [ox, oy] = toPx(wOpt, bOpt);
    ctx.fillStyle = "#000";
    ctx.font = "18px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("★", ox, oy);
    ctx.fillStyle = "#fff";
    ctx.font = "13px sans-serif";
    ctx.fillText("w →", surface.width - 22, surface.height - 10);
    ctx.fillText("b ↑", 16, 12);
  }

  function drawCurve(losses) {
    const ctx = curve.getContext("2d");
    const fg = dl.themeColor("--md-default-fg-color", "#000");
    const faint = dl.themeColor("--md-default-fg-color--lighter", "#999");
    const { width, height } = curve;
    const left = 46, bottom = height - 26, top = 10, right = width - 8;
    ctx.clearRect(0, 0, width, height);
    const logs = losses.map((l) => Math.log10(Math.max(l, 1e-12)));
    const lo = Math.floor(Math.min(...logs, Math.log10(lossOpt))), hi = Math.ceil(Math.max(...logs));
    const sx = (i) => left + (i / (losses.length - 1)) * (right - left);
    const sy = (v) => bottom - ((v - lo) / Math.max(hi - lo, 1)) * (bottom - top);
    ctx.font = "12px sans-serif";
    ctx.fillStyle = fg;
    ctx.strokeStyle = faint;
    ctx.lineWidth = 1;
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let e = lo; e <= hi; e += every) {
      ctx.beginPath();
      ctx.moveTo(left, sy(e));
      ctx.lineTo(right, sy(e));
      ctx.stroke();
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(`1e${e}`, left - 4, sy(e));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("step", (left + right) / 2, bottom + 8);
    ctx.fillText("0", sx(0), bottom + 8);
    ctx.fillText(String(losses.length - 1), sx(losses.length - 1), bottom + 8);
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(left, sy(Math.log10(lossOpt)));
    ctx.lineTo(right, sy(Math.log10(lossOpt)));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    ctx.beginPath();
    logs.forEach((v, i) => (i === 0 ? ctx.moveTo(sx(i), sy(v)) : ctx.lineTo(sx(i), sy(v))));
    ctx.stroke();
  }

  function verdict(path, losses) {
    const first = losses[0], last = losses[losses.length - 1];
    const gap = (last - lossOpt) / (first - lossOpt);
    const bs = path.map(([, b]) => b - bOpt);
    const zigzag = bs.slice(1).filter((v, i) => v * bs[i] < 0).length > steps / 2;
    if (!(last < first)) return "Diverges: every step overshoots the bottom by more than the last one, and the loss grows without bound.";
    if (gap > 0.01 && zigzag) return "Too large, but not yet diverging: the path zig-zags across the valley and settles slowly.";
    if (gap > 0.01) return `Too small: after ${steps} steps the path has covered only part of the way down (${Math.round(100 * (1 - gap))}% of the possible fall in loss).`;
    const good = `Good: within ${steps} steps the loss is within 1% of the lowest possible`;
    return zigzag ? `${good}, though every step overshoots and the path zig-zags across the valley.` : `${good}.`;
  }

  function update(lr) {
    const path = descend(x, y, lr, steps, start);
    const losses = path.map(([w, b]) => mse(x, y, w, b));
    drawSurface(path);
    drawCurve(losses);
    const text = verdict(path, losses);
    root.querySelector(".dl-verdict").textContent = `Learning rate ${+lr.toPrecision(4)}. ${text}`;
    const [w, b] = path[path.length - 1];
    surface.setAttribute("aria-label", `Path of gradient descent with learning rate ${+lr.toPrecision(4)}: ends at w = ${dl.format(w)}, b = ${dl.format(b)}`);
    curve.setAttribute("aria-label", `Loss per step: from ${dl.format(losses[0])} to ${dl.format(losses[losses.length - 1])}`);
    slider.setAttribute("aria-valuetext", `learning rate ${+lr.toPrecision(4)}`);
    root.dlResult = { lr, path, losses };
  }

  slider.addEventListener("input", () => {
    const lr = +(10 ** Number(slider.value)).toPrecision(3);
    exact.value = String(lr);
    update(lr);
  });
  exact.addEventListener("input", () => {
    const lr = Number(exact.value);
    if (!(lr > 0)) return;
    slider.value = String(Math.log10(lr));
    update(lr);
  });
  // the axis labels take the theme's colours: redraw when the reader switches light/dark mode
  new MutationObserver(() => update(root.dlResult.lr)).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });
  const initial = data.rates["too small"];
  slider.value = String(Math.log10(initial));
  exact.value = String(initial);
  update(initial);
});
