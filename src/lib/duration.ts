/**
 * The short durations of flags and environment variables: `500ms`, `2s`, `1.5m`, or plain seconds
 * (`5`). Undefined when the text is none of these; callers say what range they accept. (The
 * configuration's longer durations, `12h` or `7d`, are `addDuration` in app/plan.ts.)
 */
export function shortDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000 } as const;
  return Number(match[1]) * unit[(match[2] ?? 's') as keyof typeof unit];
}
