// fast-json-patch is CommonJS: Node's ESM loader cannot see its named exports, so they
// are taken from the default export here, once.
import jsonPatch from 'fast-json-patch';

export type { Operation } from 'fast-json-patch';
export const { compare, deepClone, applyPatch, getValueByPointer, escapePathComponent } = jsonPatch;
