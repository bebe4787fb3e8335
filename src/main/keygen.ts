// `npm run keygen`: a new API key (give it to the client, put its hash in the config) and a signing secret.
import { generateSigningSecret } from '../security/signing';
import { generateApiKey, hashApiKey } from '../security/api-keys';
import { generateServerSecret } from '../security/server-secret';

const apiKey = process.argv[2] ?? generateApiKey();
process.stdout.write(
  [
    `API key:          ${apiKey}`,
    `  config entry:   apiKeyHashes: ["${hashApiKey(apiKey)}"]`,
    `Signing secret:   ${generateSigningSecret()}`,
    '  config entry:   signingSecrets: [the secret above] (share it with the receiver)',
    `Server secret:    ${generateServerSecret()}`,
    '  config entry:   callbackSecret (signs ack/nack URLs and list cursors; the same in every API and',
    '                  worker process; keep it private)',
    '',
  ].join('\n'),
);
