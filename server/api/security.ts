import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers. The Content-Security-Policy allows only our own origin: the dashboard's
 * scripts, styles, fonts and data all come from Pillarboard itself (wall screens are often
 * offline, so nothing is loaded from a CDN anyway). Two helmet defaults are turned off on
 * purpose: `upgrade-insecure-requests` and HSTS would break the common case of a LAN wall
 * screen reaching Pillarboard over plain HTTP.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
      },
    },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
