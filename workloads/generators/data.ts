// Data families: N active 16-byte segments side by side in one exported memory.
import { PAGE_BYTES } from '../../runtime/instance/store.ts';
import { dataString, STREAM } from './wat-text.ts';

const DATA_SEGMENT_BYTES = 16;

export function dataSegments(n: number): string {
  const pages = Math.ceil((n * DATA_SEGMENT_BYTES) / PAGE_BYTES);
  const segments: string[] = [];
  for (let k = 0; k < n; k++) {
    segments.push(`  (data (i32.const ${k * DATA_SEGMENT_BYTES}) ${dataString(STREAM.dataSegments, k, DATA_SEGMENT_BYTES)})`);
  }
  return ['(module', `  (memory (export "memory") ${pages})`, ...segments, ')', ''].join('\n');
}
