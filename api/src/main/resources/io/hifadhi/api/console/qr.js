// A QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1 to 40, the mask
// with the lowest penalty. Small and self-contained so the console needs no CDN or build step.
"use strict";

const QR = (() => {
  // Per version 1..40 at level M: error correction codewords per block, and the number of blocks.
  const ECC_PER_BLOCK = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];
  const BLOCKS = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26,
    28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49];
  const LEVEL_M_BITS = 0;

  // GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
  const EXP = new Uint8Array(512);
  const LOG = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
  const mul = (a, b) => (a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]]);

  function generator(degree) {
    let poly = [1];
    for (let i = 0; i < degree; i++) {
      const next = new Array(poly.length + 1).fill(0);
      for (let j = 0; j < poly.length; j++) {
        next[j] ^= poly[j];
        next[j + 1] ^= mul(poly[j], EXP[i]);
      }
      poly = next;
    }
    return poly;
  }

  function remainder(data, degree) {
    const gen = generator(degree);
    const rem = new Array(degree).fill(0);
    for (const byte of data) {
      const factor = byte ^ rem.shift();
      rem.push(0);
      for (let i = 0; i < degree; i++) rem[i] ^= mul(gen[i + 1], factor);
    }
    return rem;
  }

  function rawModules(ver) {
    let n = (16 * ver + 128) * ver + 64;
    if (ver >= 2) {
      const align = Math.floor(ver / 7) + 2;
      n -= (25 * align - 10) * align - 55;
      if (ver >= 7) n -= 36;
    }
    return n;
  }

  const dataCapacity = (ver) => Math.floor(rawModules(ver) / 8) - ECC_PER_BLOCK[ver] * BLOCKS[ver];

  function alignmentPositions(ver) {
    if (ver === 1) return [];
    const count = Math.floor(ver / 7) + 2;
    const size = ver * 4 + 17;
    const step = ver === 32 ? 26 : Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
    const out = [6];
    for (let pos = size - 7; out.length < count; pos -= step) out.splice(1, 0, pos);
    return out;
  }

  function bch(value, poly, polyBits) {
    let v = value << (polyBits - 1);
    for (let bit = 31; bit >= polyBits - 1; bit--) {
      if ((v >>> bit) & 1) v ^= poly << (bit - polyBits + 1);
    }
    return (value << (polyBits - 1)) | v;
  }

  function codewords(bytes, ver) {
    const bits = [];
    const put = (value, length) => {
      for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
    };
    put(4, 4);
    put(bytes.length, ver < 10 ? 8 : 16);
    for (const b of bytes) put(b, 8);
    const capacityBits = dataCapacity(ver) * 8;
    put(0, Math.min(4, capacityBits - bits.length));
    while (bits.length % 8) bits.push(0);
    const data = [];
    for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
    for (let pad = 0xec; data.length < dataCapacity(ver); pad ^= 0xec ^ 0x11) data.push(pad);

    const blocks = BLOCKS[ver];
    const eccLen = ECC_PER_BLOCK[ver];
    const raw = Math.floor(rawModules(ver) / 8);
    const shortBlocks = blocks - (raw % blocks);
    const shortLen = Math.floor(raw / blocks);
    const dataBlocks = [];
    const eccBlocks = [];
    for (let i = 0, k = 0; i < blocks; i++) {
      const len = shortLen - eccLen + (i < shortBlocks ? 0 : 1);
      const block = data.slice(k, k + len);
      k += len;
      dataBlocks.push(block);
      eccBlocks.push(remainder(block, eccLen));
    }
    const out = [];
    for (let i = 0; i <= shortLen - eccLen; i++) {
      for (const block of dataBlocks) if (i < block.length) out.push(block[i]);
    }
    for (let i = 0; i < eccLen; i++) for (const block of eccBlocks) out.push(block[i]);
    return out;
  }

  class Matrix {
    constructor(ver) {
      this.size = ver * 4 + 17;
      this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
      this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    }
    set(x, y, dark) {
      this.dark[y][x] = dark;
      this.fixed[y][x] = true;
    }
  }

  function drawFunctionPatterns(m, ver) {
    const n = m.size;
    for (let i = 0; i < n; i++) {
      m.set(6, i, i % 2 === 0);
      m.set(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [[3, 3], [n - 4, 3], [3, n - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x < 0 || y < 0 || x >= n || y >= n) continue;
          const d = Math.max(Math.abs(dx), Math.abs(dy));
          m.set(x, y, d !== 2 && d !== 4);
        }
      }
    }
    const pos = alignmentPositions(ver);
    for (let i = 0; i < pos.length; i++) {
      for (let j = 0; j < pos.length; j++) {
        const corner = (i === 0 && j === 0) || (i === 0 && j === pos.length - 1) || (i === pos.length - 1 && j === 0);
        if (corner) continue;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            m.set(pos[i] + dx, pos[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
          }
        }
      }
    }
    drawFormat(m, 0);
    if (ver >= 7) {
      const bits = bch(ver, 0x1f25, 13);
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = n - 11 + (i % 3);
        const b = Math.floor(i / 3);
        m.set(a, b, dark);
        m.set(b, a, dark);
      }
    }
  }

  function drawFormat(m, mask) {
    const n = m.size;
    const bits = bch((LEVEL_M_BITS << 3) | mask, 0x537, 11) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) m.set(8, i, bit(i));
    m.set(8, 7, bit(6));
    m.set(8, 8, bit(7));
    m.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) m.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) m.set(n - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) m.set(8, n - 15 + i, bit(i));
    m.set(8, n - 8, true);
  }

  function drawData(m, data) {
    const n = m.size;
    let i = 0;
    for (let right = n - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vert = 0; vert < n; vert++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const upward = ((right + 1) & 2) === 0;
          const y = upward ? n - 1 - vert : vert;
          if (!m.fixed[y][x] && i < data.length * 8) {
            m.dark[y][x] = ((data[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
            i++;
          }
        }
      }
    }
  }

  const MASKS = [
    (x, y) => (x + y) % 2 === 0,
    (x, y) => y % 2 === 0,
    (x) => x % 3 === 0,
    (x, y) => (x + y) % 3 === 0,
    (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
    (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
    (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
  ];

  function applyMask(m, mask) {
    for (let y = 0; y < m.size; y++) {
      for (let x = 0; x < m.size; x++) {
        if (!m.fixed[y][x] && MASKS[mask](x, y)) m.dark[y][x] = !m.dark[y][x];
      }
    }
  }

  function penalty(m) {
    const n = m.size;
    const d = m.dark;
    let score = 0;
    const lines = (get) => {
      for (let a = 0; a < n; a++) {
        let run = 1;
        const row = [];
        for (let b = 0; b < n; b++) row.push(get(a, b));
        for (let b = 1; b <= n; b++) {
          if (b < n && row[b] === row[b - 1]) {
            run++;
          } else {
            if (run >= 5) score += run - 2;
            run = 1;
          }
        }
        const s = row.map((v) => (v ? "1" : "0")).join("");
        for (const pattern of ["10111010000", "00001011101"]) {
          for (let k = s.indexOf(pattern); k >= 0; k = s.indexOf(pattern, k + 1)) score += 40;
        }
      }
    };
    lines((a, b) => d[a][b]);
    lines((a, b) => d[b][a]);
    let darkCount = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        if (d[y][x]) darkCount++;
        if (x < n - 1 && y < n - 1 && d[y][x] === d[y][x + 1] && d[y][x] === d[y + 1][x] && d[y][x] === d[y + 1][x + 1]) {
          score += 3;
        }
      }
    }
    score += Math.floor(Math.abs(darkCount * 20 - n * n * 10) / (n * n)) * 10;
    return score;
  }

  /** The QR code of a text as rows of booleans (true = dark), quiet zone not included. */
  function encode(text) {
    const bytes = Array.from(new TextEncoder().encode(text));
    let ver = 1;
    while (ver <= 40 && bytes.length + (ver < 10 ? 2 : 3) > dataCapacity(ver)) ver++;
    if (ver > 40) throw new Error("too long for a QR code");
    const data = codewords(bytes, ver);
    let best = null;
    for (let mask = 0; mask < 8; mask++) {
      const m = new Matrix(ver);
      drawFunctionPatterns(m, ver);
      drawData(m, data);
      applyMask(m, mask);
      drawFormat(m, mask);
      const score = penalty(m);
      if (best === null || score < best.score) best = { score, matrix: m };
    }
    return best.matrix.dark;
  }

  /** An SVG element drawing the code, with a four-module quiet zone. */
  function svg(text, title) {
    const rows = encode(text);
    const n = rows.length + 8;
    const ns = "http://www.w3.org/2000/svg";
    const el = document.createElementNS(ns, "svg");
    el.setAttribute("viewBox", `0 0 ${n} ${n}`);
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", title);
    el.setAttribute("shape-rendering", "crispEdges");
    const bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", n);
    bg.setAttribute("height", n);
    bg.setAttribute("fill", "#fff");
    el.appendChild(bg);
    let d = "";
    rows.forEach((row, y) => row.forEach((dark, x) => {
      if (dark) d += `M${x + 4} ${y + 4}h1v1h-1z`;
    }));
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "#000");
    el.appendChild(path);
    return el;
  }

  return { encode, svg };
})();
