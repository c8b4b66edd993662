/**
 * Small JPEG "photos" made with sharp for the web tests and screenshots: a
 * coloured gradient with a parcel-like box, different per `seed`.
 */
import sharp from "sharp"

const palette = [
  ["#8fb8de", "#3d6e9e", "#c89b5f"],
  ["#d9c7a5", "#8c6d46", "#6e8b5b"],
  ["#b9d7c4", "#4e7d62", "#b5653f"],
  ["#e3b7a0", "#9c4f3a", "#d9b86c"],
  ["#c3c0e0", "#55508f", "#a77d52"],
  ["#a9d2d8", "#2f6f78", "#cf8f4a"]
] as const

export const samplePhoto = (seed: number, width = 640, height = 480): Promise<Buffer> => {
  const [light, dark, box] = palette[seed % palette.length] ?? palette[0]
  const x = 90 + (seed * 37) % 160
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${light}"/><stop offset="1" stop-color="${dark}"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <rect x="${x}" y="150" width="300" height="220" rx="8" fill="${box}" stroke="#3b2a17" stroke-width="6"/>
  <rect x="${x + 130}" y="150" width="40" height="220" fill="#e8d9b5" opacity="0.8"/>
  <path d="M${x + 40} 200 l60 40 l-30 50 z" fill="#3b2a17" opacity="${0.3 + (seed % 3) * 0.2}"/>
</svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer()
}
