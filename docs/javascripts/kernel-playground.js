// Kernel playground (image-kernels page): a 3×3 kernel you edit, applied to an image the way
// dlnotes.kernels.apply_kernel does it: every channel separately, cross-correlation (no flip),
// the border extended by repeating the edge pixels, uint8 pixels scaled to [0, 1], no clipping.
// Optionally a second kernel on the result, with a ReLU in between.
"use strict";

// out[y][x] = sum over i, j of k[i][j] * in[clamp(y + i - 1)][clamp(x + j - 1)], per channel.
function applyKernel(values, height, width, channels, kernel) {
  const out = new Float64Array(values.length);
  const r = (kernel.length - 1) / 2;
  const clamp = (v, n) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let i = -r; i <= r; i++) {
          const row = clamp(y + i, height) * width;
          for (let j = -r; j <= r; j++) {
            sum += kernel[i + r][j + r] * values[(row + clamp(x + j, width)) * channels + c];
          }
        }
        out[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return out;
}

dl.onPage(".dl-kernels", async function (root) {
  const data = await dl.loadJSON(root.dataset.src);
  const names = Object.keys(data.kernels);
  const images = data.images.map((im) => {
    const raw = dl.bytes(im.uint8);
    return { ...im, values: Float64Array.from(raw, (v) => v / 255) };
  });

  root.innerHTML = `
    <div class="dl-controls">
      <label>Image <select class="dl-image"></select></label>
    </div>
    <div class="dl-kernel-row"></div>
    <div class="dl-controls">
      <label><input type="checkbox" class="dl-stack"> Then a second kernel</label>
      <label><input type="checkbox" class="dl-relu" checked disabled> ReLU in between</label>
    </div>
    <div class="dl-images">
      <figure><canvas class="dl-in" role="img"></canvas><figcaption class="dl-in-caption"></figcaption></figure>
      <figure><canvas class="dl-out" role="img"></canvas><figcaption class="dl-out-caption" aria-live="polite"></figcaption></figure>
    </div>`;
  const imageSelect = root.querySelector(".dl-image");
  images.forEach((im, i) => imageSelect.add(new Option(im.name, String(i))));

  function kernelEditor(n, initial) {
    const box = document.createElement("fieldset");
    box.className = "dl-kernel";
    box.innerHTML = `<legend>Kernel ${n}</legend>
      <label>Named kernel <select class="dl-named"></select></label>
      <div class="dl-grid" role="group" aria-label="Kernel ${n} weights, 3 rows of 3"></div>
      <p class="dl-sum"></p>`;
    const select = box.querySelector("select");
    select.add(new Option("custom (typed in)", ""));
    for (const name of names) select.add(new Option(name, name));
    const grid = box.querySelector(".dl-grid");
    const cells = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const cell = document.createElement("input");
        cell.type = "number";
        cell.step = "any";
        cell.setAttribute("aria-label", `Kernel ${n}, row ${i + 1}, column ${j + 1}`);
        grid.append(cell);
        cells.push(cell);
      }
    }
    const editor = {
      box, select, cells,
      set(name) {
        select.value = name;
        data.kernels[name].flat().forEach((v, k) => (cells[k].value = String(+v.toPrecision(6))));
      },
      kernel() {
        const k = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
        cells.forEach((cell, idx) => (k[Math.floor(idx / 3)][idx % 3] = Number(cell.value) || 0));
        // a named kernel uses its exact weights (1/9 is not exactly "0.111111")
        return select.value ? data.kernels[select.value] : k;
      },
    };
    select.addEventListener("change", () => { if (select.value) editor.set(select.value); update(); });
    for (const cell of cells) cell.addEventListener("input", () => { select.value = ""; update(); });
    editor.set(initial);
    return editor;
  }

  const row = root.querySelector(".dl-kernel-row");
  const first = kernelEditor(1, "top");
  const second = kernelEditor(2, "box_blur");
  row.append(first.box, second.box);
  const stack = root.querySelector(".dl-stack");
  const relu = root.querySelector(".dl-relu");

  function update() {
    const im = images[Number(imageSelect.value)];
    second.box.hidden = !stack.checked;
    relu.disabled = !stack.checked;
    let out = applyKernel(im.values, im.height, im.width, im.channels, first.kernel());
    let last = first;
    if (stack.checked) {
      if (relu.checked) out = out.map((v) => Math.max(0, v));
      out = applyKernel(out, im.height, im.width, im.channels, second.kernel());
      last = second;
    }
    for (const ed of stack.checked ? [first, second] : [first]) {
      const sum = ed.kernel().flat().reduce((a, b) => a + b, 0);
      ed.box.querySelector(".dl-sum").textContent = `weights sum to ${dl.format(sum)}`;
    }
    const [lo, hi] = dl.range(out);
    const sum = last.kernel().flat().reduce((a, b) => a + b, 0);
    const mode = Math.abs(sum) < 1e-9 ? "diverging" : "gray";
    dl.draw(root.querySelector(".dl-in"), im.values, im.height, im.width, im.channels);
    dl.draw(root.querySelector(".dl-out"), out, im.height, im.width, im.channels, mode);
    const range = `value range [${dl.format(lo)}, ${dl.format(hi)}]`;
    root.querySelector(".dl-in-caption").textContent = `input, ${im.height} × ${im.width}, values in [0, 1]`;
    root.querySelector(".dl-out-caption").textContent =
      `output, ${range}` + (mode === "diverging" ? ": red positive, blue negative" : ": shown clipped to [0, 1]");
    root.querySelector(".dl-in").setAttribute("aria-label", `input image: ${im.name}`);
    root.querySelector(".dl-out").setAttribute("aria-label", `the filtered image, ${range}`);
    root.dlResult = { values: Array.from(out), height: im.height, width: im.width, channels: im.channels };
  }

  imageSelect.addEventListener("change", update);
  stack.addEventListener("change", update);
  relu.addEventListener("change", update);
  update();
});
