// JSON and YAML for small plain values (strings, numbers, booleans, nested records),
// without loading the yaml library: `version` must start fast.

type Plain = string | number | boolean | null | undefined | Plain[] | { [key: string]: Plain };

export function renderData(data: Plain, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : `${yamlLines(data, '').join('\n')}\n`;
}

function yamlLines(value: Plain, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const [first = '', ...rest] = isScalar(item) ? [scalar(item)] : yamlLines(item, `${indent}  `).map((line) => line.slice(indent.length + 2));
      return [`${indent}- ${first}`, ...rest.map((line) => `${indent}  ${line}`)];
    });
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .flatMap(([key, item]) => (isScalar(item) ? [`${indent}${key}: ${scalar(item)}`] : [`${indent}${key}:`, ...yamlLines(item, `${indent}  `)]));
  }
  return [`${indent}${scalar(value)}`];
}

function isScalar(value: Plain): boolean {
  return value === null || typeof value !== 'object' || (Array.isArray(value) && value.length === 0);
}

function scalar(value: Plain): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value !== 'string') return String(value ?? 'null');
  // Plain style only when YAML would read it back as the same string.
  return /^[A-Za-z][\w ./()-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~)$/i.test(value) && !value.endsWith(' ') ? value : JSON.stringify(value);
}
