import type { AlertKind, EndpointAlert, FailureRecord } from '../domain/endpoint';

/** What an endpoint alert says on each channel. Pure: no I/O, no clock. */

const HEADLINES: Record<AlertKind, string> = {
  failing: 'Endpoint failing',
  recovered: 'Endpoint recovered',
  disabled: 'Endpoint disabled',
};

/** `[hookrelay] Endpoint failing: https://api.example.com/hooks (project acme)` */
export function alertSubject(alert: EndpointAlert): string {
  return `[hookrelay] ${HEADLINES[alert.kind]}: ${alert.endpoint.url} (project ${alert.projectId})`;
}

/** The plain-text body of an alert email. */
export function alertText(alert: EndpointAlert): string {
  const lines = [
    summary(alert),
    '',
    `Endpoint:       ${alert.endpoint.url} (id ${alert.endpoint.id})`,
    `Project:        ${alert.projectId}`,
    `Alert:          ${alert.kind}`,
  ];
  if (alert.reasons.length > 0) lines.push('Reasons:', ...alert.reasons.map((reason) => `  - ${reason}`));
  lines.push(
    `Success rate:   ${successRate(alert)}`,
    `Failure streak: ${failureStreak(alert.failureStreak)}`,
    `Last failure:   ${alert.lastFailure ? lastFailure(alert.lastFailure) : 'none recorded'}`,
    `Raised at:      ${utcTime(alert.raisedAt)}`,
    `Alert id:       ${alert.id}`,
  );
  return lines.join('\n') + '\n';
}

function summary(alert: EndpointAlert): string {
  switch (alert.kind) {
    case 'failing':
      return `Deliveries to ${alert.endpoint.url} are failing.`;
    case 'recovered':
      return `Deliveries to ${alert.endpoint.url} succeed again: the endpoint has recovered.`;
    case 'disabled':
      return (
        `hookrelay disabled ${alert.endpoint.url} after it kept failing. ` +
        'Its hooks wait, in due order, until the endpoint is resumed.'
      );
  }
}

/** `42.5 % of 40 attempts over the last 15 minutes` */
function successRate(alert: EndpointAlert): string {
  const { attempts, failures } = alert.window;
  const window = `over the last ${alert.windowMinutes} ${alert.windowMinutes === 1 ? 'minute' : 'minutes'}`;
  if (attempts === 0) return `no attempts ${window}`;
  return `${percent(attempts - failures, attempts)} of ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} ${window}`;
}

/**
 * Rounded down to a tenth, from the counts rather than the ratio: 1999 successes in 2000 must not read
 * as 100 %, and integer arithmetic keeps 0.57 from printing as 56.9.
 */
export function percent(part: number, whole: number): string {
  return `${Math.floor((part * 1000) / whole) / 10} %`;
}

function failureStreak(streak: number): string {
  if (streak === 0) return 'none: the last attempt succeeded';
  return `${streak} ${streak === 1 ? 'failure' : 'failures'} in a row`;
}

/** `2025-01-02 03:04:05 UTC, hook hk_1, status 503: upstream down` */
function lastFailure(failure: FailureRecord): string {
  const status = failure.statusCode === undefined ? 'no HTTP answer' : `status ${failure.statusCode}`;
  const error = failure.error ? `: ${failure.error}` : '';
  return `${utcTime(failure.at)}, hook ${failure.hookId}, ${status}${error}`;
}

/** `2025-01-02 03:04:05 UTC`; a value that is not an instant is shown as it came. */
export function utcTime(instant: string): string {
  const time = new Date(instant);
  if (Number.isNaN(time.getTime())) return instant;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): a longer text rejects the message. */
const SLACK_HEADER_MAX = 150;
const SLACK_TEXT_MAX = 3000;
const SLACK_FIELD_MAX = 2000;

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  blocks: SlackBlock[];
}

type SlackText = { type: 'plain_text'; text: string } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

/** An incoming-webhook message: a header, the summary and reasons, then the figures as fields. */
export function slackMessage(alert: EndpointAlert): SlackMessage {
  const details = [summary(alert), ...alert.reasons.map((reason) => `• ${reason}`)].join('\n');
  const fields: [string, string][] = [
    ['Project', alert.projectId],
    ['Endpoint id', alert.endpoint.id],
    ['Success rate', successRate(alert)],
    ['Failure streak', failureStreak(alert.failureStreak)],
    ['Last failure', alert.lastFailure ? lastFailure(alert.lastFailure) : 'none recorded'],
    ['Raised at', utcTime(alert.raisedAt)],
  ];
  return {
    text: alertSubject(alert),
    blocks: [
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: truncate(`${HEADLINES[alert.kind]} (hookrelay)`, SLACK_HEADER_MAX),
        },
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(details), SLACK_TEXT_MAX) },
        fields: fields.map(([name, value]) => ({
          type: 'mrkdwn',
          text: truncate(`*${name}*\n${escapeMrkdwn(value)}`, SLACK_FIELD_MAX),
        })),
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`Alert id ${alert.id}`) }] },
    ],
  };
}

/**
 * Slack's three control characters. Receivers write the error texts an alert quotes, and unescaped they
 * could turn into `<!channel>` mentions or disguised links.
 */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  // Cut by code points, so that no surrogate pair is split into invalid UTF-16.
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export type AlertEventType = `endpoint.${AlertKind}`;

/** The body of the signed webhook: its `data` is the alert itself, so receivers get every figure. */
export interface AlertEvent {
  type: AlertEventType;
  timestamp: string;
  data: EndpointAlert;
}

export function webhookEvent(alert: EndpointAlert): AlertEvent {
  return { type: `endpoint.${alert.kind}`, timestamp: alert.raisedAt, data: alert };
}
