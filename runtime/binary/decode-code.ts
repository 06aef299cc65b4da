// Function bodies (https://webassembly.github.io/spec/core/binary/modules.html#code-section).
// A body whose instructions do not decode makes the whole module malformed, so the
// decoder reads every instruction; nothing is kept but whether a data index is used.
import { ByteReader } from './byte-reader.ts';
import type { Module } from '../module/module.ts';
import { type BlockStack, readImmediates, readOpcode } from './decode-instruction.ts';
import { readValType } from './decode-types.ts';
import {
  IMM_DATA_IDX,
  IMM_DATA_IDX2,
  IMM_I32,
  IMM_I64,
  IMM_IDX,
  IMM_MEMARG,
  IMM_NONE,
  INSTRUCTION_IMMEDIATES,
  PREFIX_GC,
} from './instruction-table.ts';

const MAX_LOCALS = 0xffff_ffff;

/** Reads the local declarations that open a body; their total may not exceed 2^32-1. */
export function readLocals(r: ByteReader): void {
  const at = r.pos;
  const groups = r.count();
  let locals = 0;
  for (let i = 0; i < groups; i++) {
    locals += r.u32();
    readValType(r);
  }
  if (locals > MAX_LOCALS) r.fail('too many locals', at);
}

/**
 * Reads the instructions from `r.pos` up to the body's final `end`, which must be its
 * last byte (at `r.end`). Returns whether an instruction uses a data index: those
 * require the data count section.
 */
export function scanInstructions(r: ByteReader, blocks: BlockStack): boolean {
  blocks.length = 0;
  let usesData = false;
  const bytes = r.bytes;
  const end = r.end;
  let pos = r.pos;
  for (;;) {
    // Fast paths for the commonest shapes: a one-byte opcode with no immediate, with one
    // index or integer constant, or with a memarg for memory 0. LEB128s of up to 4 bytes
    // need no range check for any of these immediates, so they are skipped in place.
    if (pos + 2 < end) {
      const op = bytes[pos];
      if (op < PREFIX_GC) {
        const imm = INSTRUCTION_IMMEDIATES[op];
        if (imm === IMM_NONE) {
          pos += 1;
          continue;
        }
        let p = -1;
        if (imm === IMM_IDX || imm === IMM_I32 || imm === IMM_I64) p = pos + 1;
        else if (imm === IMM_MEMARG && bytes[pos + 1] < 0x40) p = pos + 2;
        if (p >= 0) {
          const limit = Math.min(p + 4, end);
          while (p < limit && bytes[p] >= 0x80) p++;
          if (p < limit) {
            pos = p + 1;
            continue;
          }
        }
      }
    }
    r.pos = pos;
    const flat = readOpcode(r);
    const imm = INSTRUCTION_IMMEDIATES[flat];
    if (imm === IMM_DATA_IDX || imm === IMM_DATA_IDX2) usesData = true;
    if (!readImmediates(r, imm, pos, blocks)) break;
    pos = r.pos;
  }
  if (r.pos !== end) r.fail('section size mismatch', r.pos);
  return usesData;
}

/**
 * Scans the bodies from the `from`-th on as the decoder does, for a module decoded with
 * `checkBodies` off: a malformed body there must be reported before an invalid one.
 */
export function scanBodies(bytes: Uint8Array, module: Pick<Module, 'codes' | 'dataCount'>, from: number): void {
  const blocks: BlockStack = [];
  for (let i = from; i < module.codes.length; i++) {
    const { offset, size } = module.codes[i];
    const r = new ByteReader(bytes, offset, offset + size);
    readLocals(r);
    if (scanInstructions(r, blocks) && module.dataCount === undefined) r.fail('data count section required', offset);
  }
}
