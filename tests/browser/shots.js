// Reading Chromium's screenshots back in a test: where elements are, whether a shot shows them, and their colours.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';

/** Where each element is in the document, whether it is visible, and whether it is what shows at its centre. */
export function keyBoxes(page, selectors) {
  return page.evaluate((sels) => {
    const out = sels.map((sel) => {
      const el = document.querySelector(sel);
      if (!el) return { sel, missing: true };
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return {
        sel,
        x: r.left + scrollX,
        y: r.top + scrollY,
        width: r.width,
        height: r.height,
        visible: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
        uncovered: top !== null && el.contains(top),
      };
    });
    scrollTo(0, 0);
    return out;
  }, selectors);
}

/** Why a screenshot (decoded PNG, document coordinates from its top-left) fails to show these boxes; [] when it shows them all. */
export function screenshotProblems(boxes, image) {
  const found = [];
  for (const b of boxes) {
    if (b.missing) found.push(`${b.sel} is missing`);
    else if (!(b.width > 0 && b.height > 0)) found.push(`${b.sel} has an empty box`);
    else if (b.x < 0 || b.y < 0 || b.x + b.width > image.width || b.y + b.height > image.height) found.push(`${b.sel} is outside the screenshot`);
    else if (!b.visible) found.push(`${b.sel} is not visible`);
    else if (!b.uncovered) found.push(`${b.sel} is covered`);
  }
  return found;
}

/** The most common colour inside a box of the image. */
export function dominant(image, box) {
  const counts = new Map();
  for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y++) {
    for (let x = Math.ceil(box.x); x < Math.floor(box.x + box.width); x++) {
      const at = (y * image.width + x) * 4;
      const key = (image.rgba[at] << 16) | (image.rgba[at + 1] << 8) | image.rgba[at + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const [key] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [0];
  return { r: key >> 16, g: (key >> 8) & 255, b: key & 255 };
}

/** A minimal PNG decoder (8-bit RGB or RGBA, not interlaced: what Chromium writes), to RGBA. */
export function decodePng(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG signature');
  let width, height, depth, type, interlace;
  const idat = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const kind = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (kind === 'IHDR') [width, height, depth, type, interlace] = [data.readUInt32BE(0), data.readUInt32BE(4), data[8], data[9], data[12]];
    else if (kind === 'IDAT') idat.push(data);
    else if (kind === 'IEND') break;
    at += 12 + length;
  }
  assert.ok(depth === 8 && (type === 2 || type === 6) && interlace === 0, `PNG depth ${depth} type ${type} interlace ${interlace}`);
  const bpp = type === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = rows.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let add;
      if (filter === 0) add = 0;
      else if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.fail(`PNG filter ${filter}`);
      row[i] = (src[i] + add) & 255;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = rows[p * bpp];
    rgba[p * 4 + 1] = rows[p * bpp + 1];
    rgba[p * 4 + 2] = rows[p * bpp + 2];
    rgba[p * 4 + 3] = bpp === 4 ? rows[p * bpp + 3] : 255;
  }
  return { width, height, rgba };
}
