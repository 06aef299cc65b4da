// The memory one compiled module keeps: what a runtime holds per loaded module, beside
// its bytes. Several copies (4 to 64, more for smaller modules) are compiled and kept, with a full collection before and
// after, and the growth of V8's heap (objects) and of ArrayBuffer memory (the typed-array
// columns of segments and bodies) is divided among them. `compile` keeps a view of the
// bytes it is given, not a copy, and every copy is compiled from the same bytes, so they
// are not counted.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compile, type CompiledModule } from '../../runtime/module/compile.ts';
import { DEFAULT_LIMITS } from '../../runtime/implementation-limits.ts';

export interface CompiledMemory {
  /** Bytes of V8 heap (JavaScript objects) one compiled module keeps. */
  readonly heapBytes: number;
  /** Bytes of ArrayBuffer memory (typed arrays) it keeps. */
  readonly arrayBufferBytes: number;
}

/**
 * Copies per measurement: the heap's own unevenness between two collections is some
 * 100–200 kB whatever the module (sql.js read 46–244 kB over three runs with 4 copies),
 * so small modules are compiled more often, up to 64 copies, and the largest 4 times.
 */
function copiesFor(moduleBytes: number): number {
  return Math.min(64, Math.max(4, Math.round(32e6 / Math.max(1, moduleBytes))));
}

let collect: (() => void) | undefined;

/** V8's collector: the one `--expose-gc` gave the process, or one exposed now. */
function collector(): () => void {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collect = exposed);
  // A process started without --expose-gc (the CLI's own): the flag, set now, makes a new
  // context's global object have `gc`.
  setFlagsFromString('--expose-gc');
  return (collect = runInNewContext('gc') as () => void);
}

function settled(): NodeJS.MemoryUsage {
  const gc = collector();
  gc();
  gc();
  return process.memoryUsage();
}

export function compiledModuleMemory(bytes: Uint8Array, copies = copiesFor(bytes.length)): CompiledMemory {
  const kept: CompiledModule[] = [];
  // On one thread: helper threads share a copy of the bytes that belongs to no module.
  const once = (): CompiledModule => compile(bytes, DEFAULT_LIMITS, { helperThreads: 0 });
  // One compile first, so that what the first one allocates once (code, caches) is not counted.
  once();
  const before = settled();
  for (let i = 0; i < copies; i++) kept.push(once());
  const after = settled();
  const per = (key: 'heapUsed' | 'arrayBuffers'): number => Math.max(0, Math.round((after[key] - before[key]) / kept.length));
  return { heapBytes: per('heapUsed'), arrayBufferBytes: per('arrayBuffers') };
}
