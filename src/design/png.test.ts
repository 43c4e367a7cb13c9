import { describe, expect, it } from 'vitest';
import { pngSize } from './png.js';

/** A PNG's first 24 bytes: the signature, the IHDR chunk's length and type, the width and the height. */
function header(width: number, height: number, type = 'IHDR'): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write(type, 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

describe('pngSize', () => {
  it('reads the width and height from the IHDR chunk', () => {
    expect(pngSize(header(390, 2_400))).toEqual({ width: 390, height: 2_400 });
    expect(pngSize(header(1280, 800).subarray(0, 24))).toEqual({ width: 1280, height: 800 });
  });

  it('is null for anything that is not a PNG header', () => {
    expect(pngSize(Buffer.from('GIF89a not a png at all, really'))).toBeNull();
    expect(pngSize(header(1, 1).subarray(0, 20))).toBeNull();
    expect(pngSize(header(1, 1, 'IDAT'))).toBeNull();
  });
});
