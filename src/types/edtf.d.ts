/**
 * The little of edtf.js (4.11, BSD-2-Clause) that src/domain/development/occurred.ts uses. The
 * package ships no types. Import the package root only: its subpaths are ESM.
 */
declare module 'edtf' {
  /** A parsed Date or Interval. `min`/`max` are epoch ms: `-Infinity`/`Infinity` for an open side (`..`), `null` for an unknown (empty) one. */
  export interface EdtfValue {
    readonly type: string;
    readonly min: number | null;
    readonly max: number | null;
  }

  export interface EdtfOptions {
    level?: 0 | 1 | 2;
    types?: readonly string[];
  }

  /** Throws when the text is not EDTF of the given level and types. */
  export default function edtf(text: string, options?: EdtfOptions): EdtfValue;
}
