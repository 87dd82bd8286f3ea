// The network's input: an image drawn into a 228×304 canvas (W×H, the seed's 1×3×304×228), then
// normalised per channel with ImageNet's mean and std, as torchvision's transforms do for a ResNet.

export const INPUT_HEIGHT = 304;
export const INPUT_WIDTH = 228;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Draws `source` (w×h) into `canvas`, centre-cropped to its aspect ratio (object-fit: cover). */
export function drawCover(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number): void {
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  const scale = Math.max(canvas.width / width, canvas.height / height);
  const cropWidth = canvas.width / scale;
  const cropHeight = canvas.height / scale;
  context.imageSmoothingQuality = "high";
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, (width - cropWidth) / 2, (height - cropHeight) / 2, cropWidth, cropHeight, 0, 0, canvas.width, canvas.height);
}

/** The canvas's pixels as NCHW float32 data for a [1, 3, H, W] tensor, ImageNet-normalised. */
export function canvasToNCHW(canvas: HTMLCanvasElement): Float32Array {
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d", { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (pixels[4 * i + c] / 255 - MEAN[c]) / STD[c];
  }
  return out;
}

/**
 * The default image, drawn here so the page needs no downloads: edges in every orientation,
 * colour contrasts, stripes at several frequencies, curves and text — things stem filters react to.
 */
export function drawDefaultImage(canvas: HTMLCanvasElement): void {
  const g = canvas.getContext("2d", { willReadFrequently: true })!;
  const W = canvas.width;
  const H = canvas.height;
  const u = W / 228; // drawn for 228×304, scaled to the canvas

  // sky and sun
  const sky = g.createLinearGradient(0, 0, 0, H * 0.55);
  sky.addColorStop(0, "#1d4e89");
  sky.addColorStop(1, "#f5b971");
  g.fillStyle = sky;
  g.fillRect(0, 0, W, H);
  g.fillStyle = "#ffe066";
  g.beginPath();
  g.arc(160 * u, 62 * u, 26 * u, 0, 2 * Math.PI);
  g.fill();
  g.strokeStyle = "#ffe066";
  g.lineWidth = 3 * u;
  for (let i = 0; i < 12; i++) {
    const a = (i * Math.PI) / 6;
    g.beginPath();
    g.moveTo(160 * u + Math.cos(a) * 32 * u, 62 * u + Math.sin(a) * 32 * u);
    g.lineTo(160 * u + Math.cos(a) * 44 * u, 62 * u + Math.sin(a) * 44 * u);
    g.stroke();
  }

  // mountains
  g.fillStyle = "#3d405b";
  g.beginPath();
  g.moveTo(0, 170 * u);
  g.lineTo(55 * u, 95 * u);
  g.lineTo(100 * u, 145 * u);
  g.lineTo(150 * u, 105 * u);
  g.lineTo(228 * u, 175 * u);
  g.lineTo(228 * u, 180 * u);
  g.lineTo(0, 180 * u);
  g.fill();
  g.fillStyle = "#f4f1de";
  g.beginPath();
  g.moveTo(55 * u, 95 * u);
  g.lineTo(42 * u, 110 * u);
  g.lineTo(68 * u, 110 * u);
  g.fill();

  // ground: a checkerboard in perspective-free squares, then stripes of three orientations
  g.fillStyle = "#81b29a";
  g.fillRect(0, 170 * u, W, H - 170 * u);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 8; x++) {
      if ((x + y) % 2 === 0) {
        g.fillStyle = "#2a9d8f";
        g.fillRect(x * 14 * u, 180 * u + y * 14 * u, 14 * u, 14 * u);
      }
    }
  }
  g.save();
  g.beginPath();
  g.rect(120 * u, 180 * u, 100 * u, 56 * u);
  g.clip();
  g.strokeStyle = "#e07a5f";
  g.lineWidth = 3 * u;
  for (let k = -60; k < 160; k += 8) {
    g.beginPath();
    g.moveTo((120 + k) * u, 180 * u);
    g.lineTo((120 + k + 56) * u, 236 * u);
    g.stroke();
  }
  g.restore();
  g.fillStyle = "#264653";
  for (let x = 0; x < 112; x += 6) g.fillRect(x * u, 244 * u, 3 * u, 22 * u);
  g.fillStyle = "#e9c46a";
  for (let y = 244; y < 266; y += 5) g.fillRect(120 * u, y * u, 100 * u, 2 * u);

  // three primary discs (colour-opponent filters light up on them)
  const discs: [number, string][] = [[30, "#e63946"], [76, "#2a9d8f"], [122, "#457b9d"]];
  for (const [x, colour] of discs) {
    g.fillStyle = colour;
    g.beginPath();
    g.arc(x * u, 286 * u, 14 * u, 0, 2 * Math.PI);
    g.fill();
  }

  // text
  g.fillStyle = "#ffffff";
  g.strokeStyle = "#1b1b1b";
  g.lineWidth = 2 * u;
  g.font = `bold ${30 * u}px system-ui, sans-serif`;
  g.textBaseline = "middle";
  g.strokeText("wasmnn", 10 * u, 140 * u);
  g.fillText("wasmnn", 10 * u, 140 * u);
  g.font = `${15 * u}px system-ui, sans-serif`;
  g.fillStyle = "#1b1b1b";
  g.fillText("conv2d", 158 * u, 286 * u);
}
