import type { OutputFormat, VerbDeps } from './options.ts';

/** Structured output for -o json|yaml; documents of a list separated by `---` in YAML. */
export async function printData(deps: VerbDeps, data: unknown, format: Exclude<OutputFormat, 'text'> | OutputFormat): Promise<void> {
  if (format === 'json') {
    deps.io.out(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { stringify } = await import('yaml');
  deps.io.out(stringify(data, { lineWidth: 0 }));
}
