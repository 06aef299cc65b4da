// The part of fontkit (which ships no types) that the chart's text measurement uses.
declare module 'fontkit' {
  export interface Font {
    readonly unitsPerEm: number;
    /** Shapes the text (kerning, ligatures) as a rasterizer would; widths in font units. */
    layout(text: string): { readonly advanceWidth: number };
  }
  export function create(buffer: Buffer): Font;
}
