import { useState } from 'react';
import { isServerToken, setServerToken } from '../shared/api/token';
import { Button } from '../shared/ui/Button';
import { Field, inputClass } from '../shared/ui/Field';

/**
 * Shown when the server answers 401: every API request needs the server token, on loopback
 * too. The usual way in is the `#token=` link `autocoder serve` prints at every start; pasting
 * the token from $AUTOCODER_HOME/server-token is the fallback. It is kept for this tab only.
 */
export function TokenPrompt() {
  const [token, setToken] = useState('');
  return (
    <form
      className="mx-auto mt-10 flex max-w-md flex-col gap-4 rounded-2xl border border-line bg-panel p-6 shadow-card"
      onSubmit={(e) => {
        e.preventDefault();
        setServerToken(token.trim());
        window.location.reload();
      }}
    >
      <h1 className="text-lg font-semibold">This server needs its token</h1>
      <p className="text-sm text-muted">
        Every request to autocoder needs the server token, also on this machine, so that no other program (an agent
        included) can change it. Open the link <code>autocoder serve</code> prints at every start (
        <code>http://127.0.0.1:&lt;port&gt;/#token=…</code>), or paste the token here.
      </p>
      <Field
        label="Server token"
        hint="It is in $AUTOCODER_HOME/server-token (~/.autocoder/server-token). This tab keeps it until you close it."
      >
        {(p) => (
          <input
            {...p}
            className={`${inputClass} font-mono`}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoComplete="off"
          />
        )}
      </Field>
      <Button variant="primary" type="submit" disabled={!isServerToken(token.trim())}>
        Use this token
      </Button>
    </form>
  );
}
