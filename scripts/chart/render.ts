// Rendering a vega-lite spec without a browser: compiled to vega, laid out by vega's
// headless view with the committed font's metrics, written as SVG, and rasterized to
// PNG by resvg with the same font files (resvg drops text it has no font for). No clock,
// no random seed and no URL is involved, so the same spec gives byte-identical files.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './chart-theme.ts';
import { FONT_FILES, useChartFontMetrics } from './text-metrics.ts';

/** PNGs are drawn at twice the SVG's size, for screens and papers. */
export const PNG_SCALE = 2;

export interface RenderedChart {
  readonly svg: string;
  /** The laid-out view: its scenegraph is what the tests check labels against. */
  readonly view: vega.View;
  /** What vega-lite warned about while compiling (a spec of ours should give none). */
  readonly warnings: readonly string[];
}

export async function renderSvg(spec: TopLevelSpec): Promise<RenderedChart> {
  useChartFontMetrics();
  const warnings: string[] = [];
  const view = new vega.View(vega.parse(compile(spec, { logger: collectingLogger(warnings) }).spec), { renderer: 'none' });
  // Clip-path ids count up across renders in one process; restarting them keeps each SVG
  // independent of what was drawn before it.
  vega.resetSVGDefIds();
  const svg = await view.toSVG();
  return { svg, view, warnings };
}

/** A vega logger that keeps warnings instead of printing them. */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  const logger: vega.LoggerInterface = {
    level: () => logger,
    error: (...args: readonly unknown[]) => (warnings.push(args.join(' ')), logger),
    warn: (...args: readonly unknown[]) => (warnings.push(args.join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  } as unknown as vega.LoggerInterface;
  return logger;
}

export interface RasterImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major. */
  readonly pixels: Buffer;
}

export function rasterize(svg: string): RasterImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: '#ffffff',
    font: { loadSystemFonts: false, fontFiles: [FONT_FILES.regular, FONT_FILES.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height, pixels: image.pixels };
}
