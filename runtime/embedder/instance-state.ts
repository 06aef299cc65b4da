// An instance's observable state in the `inspect --json` contract: every export, with
// globals' values, tables' elements and a digest of memories.
import { createHash } from 'node:crypto';
import { readSlot } from '../instance/const-value.ts';
import type { Instance } from '../instance/instance.ts';
import { describeBudget, describeValue, type DescribeBudget, type StateValue } from './state-value.ts';
import type { Extern } from '../instance/store.ts';
import { PAGE_BYTES } from '../instance/store.ts';
import { storageTypeName } from '../module/type-names.ts';
import { tableElement } from '../instance/table-element.ts';

export type ExportState =
  | { kind: 'func'; index: number }
  | { kind: 'global'; type: string; mutable: boolean; value: StateValue }
  | { kind: 'table'; type: string; size: number; elements: StateValue[] }
  | { kind: 'memory'; pages: number; sha256: string }
  | { kind: 'tag'; index: number };

export interface InstanceState {
  exports: Record<string, ExportState>;
}

/**
 * Values one state may hold (globals' values, table elements and GC fields together):
 * about 20 MB of JSON.
 */
export const MAX_STATE_VALUES = 1_000_000;

/** The state of every export; a `ResourceLimitError` past `maxValues` values. */
export function describeInstance(instance: Instance, maxValues = MAX_STATE_VALUES): InstanceState {
  const exports: Record<string, ExportState> = {};
  const budget = describeBudget(maxValues);
  for (const { name, index } of instance.module.module.exports) {
    exports[name] = describeExport(instance, index, instance.exports.get(name)!, budget);
  }
  return { exports };
}

function describeExport(instance: Instance, index: number, extern: Extern, budget: DescribeBudget): ExportState {
  const info = instance.module.info;
  switch (extern.kind) {
    case 'func':
      return { kind: 'func', index };
    case 'tag':
      return { kind: 'tag', index };
    case 'global': {
      const declared = info.globals[index];
      const value = readSlot(extern.cells, extern.slot, extern.type.type);
      return {
        kind: 'global',
        type: storageTypeName(declared.type),
        mutable: declared.mutable,
        value: describeValue(instance, extern.type.type, value, budget),
      };
    }
    case 'table': {
      const elements: StateValue[] = new Array(extern.size);
      for (let i = 0; i < extern.size; i++) {
        elements[i] = describeValue(instance, extern.type.element, tableElement(extern, i), budget);
      }
      return { kind: 'table', type: storageTypeName(info.tables[index].element), size: extern.size, elements };
    }
    case 'memory':
      return {
        kind: 'memory',
        pages: extern.bytes.length / PAGE_BYTES,
        sha256: sha256(extern.bytes),
      };
  }
}

/** The hash takes at most 2^31 - 1 bytes per update, and a memory may hold 4 GiB. */
const HASH_CHUNK_BYTES = 1 << 30;

function sha256(bytes: Uint8Array): string {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_CHUNK_BYTES) hash.update(bytes.subarray(at, at + HASH_CHUNK_BYTES));
  return hash.digest('hex');
}
