import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message as the SMTP server took it: its envelope, its parsed headers and its text. */
export interface ParsedMessage {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO), in order. */
  to: string[];
  /** The From header as written, e.g. `hookrelay <alerts@example.test>`. */
  fromHeader: string;
  subject: string;
  text: string;
  /** Header values by lower-case name; a repeated header keeps its first value. */
  headers: Record<string, string>;
  /** The user the client logged in as, if it did. */
  authUser?: string;
}

export interface TestSmtpServer {
  port: number;
  messages: ParsedMessage[];
  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs: number): Promise<ParsedMessage[]>;
  /** On: every recipient is refused with a temporary failure (451), as by a server that is struggling. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Clients must log in as this user (over plain text: this is a test); otherwise login is optional. */
  credentials?: { user: string; password: string };
}

/** A real SMTP server on 127.0.0.1, without TLS, that parses and keeps what it is sent. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMessage[] = [];
  const waiters = new Set<() => void>();
  let refusing = false;
  const { credentials } = options;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !credentials,
    allowInsecureAuth: true,
    // Clients close their connection after each message; a stuck one must not hold the test's end.
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError(535, 'authentication failed'));
      }
    },
    onRcptTo(_address, _session, callback) {
      callback(refusing ? smtpError(451, 'temporary failure, try again later') : null);
    },
    onData(stream, session, callback) {
      parse(stream, session)
        .then((message) => {
          messages.push(message);
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: unknown) => {
          callback(smtpError(554, `unparsable message: ${String(error)}`));
        });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    waitForMessages: (count, timeoutMs) => waitFor(messages, waiters, count, timeoutMs),
    refuse(on) {
      refusing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(resolve);
      }),
  };
}

function waitFor(
  messages: ParsedMessage[],
  waiters: Set<() => void>,
  count: number,
  timeoutMs: number,
): Promise<ParsedMessage[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (messages.length < count) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(messages);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`${messages.length} of ${count} messages arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

async function parse(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<ParsedMessage> {
  const mail = await simpleParser(stream);
  const { envelope } = session;
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((recipient) => recipient.address),
    fromHeader: mail.from?.text ?? '',
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    headers: headerValues(mail.headerLines),
    ...(typeof session.user === 'string' ? { authUser: session.user } : {}),
  };
}

/** From the raw lines, so that every value is the text that was sent, unfolded. */
function headerValues(lines: readonly { key: string; line: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] ??= value;
  }
  return headers;
}

/** smtp-server answers a callback's error with its responseCode. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
