// Feature maps on canvases: each channel normalised to its own min..max (grey: black = min, white = max).

export interface MapStats { min: number; max: number; mean: number }

export function channelStats(data: Float32Array, offset: number, size: number): MapStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = offset; i < offset + size; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / size };
}

/** Draws channel `channel` of NCHW `data` ([1, C, height, width]) onto `canvas`, resized to the map. */
export function drawChannel(canvas: HTMLCanvasElement, data: Float32Array, channel: number, height: number, width: number): MapStats {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const size = width * height;
  const offset = channel * size;
  const stats = channelStats(data, offset, size);
  const range = stats.max - stats.min;
  const scale = range > 0 ? 255 / range : 0;
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(width, height);
  const pixels = image.data;
  for (let i = 0; i < size; i++) {
    // a constant map (e.g. a channel ReLU zeroed everywhere) is drawn mid-grey
    const v = range > 0 ? (data[offset + i] - stats.min) * scale : 128;
    pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = v;
    pixels[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return stats;
}

/**
 * Draws conv filter `channel` of weight [out, 3, kh, kw] as an RGB image: input channels as
 * R, G, B, zero at mid-grey, scaled by the filter's largest magnitude (how stem filters are usually shown).
 */
export function drawFilter(canvas: HTMLCanvasElement, weight: Float32Array, shape: readonly number[], channel: number): boolean {
  const [, inPerGroup, kh, kw] = shape;
  if (inPerGroup !== 3) return false;
  canvas.width = kw;
  canvas.height = kh;
  const taps = kh * kw;
  const offset = channel * 3 * taps;
  let largest = 0;
  for (let i = 0; i < 3 * taps; i++) largest = Math.max(largest, Math.abs(weight[offset + i]));
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(kw, kh);
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < 3; c++) image.data[4 * t + c] = 128 + (largest > 0 ? (127 * weight[offset + c * taps + t]) / largest : 0);
    image.data[4 * t + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return true;
}

export const formatValue = (v: number): string =>
  v === 0 ? "0" : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(2) : v.toFixed(3);
