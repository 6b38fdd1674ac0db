/** Notifications when an outcome, pillar or indicator changes status (docs/notifications.md). */
export type * from './settings.js';
export { NotificationEngine, type NotificationContext, type NotificationEngineOptions } from './engine.js';
export { NotificationStore, type NotificationRecord, type AttemptRecord } from './store.js';
export { registerNotificationMetrics, type AttemptCount } from './metrics.js';
export { buildContent, renderMessage, headlineOf, linesOf, type NotificationContent } from './message.js';
export { alertsOf, notificationChannel } from './channels.js';
export { decide, watchedSubjects } from './rules.js';
export { SilenceStore, silencing, parseSilenceInput, SilenceInputError, SILENCE_KINDS, type SilenceInput, type Silence, type SilenceKind, type NewSilence } from './silences.js';
export { isQuiet, quietUntil, type QuietWindow } from './quiet.js';
export { channelStatuses, silencedSubjects, type NotificationStatus, type ChannelStatus, type ChannelHealth, type SilencedSubject } from './status.js';
