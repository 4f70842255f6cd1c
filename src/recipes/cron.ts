// The CronJob schedule, checked before anything is written, with the rules of the
// controller's parser (robfig/cron ParseStandard): five fields or a descriptor. The
// API server would refuse a bad one too, but only after the namespace and RBAC exist.

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why the schedule is not a valid cron expression, or undefined when it is. */
export function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text === '') return 'it is empty';
  if (/^(CRON_)?TZ=/.test(text)) return 'a time zone prefix is not allowed in a CronJob schedule';
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    if (/^@every \d+(\.\d+)?(ns|us|µs|ms|s|m|h)(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))*$/.test(text)) return undefined;
    return `unknown descriptor ${text} (${DESCRIPTORS.join(', ')}, or @every <duration>)`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `it has ${fields.length} field${fields.length === 1 ? '' : 's'}, a cron expression has 5 (minute hour day-of-month month day-of-week)`;
  for (const [index, field] of fields.entries()) {
    const problem = fieldProblem(field, FIELDS[index]!);
    if (problem) return `${FIELDS[index]!.name} "${field}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: (typeof FIELDS)[number]): string | undefined {
  const value = (text: string): number | undefined => {
    const names: readonly string[] = 'names' in spec ? spec.names : [];
    const named = names.indexOf(text.toLowerCase());
    if (named >= 0) return named + spec.min;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') return 'not a valid list item';
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step "${step}" must be a positive number`;
    if (range === '*' || range === '?') continue;
    const [low, high, more] = range.split('-');
    if (more !== undefined) return `"${range}" is not a range`;
    const from = value(low!);
    const to = high === undefined ? from : value(high);
    if (from === undefined || to === undefined) return `"${range}" is not a number${'names' in spec ? ' or name' : ''}`;
    if (from < spec.min || to > spec.max) return `${range} is outside ${spec.min}-${spec.max}`;
    if (from > to) return `range ${range} goes backwards`;
  }
  return undefined;
}
