import { z } from 'zod';

// Imported first by main.tsx, before any schema is built: the page's CSP forbids eval, and zod
// would otherwise probe `new Function` (reported as a CSP violation) to compile fast parsers.
z.config({ jitless: true });
