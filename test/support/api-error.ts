import assert from 'node:assert/strict';
import { z } from 'zod';

/** An HTTP answer, from `app.inject` or read off a socket. */
export interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** The documented error format, exactly: no other key at either level. */
const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z
      .array(z.strictObject({ field: z.string(), message: z.string() }))
      .min(1)
      .optional(),
  }),
});

export interface ExpectedError {
  status: number;
  code: string;
  /**
   * The fields the request got wrong. A validation answer must name at least one field, and only these
   * (or fields inside them: "retryOverride" covers "retryOverride.jitter").
   */
  brokenFields?: readonly string[];
}

/** Asserts that `answer` is the error `expected` in the API's error format; `context` names the request. */
export function assertApiError(answer: Answer, expected: ExpectedError, context = ''): void {
  const seen = `${context} → ${answer.statusCode} ${answer.body.slice(0, 500)}`;
  assert.equal(answer.statusCode, expected.status, seen);
  assert.match(String(answer.headers['content-type']), /^application\/json/, seen);
  const parsed = errorBodySchema.safeParse(JSON.parse(answer.body));
  assert.ok(parsed.success, `not in the API's error format: ${seen}`);
  const { code, details = [] } = parsed.data.error;
  assert.equal(code, expected.code, seen);
  const broken = expected.brokenFields;
  if (!broken) return;
  assert.ok(details.length > 0, `no field named: ${seen}`);
  for (const { field } of details) {
    assert.ok(
      broken.some((wrong) => field === wrong || field.startsWith(`${wrong}.`)),
      `"${field}" is named, but the request got wrong only ${broken.join(', ')}: ${seen}`,
    );
  }
}
