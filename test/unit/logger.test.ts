import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, logFormat, type LogOutput } from '../../src/lib/logger';

/** An output that keeps what was written, as a terminal or as a pipe. */
function capture(isTTY: boolean): LogOutput & { lines: string[] } {
  const lines: string[] = [];
  return {
    isTTY,
    lines,
    write(text: string) {
      lines.push(text);
    },
  };
}

function logOneLine(env: NodeJS.ProcessEnv, isTTY: boolean): string {
  const output = capture(isTTY);
  createLogger(env, output).info({ hookId: 'hk_1' }, 'delivered');
  assert.equal(output.lines.length, 1);
  return output.lines[0] ?? '';
}

describe('logFormat', () => {
  it('is pretty on a terminal and JSON elsewhere', () => {
    assert.equal(logFormat({}, true), 'pretty');
    assert.equal(logFormat({}, false), 'json');
    assert.equal(logFormat({ HOOKRELAY_LOG_FORMAT: '' }, true), 'pretty');
  });

  it('follows HOOKRELAY_LOG_FORMAT whatever the output is', () => {
    assert.equal(logFormat({ HOOKRELAY_LOG_FORMAT: 'json' }, true), 'json');
    assert.equal(logFormat({ HOOKRELAY_LOG_FORMAT: 'pretty' }, false), 'pretty');
  });

  it('refuses another value, naming the variable', () => {
    assert.throws(() => logFormat({ HOOKRELAY_LOG_FORMAT: 'text' }, true), /HOOKRELAY_LOG_FORMAT.*"text"/);
  });
});

describe('createLogger', () => {
  it('writes a JSON object per line when the output is not a terminal', () => {
    const record = JSON.parse(logOneLine({}, false)) as Record<string, unknown>;
    assert.equal(record.msg, 'delivered');
    assert.equal(record.hookId, 'hk_1');
    assert.equal(record.level, 30);
  });

  it('writes one human line with the time, level, message and fields on a terminal', () => {
    const line = logOneLine({}, true);
    assert.match(line, /^\[\d\d:\d\d:\d\d\] INFO: delivered \{"hookId":"hk_1"\}\n$/);
  });

  it('writes JSON on a terminal when asked, and human lines into a pipe when asked', () => {
    assert.doesNotThrow(() => JSON.parse(logOneLine({ HOOKRELAY_LOG_FORMAT: 'json' }, true)));
    assert.match(logOneLine({ HOOKRELAY_LOG_FORMAT: 'pretty' }, false), /^\[[\d:]+\] INFO: delivered/);
  });

  it('keeps HOOKRELAY_LOG_LEVEL', () => {
    const output = capture(true);
    const logger = createLogger({ HOOKRELAY_LOG_LEVEL: 'warn' }, output);
    logger.info('hidden');
    logger.warn('shown');
    assert.deepEqual(
      output.lines.map((line) => line.replace(/^\[[\d:]+\] /, '')),
      ['WARN: shown\n'],
    );
  });
});
