import { z } from 'zod';
import { isValidSigningSecret } from '../security/signing';

/** Where a project's endpoint alerts go: each alert is sent on every channel of its project. */

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
const emailAddress = z.email({ error: 'must be an email address' });

const smtpSchema = z
  .strictObject({
    host: z.string().min(1).describe('The SMTP server that takes the alerts.'),
    port: z.int().min(1).max(65_535).default(587),
    secure: z
      .boolean()
      .default(false)
      .describe('TLS from the first byte (usually port 465); otherwise STARTTLS is used when offered.'),
    requireTLS: z
      .boolean()
      .default(false)
      .describe('Refuse to send unless the server upgrades the connection with STARTTLS.'),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  .superRefine((smtp, ctx) => {
    // Half a login would fail at every alert, long after start-up: refuse it while loading the config.
    if (smtp.user !== undefined && smtp.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'required with user: they go together' });
    }
    if (smtp.password !== undefined && smtp.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'required with password: they go together' });
    }
  });

const emailChannelSchema = z
  .strictObject({
    type: z.literal('email'),
    to: z.array(emailAddress).min(1, 'needs at least one recipient'),
    from: emailAddress,
    smtp: smtpSchema,
  })
  .describe('A plain-text email to each address in `to`, sent through an SMTP server.');

const slackChannelSchema = z
  .strictObject({
    type: z.literal('slack'),
    url: httpUrl.describe(
      "The channel's Slack incoming-webhook URL; it is a credential: anyone holding it can post there.",
    ),
  })
  .describe('A message in a Slack channel, posted to an incoming webhook.');

const webhookChannelSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: httpUrl,
    secret: z
      .string()
      .refine(isValidSigningSecret, 'must be "whsec_" + base64 of 24 to 64 bytes (see `npm run keygen`)')
      .describe("Signs each alert as hookrelay signs deliveries, so the receiver's usual check applies."),
  })
  .describe(
    'A JSON event (endpoint.failing, endpoint.recovered or endpoint.disabled) POSTed to a URL and ' +
      'signed by Standard Webhooks.',
  );

export const alertChannelSchema = z
  .discriminatedUnion('type', [emailChannelSchema, slackChannelSchema, webhookChannelSchema], {
    error: 'type must be "email", "slack" or "webhook"',
  })
  .describe('Where alerts about failing, recovered and disabled endpoints are sent.');

export type AlertChannel = z.output<typeof alertChannelSchema>;

/**
 * A short description of a channel for records and logs. It never holds a secret: a Slack webhook URL's
 * path is its credential, so only its host shows, and a webhook URL loses its query string and user info.
 */
export function channelLabel(channel: AlertChannel): string {
  switch (channel.type) {
    case 'email':
      return `email to ${channel.to.join(', ')}`;
    case 'slack':
      return `slack ${new URL(channel.url).host}`;
    case 'webhook': {
      const url = new URL(channel.url);
      return `webhook ${url.origin}${url.pathname}`;
    }
  }
}
