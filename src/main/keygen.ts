// `npm run keygen`: a new API key (give it to the client, put its hash in the config) and a signing secret.
import { generateSigningSecret } from '../activities/signing';
import { generateApiKey, generateCallbackSecret, hashApiKey } from '../config/api-keys';

const apiKey = process.argv[2] ?? generateApiKey();
process.stdout.write(
  [
    `API key:          ${apiKey}`,
    `  config entry:   apiKeyHashes: ["${hashApiKey(apiKey)}"]`,
    `Signing secret:   ${generateSigningSecret()}`,
    '  config entry:   signingSecrets: [the secret above] (share it with the receiver)',
    `Callback secret:  ${generateCallbackSecret()}`,
    '  config entry:   callbackSecret (the same in every API and worker process; keep it private)',
    '',
  ].join('\n'),
);
