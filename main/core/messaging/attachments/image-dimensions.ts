/**
 * The width and height a PNG or JPEG says it has, read from its header only: main never decodes
 * an image it received (decoding happens in the sandboxed renderer), but it does refuse to hand
 * the renderer one whose header promises a decompression bomb.
 */
export interface ImageDimensions {
  readonly width: number;
  readonly height: number;
}

/** Larger than this is shown as a file card (Save / Open), never decoded inline. */
export const inlineImageLimits = { maxSide: 16_384, maxPixels: 40_000_000 } as const;

export function imageDimensions(bytes: Uint8Array, type: string): ImageDimensions | null {
  if (type === 'image/png') return pngDimensions(bytes);
  if (type === 'image/jpeg') return jpegDimensions(bytes);
  return null;
}

export function fitsInline(size: ImageDimensions | null): boolean {
  return (
    size !== null &&
    size.width > 0 &&
    size.height > 0 &&
    size.width <= inlineImageLimits.maxSide &&
    size.height <= inlineImageLimits.maxSide &&
    size.width * size.height <= inlineImageLimits.maxPixels
  );
}

const u16 = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u32 = (b: Uint8Array, at: number) => u16(b, at) * 65_536 + u16(b, at + 2);

/** The IHDR chunk is always first: width and height at bytes 16 and 20. */
function pngDimensions(b: Uint8Array): ImageDimensions | null {
  if (b.length < 24 || String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR') return null;
  return { width: u32(b, 16), height: u32(b, 20) };
}

/** Walks the marker segments to the first start-of-frame (SOF0-SOF15 bar DHT, JPG, DAC). */
function jpegDimensions(b: Uint8Array): ImageDimensions | null {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = u16(b, at + 2);
    if (length < 2) return null;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: u16(b, at + 5), width: u16(b, at + 7) };
    }
    at += 2 + length;
  }
  return null;
}
