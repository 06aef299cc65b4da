// A module with nothing in it, for building modules field by field (the decoder, tests,
// host types).
import type { Module } from './module.ts';
import { NO_DATA_SEGMENTS } from './data-segments.ts';

export function emptyModule(fields: Partial<Module> = {}): Module {
  return {
    types: [],
    recGroups: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    exports: [],
    elements: [],
    codes: [],
    datas: NO_DATA_SEGMENTS,
    customs: [],
    byteLength: 0,
    ...fields,
  };
}
