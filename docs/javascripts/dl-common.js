// Shared helpers for the interactive pieces (kernel playground, learning-rate explorer, CNN).
// Plain JavaScript, no dependencies. Each piece registers itself with dl.onPage(selector, init):
// init runs once for every matching element of every page shown (also with Material's
// instant navigation, which swaps pages without reloading the scripts).
"use strict";

window.dl = (function () {
  const pieces = [];

  function initAll() {
    for (const { selector, init } of pieces) {
      for (const el of document.querySelectorAll(selector)) {
        if (el.dataset.dlReady) continue;
        el.dataset.dlReady = "1";
        init(el).catch((err) => {
          el.querySelector(".dl-status")?.replaceChildren(`Could not start: ${err.message}`);
          throw err;
        });
      }
    }
  }

  function onPage(selector, init) {
    pieces.push({ selector, init });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(initAll); // Material: fires on the first page and after each instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    setTimeout(initAll);
  }

  // The data files are named relative to the page in the element's data-src attribute.
  async function loadJSON(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  function bytes(base64) {
    const text = atob(base64);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  // Little-endian float32 (what the build writes) as a Float32Array.
  function float32(base64) {
    const b = bytes(base64);
    const view = new DataView(b.buffer);
    const out = new Float32Array(b.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }

  function range(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  }

  // Draw an image stored channels-last (H, W, C) with C = 1 or 3 on a canvas.
  // mode "gray": values in [0, 1] (clipped); mode "diverging": red > 0, white 0, blue < 0,
  // scaled by `limit` (the largest absolute value unless given).
  function draw(canvas, values, height, width, channels, mode = "gray", limit = null) {
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(width, height);
    if (mode === "diverging" && limit === null) {
      const [lo, hi] = range(values);
      limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    }
    for (let p = 0; p < height * width; p++) {
      let r, g, b;
      if (mode === "diverging") {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += values[p * channels + c];
        const t = Math.max(-1, Math.min(1, sum / channels / limit));
        // white at 0, towards red (178, 24, 43) for +1 and blue (33, 102, 172) for -1
        const [tr, tg, tb] = t >= 0 ? [178, 24, 43] : [33, 102, 172];
        const a = Math.abs(t);
        r = 255 + (tr - 255) * a; g = 255 + (tg - 255) * a; b = 255 + (tb - 255) * a;
      } else {
        const at = (c) => 255 * Math.max(0, Math.min(1, values[p * channels + (channels === 1 ? 0 : c)]));
        r = at(0); g = at(1); b = at(2);
      }
      img.data.set([r, g, b, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
  }

  // The theme's colours (they differ in light and dark mode), for text and lines on canvases.
  function themeColor(name, fallback) {
    const value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function format(x, digits = 3) {
    if (!Number.isFinite(x)) return String(x);
    const a = Math.abs(x);
    return a !== 0 && (a >= 1e4 || a < 1e-3) ? x.toExponential(digits - 1) : x.toFixed(digits);
  }

  return { onPage, loadJSON, bytes, float32, range, draw, themeColor, format };
})();
