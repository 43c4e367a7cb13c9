import { useState } from 'react';
import { setServerToken } from '../shared/api/token';
import { Button } from '../shared/ui/Button';
import { Field, inputClass } from '../shared/ui/Field';

/**
 * Shown when the server answers 401: it is bound beyond loopback and needs its token
 * (`autocoder serve` prints it once; it is in $AUTOCODER_HOME/server-token).
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
      <Field label="Server token" hint="Printed by `autocoder serve` when it was created; stored in $AUTOCODER_HOME/server-token.">
        {(p) => <input {...p} className={`${inputClass} font-mono`} value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />}
      </Field>
      <Button variant="primary" type="submit" disabled={!/^[0-9a-f]{16,128}$/i.test(token.trim())}>
        Use this token
      </Button>
    </form>
  );
}
