import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HookrelayApiError } from '../../src/client';
import { Output, safeText } from '../../src/cli/output';

/** An Output writing to strings, as on a terminal with colours allowed. */
function terminalOutput(json = false) {
  const written = { stdout: '', stderr: '' };
  const stream = (name: keyof typeof written) => ({
    isTTY: true,
    write: (text: string) => (written[name] += text),
  });
  return { out: new Output(json, stream('stdout'), stream('stderr'), {}), written };
}

const HOSTILE = 'a\u001b]0;title\u0007b\u001b[2Jc\u009b31md\u0000e\tf\ng';
const CLEANED = 'abcd\uFFFDe f g';
const GREEN = '\u001b[32m';
const RESET = '\u001b[39m';

describe('Output', () => {
  // styleText decides by the process's own stdout, which is no terminal under the test runner.
  const forceColor = process.env.FORCE_COLOR;
  before(() => {
    process.env.FORCE_COLOR = '1';
  });
  after(() => {
    if (forceColor === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = forceColor;
  });

  it("keeps its own colours and takes a receiver's control sequences out", () => {
    const { out, written } = terminalOutput();
    out.table(['STATUS', 'DETAIL'], [[out.paint('green', 'completed'), HOSTILE]]);
    out.facts([['body', HOSTILE]]);
    out.line(safeText`${out.paint('green', 'ok')} ${HOSTILE}\nnext line`);

    const lines = written.stdout.split('\n');
    assert.ok(lines[1]?.startsWith(`${GREEN}completed`), lines[1]);
    assert.ok(lines[1]?.endsWith(CLEANED), lines[1]);
    assert.ok(lines[2]?.endsWith(`  ${CLEANED}`), lines[2]);
    assert.equal(lines[3], `${GREEN}ok${RESET} ${CLEANED}`);
    assert.equal(lines[4], 'next line');
  });

  it('cleans error messages for a person, and leaves them exact as JSON', () => {
    const error = new HookrelayApiError(502, 'http_error', `<h1>Bad gateway</h1>${HOSTILE}`);
    const human = terminalOutput();
    human.out.error(error);
    const [line, ...rest] = human.written.stderr.split('\n');
    assert.equal(line, `\u001b[31merror:${RESET} <h1>Bad gateway</h1>${CLEANED} (HTTP 502 http_error)`);
    assert.deepEqual(rest, ['']);

    const json = terminalOutput(true);
    json.out.error(error);
    const parsed = JSON.parse(json.written.stderr) as { error: { message: string } };
    assert.equal(parsed.error.message, error.message);
  });
});
