import { z } from 'zod';

// zod 4 probes `new Function` to compile fast parsers; under a strict CSP (no 'unsafe-eval') that probe is
// reported as a violation. Imported first by the SDK so every schema is built after this setting.
z.config({ jitless: true });
