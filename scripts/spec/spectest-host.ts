// The `spectest` host module that spec scripts import from, as the reference interpreter
// defines it (../shared/spec/README.md). Its globals, table and memory are state, so each
// script gets a fresh one in its own store.
import { canonicalFuncTypeId } from '../../runtime/embedder/host-func-type.ts';
import { writeGlobalValue } from '../../runtime/instance/global-value.ts';
import type { NumType } from '../../runtime/module/module.ts';
import type { CanonicalRefType, CanonicalTableType } from '../../runtime/module/type-registry.ts';
import type { Extern, Store } from '../../runtime/instance/store.ts';

const FUNCREF: CanonicalRefType = { nullable: true, heap: 'func' };

const PRINT_FUNCS: Record<string, readonly NumType[]> = {
  print: [],
  print_i32: ['i32'],
  print_i64: ['i64'],
  print_f32: ['f32'],
  print_f64: ['f64'],
  print_i32_f32: ['i32', 'f32'],
  print_f64_f64: ['f64', 'f64'],
};

// In the state-value format globals are set with: floats as bit patterns.
const GLOBAL_VALUES: Record<NumType, string | number> = {
  i32: 666,
  i64: '666',
  f32: floatBits(666.6, 4),
  f64: floatBits(666.6, 8),
};

export function createSpectest(store: Store): Map<string, Extern> {
  const exports = new Map<string, Extern>();
  for (const [name, params] of Object.entries(PRINT_FUNCS)) {
    // The print functions only print; the scripts never look at their output.
    exports.set(name, store.createHostFunc(canonicalFuncTypeId(params, []), () => undefined));
  }
  for (const [type, value] of Object.entries(GLOBAL_VALUES)) {
    const global = store.createGlobal({ type: type as NumType, mutable: false });
    writeGlobalValue(store, global, value);
    exports.set(`global_${type}`, global);
  }
  const table: CanonicalTableType = { addressType: 'i32', limits: { min: 10, max: 20 }, element: FUNCREF };
  exports.set('table', store.createTable(table));
  exports.set('table64', store.createTable({ ...table, addressType: 'i64' }));
  exports.set('memory', store.createMemory({ addressType: 'i32', limits: { min: 1, max: 2 }, shared: false }));
  return exports;
}

/** The bit pattern of `value` rounded to an f32 (4 bytes) or f64 (8 bytes), as "0x…". */
function floatBits(value: number, bytes: 4 | 8): string {
  const view = new DataView(new ArrayBuffer(bytes));
  if (bytes === 4) view.setFloat32(0, value);
  else view.setFloat64(0, value);
  return `0x${Buffer.from(view.buffer).toString('hex')}`;
}
