// The lesson's small CNN (dlnotes.models.small_cnn) running in the page. The weights are the
// model's state_dict, trained and written to small-cnn.json while the site was built. Each block
// is 3×3 convolution (padding 1, no bias) → 2×2 max pooling → batch norm → ReLU, the same
// arithmetic as dlnotes.conv2d and torch; then the average of each channel and a linear layer.
"use strict";

// A tensor here is { data: Float64Array, shape: [C, H, W] } (one image, no batch dimension).

// out[o, y, x] = sum over c, i, j of weight[o, c, i, j] * input[c, y + i - 1, x + j - 1]
// (cross-correlation, as conv2d computes it; outside the image counts as 0: padding 1).
function conv3x3(input, weight) {
  const [C, H, Wd] = input.shape;
  const [O] = weight.shape;
  const out = new Float64Array(O * H * Wd);
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < Wd; x++) {
        let sum = 0;
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < 3; i++) {
            const yy = y + i - 1;
            if (yy < 0 || yy >= H) continue;
            for (let j = 0; j < 3; j++) {
              const xx = x + j - 1;
              if (xx < 0 || xx >= Wd) continue;
              sum += weight.data[((o * C + c) * 3 + i) * 3 + j] * input.data[(c * H + yy) * Wd + xx];
            }
          }
        }
        out[(o * H + y) * Wd + x] = sum;
      }
    }
  }
  return { data: out, shape: [O, H, Wd] };
}

// 2×2 max pooling with stride 2; an odd last row or column is dropped (7 → 3), as in torch.
function maxPool2(input) {
  const [C, H, Wd] = input.shape;
  const h = Math.floor(H / 2), w = Math.floor(Wd / 2);
  const out = new Float64Array(C * h * w);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = (dy, dx) => input.data[(c * H + 2 * y + dy) * Wd + 2 * x + dx];
        out[(c * h + y) * w + x] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return { data: out, shape: [C, h, w] };
}

// Batch norm at inference: each channel with the running statistics of training,
// (x - mean) / sqrt(var + eps) * weight + bias; then ReLU, max(0, x).
function batchNormReLU(input, bn, eps) {
  const [C, H, Wd] = input.shape;
  const out = new Float64Array(input.data.length);
  for (let c = 0; c < C; c++) {
    const scale = bn.weight[c] / Math.sqrt(bn.running_var[c] + eps);
    for (let p = c * H * Wd; p < (c + 1) * H * Wd; p++) {
      out[p] = Math.max(0, (input.data[p] - bn.running_mean[c]) * scale + bn.bias[c]);
    }
  }
  return { data: out, shape: input.shape };
}

function softmax(logits) {
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

function forward(model, pixels) {
  // the input as the training loader gave it: (pixel / 255 - mean) / std
  let x = { data: Float64Array.from(pixels, (v) => (v / 255 - model.mean) / model.std), shape: [1, 28, 28] };
  const maps = [];
  for (const block of model.blocks) {
    x = batchNormReLU(maxPool2(conv3x3(x, block.conv)), block.bn, model.eps);
    maps.push(x);
  }
  const [C, H, Wd] = x.shape;
  const pooled = [];
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let p = c * H * Wd; p < (c + 1) * H * Wd; p++) sum += x.data[p];
    pooled.push(sum / (H * Wd));
  }
  const [K] = model.head.weight.shape;
  const logits = [];
  for (let k = 0; k < K; k++) {
    let sum = model.head.bias[k];
    for (let c = 0; c < C; c++) sum += model.head.weight.data[k * C + c] * pooled[c];
    logits.push(sum);
  }
  return { maps, probabilities: softmax(logits) };
}

function loadModel(file) {
  const tensor = (name) => {
    const entry = file.state_dict[name];
    if (!entry) throw new Error(`small-cnn.json has no ${name}`);
    return { data: dl.float32(entry.float32), shape: entry.shape };
  };
  const blocks = [];
  for (let k = 1; file.state_dict[`block${k}.0.0.weight`]; k++) {
    const bn = {};
    for (const p of ["weight", "bias", "running_mean", "running_var"]) bn[p] = tensor(`block${k}.1.${p}`).data;
    blocks.push({ conv: tensor(`block${k}.0.0.weight`), bn });
  }
  const head = { weight: tensor("head.weight"), bias: tensor("head.bias").data };
  return { blocks, head, mean: file.mean, std: file.std, eps: file.bn_eps };
}

dl.onPage(".dl-cnn", async function (root) {
  const file = await dl.loadJSON(root.dataset.src);
  const model = loadModel(file);
  const { classes } = file;
  const images = file.test_images;
  const pixels = dl.bytes(images.uint8);
  const size = 28 * 28;
  const imageOf = (i) => pixels.subarray(i * size, (i + 1) * size);

  root.innerHTML = `
    <p id="${root.id}-pick">Pick a test image (none of them was used for training):</p>
    <div class="dl-picker" role="group" aria-labelledby="${root.id}-pick"></div>
    <div class="dl-images">
      <figure><canvas class="dl-chosen" role="img"></canvas><figcaption class="dl-truth"></figcaption></figure>
      <ul class="dl-probs" aria-label="Class probabilities"></ul>
    </div>
    <p class="dl-prediction" aria-live="polite"></p>
    <div class="dl-maps"></div>`;
  const picker = root.querySelector(".dl-picker");
  images.labels.forEach((label, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dl-thumb";
    button.setAttribute("aria-label", `test image ${images.indices[i]}, a ${classes[label]}`);
    button.setAttribute("aria-pressed", "false");
    const canvas = document.createElement("canvas");
    dl.draw(canvas, Float64Array.from(imageOf(i), (v) => v / 255), 28, 28, 1);
    button.append(canvas);
    button.addEventListener("click", () => show(i));
    picker.append(button);
  });

  function show(i) {
    const { maps, probabilities } = forward(model, imageOf(i));
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    const truth = images.labels[i];
    picker.querySelectorAll("button").forEach((b, j) => b.setAttribute("aria-pressed", String(i === j)));
    dl.draw(root.querySelector(".dl-chosen"), Float64Array.from(imageOf(i), (v) => v / 255), 28, 28, 1);
    root.querySelector(".dl-chosen").setAttribute("aria-label", `test image ${images.indices[i]}`);
    root.querySelector(".dl-truth").textContent = `test image ${images.indices[i]}, labelled ${classes[truth]}`;
    root.querySelector(".dl-prediction").textContent =
      `Prediction: ${classes[predicted]} (${(100 * probabilities[predicted]).toFixed(1)}%). ` +
      (predicted === truth ? "Right." : `Wrong: the label is ${classes[truth]}.`);
    root.querySelector(".dl-probs").replaceChildren(...probabilities.map((p, k) => {
      const row = document.createElement("li");
      row.className = "dl-prob" + (k === predicted ? " dl-top" : "");
      row.innerHTML = `<span></span><span class="dl-bar" aria-hidden="true"><span></span></span><span></span>`;
      row.children[0].textContent = classes[k];
      row.children[1].firstChild.style.width = `${100 * p}%`;
      row.children[2].textContent = `${(100 * p).toFixed(1)}%`;
      return row;
    }));
    const mapsBox = root.querySelector(".dl-maps");
    mapsBox.replaceChildren(...maps.map((m, layer) => {
      const [C, H, Wd] = m.shape;
      const fig = document.createElement("figure");
      fig.innerHTML = `<figcaption>Block ${layer + 1}: ${C} feature maps of ${H} × ${Wd} (after ReLU; white is the channel's largest value)</figcaption><div class="dl-map-grid"></div>`;
      const grid = fig.querySelector(".dl-map-grid");
      for (let c = 0; c < C; c++) {
        const channel = m.data.subarray(c * H * Wd, (c + 1) * H * Wd);
        const top = Math.max(...channel) || 1;
        const canvas = document.createElement("canvas");
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `block ${layer + 1}, channel ${c + 1}`);
        dl.draw(canvas, channel.map((v) => v / top), H, Wd, 1);
        grid.append(canvas);
      }
      return fig;
    }));
    root.dlResult = { index: i, probabilities, predicted };
  }

  show(0);
});
