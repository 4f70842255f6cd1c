// A small, strict reader for the YAML that kubeconfigs are made of (what `kubectl config`,
// kind, kubeadm and cloud CLIs write): block mappings and sequences, plain strings and
// booleans, quoted strings on one line, `{}`, `[]`, whole-line comments. Anything else
// (numbers, anchors, tags, block or multi-line scalars, flow collections, comments after a
// value, duplicate keys…) returns undefined and the caller falls back to the `yaml`
// library: faster start-up for the common file, never a different reading of a rare one.

class Unsupported extends Error {}

interface Line {
  indent: number;
  /** Without the indentation and trailing spaces. */
  text: string;
}

const KEY = /^([A-Za-z_][\w./-]*):(?: +(.*))?$/;
const STARTS_MAPPING = /^[A-Za-z_][\w./-]*:(?: |$)/;
/** What YAML's core schema would read as something other than a string: left to `yaml`. */
const NOT_A_STRING = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NOT_A_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/;
const JSON_ESCAPES = /\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;

function scalar(text: string): unknown {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
    if (!match || JSON_ESCAPES.test(match[1]!)) throw new Unsupported();
    try {
      return JSON.parse(text) as string; // JSON's escapes mean the same in YAML
    } catch {
      throw new Unsupported();
    }
  }
  if (text.startsWith("'")) {
    const match = /^'((?:[^']|'')*)'$/.exec(text);
    if (!match) throw new Unsupported();
    return match[1]!.replaceAll("''", "'");
  }
  // A plain scalar: no indicator first (`-`, `?`, `:` only when a non-space follows, as in `--region`).
  if (/^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/.test(text) || text.includes(': ') || text.includes(' #') || text.endsWith(':')) throw new Unsupported();
  if (/^(?:null|Null|NULL|~)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (NOT_A_STRING.test(text)) throw new Unsupported();
  return text;
}

class Reader {
  private pos = 0;
  private readonly lines: Line[];

  constructor(lines: Line[]) {
    this.lines = lines;
  }

  document(): unknown {
    if (this.lines.length === 0) return null;
    if (this.lines[0]!.indent !== 0) throw new Unsupported();
    const value = this.node(0);
    if (this.pos !== this.lines.length) throw new Unsupported();
    return value;
  }

  private peek(): Line | undefined {
    return this.lines[this.pos];
  }

  private node(indent: number): unknown {
    return isItem(this.peek()!.text) ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent === indent && !isItem(line.text); line = this.peek()) {
      const match = KEY.exec(line.text);
      if (!match || Object.hasOwn(result, match[1]!) || NOT_A_STRING_KEY.test(match[1]!)) throw new Unsupported();
      this.pos++;
      const next = this.peek();
      if (match[2] !== undefined && match[2] !== '') {
        result[match[1]!] = scalar(match[2]);
        if (next && next.indent > indent) throw new Unsupported(); // a value continued on the next line
      } else if (next && next.indent > indent) {
        result[match[1]!] = this.node(next.indent);
      } else if (next && next.indent === indent && isItem(next.text)) {
        result[match[1]!] = this.sequence(indent); // `key:` then `- item` at the key's indentation
      } else {
        result[match[1]!] = null;
      }
    }
    const after = this.peek();
    if (after && after.indent > indent) throw new Unsupported();
    return result;
  }

  private sequence(indent: number): unknown[] {
    const result: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && isItem(line.text); line = this.peek()) {
      const rest = line.text.slice(1);
      const inner = rest.trimStart();
      if (inner === '') {
        this.pos++;
        const next = this.peek();
        result.push(next && next.indent > indent ? this.node(next.indent) : null);
        continue;
      }
      if (STARTS_MAPPING.test(inner)) {
        // `- key: value`: a mapping whose keys line up with this first one.
        const innerIndent = indent + 1 + (rest.length - inner.length);
        this.lines[this.pos] = { indent: innerIndent, text: inner };
        result.push(this.mapping(innerIndent));
        continue;
      }
      if (isItem(inner)) throw new Unsupported();
      this.pos++;
      result.push(scalar(inner));
      const next = this.peek();
      if (next && next.indent > indent) throw new Unsupported();
    }
    const after = this.peek();
    if (after && after.indent > indent) throw new Unsupported();
    return result;
  }
}

const isItem = (text: string): boolean => text === '-' || text.startsWith('- ');

/** The document, or undefined when it is not in the subset read here (use `yaml` then). */
export function parseSimpleYaml(text: string): unknown {
  if (text.startsWith('\uFEFF')) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trimEnd();
    const content = trimmed.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const indentation = trimmed.slice(0, trimmed.length - content.length);
    if (indentation.includes('\t') || content.includes('\t') || raw.includes('\r')) return undefined;
    if (trimmed.startsWith('---') || trimmed.startsWith('...') || trimmed.startsWith('%')) return undefined;
    lines.push({ indent: indentation.length, text: content });
  }
  try {
    return new Reader(lines).document();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
