/** The authentication service in the foreground: `conclave serve auth --config auth.yaml [--check]`. */
import { runService } from '@conclave/server-kit';
import { openAuditTrail } from '@conclave/audit';
import { startAuthService } from './auth-service';
import { loadAuthConfig } from './config';

runService({
  name: 'auth',
  load: (file) => loadAuthConfig(file),
  check: (config) => ({
    listeners: [
      { label: 'public API (http)', host: config.http.host, port: config.http.port },
      { label: 'internal (/metrics)', host: config.internal.host, port: config.internal.port },
    ],
    certificates: [],
  }),
  async start(config) {
    const trail =
      config.audit.trail !== undefined
        ? await openAuditTrail(config.audit.trail, config.audit.recordSourceIp)
        : undefined;
    const service = await startAuthService(config, trail !== undefined ? { audit: trail.store } : {});
    return {
      banner: `public API ${service.url}, internal ${service.internalUrl}`,
      stop: async () => {
        await service.close();
        await trail?.close();
      },
    };
  },
});
