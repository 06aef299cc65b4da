// Every way instantiation can fail, as typed errors that carry where they happened. The
// spec's three failure kinds (`CompileError`, `LinkError`, `RuntimeError` for a trap) are
// kept apart from what the spec does not define: an implementation limit reached
// (`ResourceLimitError`), the embedder misusing the API (`EmbedderError`) and a broken
// invariant of this runtime (`InternalError`, the reference interpreter's `Crash`), so
// that no bug can pass for a trap a spec script expects.
// `CompileError` splits into the spec's two assertion kinds: bytes that do not decode
// ("malformed") and a decoded module that does not validate ("invalid").

export type CompileErrorKind = 'malformed' | 'invalid';

export class CompileError extends Error {
  override name = 'CompileError';
  readonly kind: CompileErrorKind;
  /** Byte offset in the module where the problem was found. */
  readonly offset: number;

  constructor(kind: CompileErrorKind, message: string, offset: number) {
    super(`${message} (at byte 0x${offset.toString(16)})`);
    this.kind = kind;
    this.offset = offset;
  }
}

export class LinkError extends Error {
  override name = 'LinkError';
  /** Index of the offending import in the module's import section. */
  readonly importIndex: number;

  constructor(message: string, importIndex: number) {
    super(message);
    this.importIndex = importIndex;
  }
}

/** A spec trap during instantiation (out-of-bounds segment or table access) or in a host call. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** A limit of this implementation was reached: `limit` names it, `requested` is what was asked. */
export class ResourceLimitError extends Error {
  override name = 'ResourceLimitError';
  readonly limit: string;
  readonly requested: number | bigint;

  constructor(limit: string, requested: number | bigint, message: string) {
    super(message);
    this.limit = limit;
    this.requested = requested;
  }
}

/** The embedder used the API wrongly (a closed root scope, an unknown address or segment). */
export class EmbedderError extends Error {
  override name = 'EmbedderError';
}

/** A broken invariant of this runtime: always a bug, never an answer about the module. */
export class InternalError extends Error {
  override name = 'InternalError';
}

/** Instantiation of a module whose start function would have to run. */
export class StartFunctionError extends Error {
  override name = 'StartFunctionError';
  readonly funcIndex: number;

  constructor(funcIndex: number) {
    super(
      `module has a start function (func ${funcIndex}); this runtime does not execute code, ` +
        'instantiate with { skipStart: true } (instlab: --skip-start) to leave it unrun',
    );
    this.funcIndex = funcIndex;
  }
}
