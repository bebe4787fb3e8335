import type { HookDetail } from '../../client';
import { prettyJson } from '../format';

/** The body is the API's JSON text; shown indented, or as it is should it not parse. */
function readableBody(body: string): string {
  try {
    return prettyJson(JSON.parse(body));
  } catch {
    return body;
  }
}

/**
 * The request the hook's next attempt sends, signed as of this read: what a receiver's signature check sees,
 * for comparing with what it logged.
 */
export function SignedRequest({ request }: { request: HookDetail['request'] }) {
  return (
    <section aria-labelledby="request-title">
      <h2 id="request-title">Signed request</h2>
      <p>
        What the next attempt sends, signed as of now (each attempt signs anew, so{' '}
        <code>webhook-timestamp</code> and <code>webhook-signature</code> change).
      </p>
      <p>
        <code class="target">
          {request.method} {request.url}
        </code>
      </p>
      <div class="table-scroll">
        <table class="headers">
          <caption class="visually-hidden">Request headers</caption>
          <thead>
            <tr>
              <th scope="col">Header</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(request.headers).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>
                  <code class="target">{value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>Body</summary>
        <pre>
          <code>{readableBody(request.body)}</code>
        </pre>
      </details>
    </section>
  );
}
