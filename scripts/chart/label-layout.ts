// Where every text of a laid-out chart ends up, in the SVG's coordinates, and which
// labels do not fit: outside the drawing, or cut short by a width limit. The chart
// command warns about them; the tests require there are none.
import type * as vega from 'vega';
import { vegaTextMetrics } from './text-metrics.ts';

export interface TextBox {
  readonly text: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Wider than the label's limit: vega draws it shortened with an ellipsis. */
  readonly truncated: boolean;
}

interface SceneItem {
  readonly x?: number;
  readonly y?: number;
  readonly text?: unknown;
  readonly limit?: number;
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly opacity?: number;
  readonly bounds?: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  readonly items?: readonly SceneMark[];
}

interface SceneMark {
  readonly marktype: string;
  readonly items: readonly SceneItem[];
}

/** Every visible, non-empty text item, its bounds moved out of its groups into the SVG's frame. */
export function textBoxes(view: vega.View): TextBox[] {
  const boxes: TextBox[] = [];
  const [ox, oy] = view.origin();
  const visit = (mark: SceneMark, dx: number, dy: number) => {
    for (const item of mark.items) {
      if (mark.marktype === 'text') {
        const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text ?? '');
        if (text.trim() === '' || item.opacity === 0 || item.bounds === undefined) continue;
        const { x1, y1, x2, y2 } = item.bounds;
        const truncated = item.limit !== undefined && item.limit > 0 && vegaTextMetrics.width(item, text) > item.limit;
        boxes.push({ text, x1: x1 + dx, y1: y1 + dy, x2: x2 + dx, y2: y2 + dy, truncated });
      }
      if (mark.marktype === 'group') {
        for (const child of item.items ?? []) visit(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
      }
    }
  };
  visit((view.scenegraph() as unknown as { root: SceneMark }).root, ox, oy);
  return boxes;
}

/** The SVG's drawing size, as written in its root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (match === null) throw new Error('an SVG without width and height');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Labels that are cut off: partly outside the drawing, or shortened to fit a limit. */
export function clippedLabels(view: vega.View, svg: string): TextBox[] {
  const { width, height } = svgSize(svg);
  // Half a pixel of slack: bounds are rounded outwards.
  return textBoxes(view).filter((b) => b.truncated || b.x1 < -0.5 || b.y1 < -0.5 || b.x2 > width + 0.5 || b.y2 > height + 0.5);
}
