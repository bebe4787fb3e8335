import type { HookDetail } from '../../client';
import { prettyJson } from '../format';
import { Time } from './Time';

/** The body is the API's JSON text; shown indented, or as it is should it not parse. */
function readableBody(body: string): string {
  try {
    return prettyJson(JSON.parse(body));
  } catch {
    return body;
  }
}

/**
 * The request the hook's latest attempt sent, as the receiver got it: for comparing with what it logged
 * when its signature check disagrees. Before the first attempt, what that attempt will send.
 */
export function SignedRequest({ request }: { request: HookDetail['request'] }) {
  return (
    <section aria-labelledby="request-title">
      <h2 id="request-title">Signed request</h2>
      <p>
        {request.sentAt ? (
          <>
            What attempt {request.attempt} sent at <Time iso={request.sentAt} />, rebuilt as the receiver got
            it and signed again with the project's current secrets: the signature it got, unless they have
            rotated since.
          </>
        ) : (
          <>
            What the first attempt will send; its <code>webhook-timestamp</code> and{' '}
            <code>webhook-signature</code> are made when it is sent.
          </>
        )}
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
