// Text measured with the font the charts are drawn in. Without a canvas in Node, vega
// estimates label widths from a character-count rule, so layouts clip or overlap labels
// once a rasterizer draws the real glyphs; measuring advance widths from the committed
// font file makes vega's layout, the SVG and the PNG agree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, type Font } from 'fontkit';
import * as vega from 'vega';

const FONT_FOLDER = fileURLToPath(new URL('./fonts/', import.meta.url));

/** The two faces the charts use: labels in regular, titles and headers in bold. */
export const FONT_FILES = { regular: `${FONT_FOLDER}DejaVuSans.ttf`, bold: `${FONT_FOLDER}DejaVuSans-Bold.ttf` } as const;

/** vega's text metrics (vl-convert replaces `width` the same way); its typings do not list them. */
export const vegaTextMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: string | number) => number } }).textMetrics;

export interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
}

let installed = false;

/** Makes vega measure text with the committed font (idempotent: the faces are parsed once). */
export function useChartFontMetrics(): void {
  if (installed) return;
  const regular = loadFont(FONT_FILES.regular);
  const bold = loadFont(FONT_FILES.bold);
  vegaTextMetrics.width = (item, text) => {
    const face = isBold(item.fontWeight) ? bold : regular;
    // vega's default font size is 11 px.
    return (face.layout(String(text ?? '')).advanceWidth * (item.fontSize ?? 11)) / face.unitsPerEm;
  };
  installed = true;
}

function loadFont(path: string): Font {
  return create(readFileSync(path));
}

function isBold(weight: string | number | undefined): boolean {
  if (weight === undefined) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}
