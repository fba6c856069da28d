import { z } from 'zod';

// Imported first: zod 4's `new Function` probe would otherwise be reported by the strict CSP (no 'unsafe-eval').
z.config({ jitless: true });
