import './zod-jitless';

// Split chunks run before the module that imports them: the rest of the app (and every zod schema in it) is
// imported only after zod has been told not to probe `new Function`, which the CSP (no 'unsafe-eval') reports.
void import('./start');
