import { useState } from 'preact/hooks';
import { refusalOf } from '../session';

interface SignInProps {
  /** Why the previous session ended, if it did not end by choice. */
  notice: string | undefined;
  onSignedIn: (apiKey: string) => void;
}

/** Asks for a project API key and keeps it only once a real API call has accepted it. */
export function SignIn({ notice, onSignedIn }: SignInProps) {
  const [apiKey, setApiKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setChecking(true);
    const reason = await refusalOf(apiKey.trim());
    setChecking(false);
    if (reason) setRefusal(reason);
    else onSignedIn(apiKey.trim());
  };

  const message = refusal ?? notice;
  return (
    <main class="container sign-in">
      <article>
        <header>
          <h1>hookrelay</h1>
          <p>
            Sign in with one of your project's API keys. It is kept in this tab only, until you sign out or
            close it.
          </p>
        </header>
        {/* POST, so that the key can never end up in a URL even before the script takes over. */}
        <form method="post" onSubmit={(event) => void submit(event)}>
          <label>
            Project API key
            <input
              type="password"
              name="apiKey"
              autocomplete="off"
              required
              value={apiKey}
              onInput={(event) => {
                setApiKey(event.currentTarget.value);
              }}
              aria-invalid={refusal ? true : undefined}
              aria-describedby={message ? 'sign-in-message' : undefined}
            />
          </label>
          {message && (
            <p id="sign-in-message" role="alert" class="notice notice-error">
              {message}
            </p>
          )}
          <button type="submit" aria-busy={checking} disabled={checking || !apiKey.trim()}>
            Sign in
          </button>
        </form>
      </article>
    </main>
  );
}
